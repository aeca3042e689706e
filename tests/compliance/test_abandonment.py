"""The abandonment ledger (issue 3, section 5) on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from compliance.abandonment import AbandonmentLedger, remaining_budget
from dialer.storage import session_factory
from tests.compliance.memory import utc

AT = utc("2026-03-31T12:00:00")


def _ledger(engine: Engine) -> AbandonmentLedger:
    return AbandonmentLedger(session_factory(engine), period_days=30)


def test_rolling_thirty_day_tally_and_days(engine: Engine) -> None:
    ledger = _ledger(engine)
    for days_ago, live, abandoned in [(30, 50, 10), (29, 40, 1), (3, 60, 2), (0, 20, 0)]:
        for i in range(live):
            ledger.record(7, AT - timedelta(days=days_ago), abandoned=i < abandoned)
    ledger.record(8, AT, abandoned=True)  # another campaign
    tally = ledger.tally(7, AT)
    assert (tally.live_answers, tally.abandoned) == (120, 3)  # day 30 is out of the window
    assert tally.first_day == (AT - timedelta(days=29)).date()
    assert [(d.day, d.live_answers, d.abandoned) for d in ledger.daily(7, AT)] == [
        ((AT - timedelta(days=29)).date(), 40, 1),
        ((AT - timedelta(days=3)).date(), 60, 2),
        (AT.date(), 20, 0),
    ]
    assert ledger.remaining(7, AT, 0.03) == pytest.approx((0.03 * 120 - 3) / 0.97)
    assert ledger.campaigns() == [7, 8]


def test_forced_progressive_when_one_more_abandon_would_exceed(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    ledger = _ledger(engine)
    for i in range(66):
        ledger.record(1, AT, abandoned=i < 1)
    assert not ledger.forced_progressive(1, AT, 0.03)  # (1 + 1) / 67 = 2.99%
    ledger.record(1, AT, abandoned=True)  # 2 of 67
    with caplog.at_level(logging.WARNING, logger="compliance.abandonment"):
        assert ledger.forced_progressive(1, AT, 0.03)
        assert ledger.forced_progressive(1, AT, 0.03)
    alerts = [r for r in caplog.records if "forced to progressive" in r.getMessage()]
    assert len(alerts) == 1  # once a day
    assert ledger.forced_progressive(1, AT, 0.5, "US")  # the target never exceeds the legal cap


def test_a_new_campaign_has_no_budget(engine: Engine) -> None:
    assert _ledger(engine).remaining(99, AT, 0.03) == 0


@given(st.integers(0, 10_000), st.integers(0, 500), st.floats(0.0, 0.2))
def test_remaining_budget_is_exactly_what_keeps_the_rate_at_target(
    live: int, abandoned: int, target: float
) -> None:
    abandoned = min(abandoned, live)
    k = remaining_budget(live, abandoned, target)
    if k >= 0:
        assert (abandoned + k) <= target * (live + k) + 1e-6
    else:
        assert abandoned > target * live - 1e-9
