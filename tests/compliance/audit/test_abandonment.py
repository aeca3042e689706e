"""Abandonment: per-day and rolling rates (pure, against a brute-force count), half-hour slots
in the database, and the command's flags."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from compliance.audit import SqlCallLog
from compliance.audit.abandonment import (
    Slot,
    abandonment,
    live_slots,
    rolling_days,
    summarize,
    worst_slots,
)
from tests.cli_helpers import run_cli
from tests.compliance.audit.factory import record

DAY0 = datetime(2026, 1, 1, tzinfo=UTC)

slots_strategy = st.lists(
    st.tuples(st.integers(0, 90), st.integers(0, 47), st.integers(0, 20), st.integers(0, 20)),
    min_size=1,
    max_size=40,
)


def _slots(raw: list[tuple[int, int, int, int]]) -> list[Slot]:
    return [
        Slot(1, DAY0 + timedelta(days=d, minutes=30 * h), live + ab, ab) for d, h, live, ab in raw
    ]


@given(slots_strategy, st.integers(1, 40))
def test_rolling_rate_matches_a_brute_force_count(
    raw: list[tuple[int, int, int, int]], period: int
) -> None:
    slots = _slots(raw)
    days = rolling_days(slots, 0.03, period)
    first, last = min(s.start.date() for s in slots), max(s.start.date() for s in slots)
    assert [d.day for d in days] == [
        first + timedelta(days=i) for i in range((last - first).days + 1)
    ]
    for d in days:
        inside = [s for s in slots if d.day - timedelta(days=period) < s.start.date() <= d.day]
        live, ab = sum(s.live for s in inside), sum(s.abandoned for s in inside)
        assert (d.period_live, d.period_abandoned) == (live, ab)
        assert d.over_cap == (live > 0 and ab / live > 0.03)
        today = [s for s in slots if s.start.date() == d.day]
        assert (d.live, d.abandoned) == (
            sum(s.live for s in today),
            sum(s.abandoned for s in today),
        )


@given(slots_strategy)
def test_the_worst_window_has_the_highest_rate(raw: list[tuple[int, int, int, int]]) -> None:
    slots = _slots(raw)
    [summary] = summarize(slots, {1: ("C", 0.03, 30)})
    assert summary.worst_slot is not None
    assert summary.worst_slot.rate == max(s.rate for s in slots)
    assert summary.live == sum(s.live for s in slots)


def test_a_rate_exactly_at_the_cap_is_not_flagged() -> None:
    day = rolling_days([Slot(1, DAY0, 100, 3)], 0.03, 30)[0]
    assert not day.over_cap
    assert rolling_days([Slot(1, DAY0, 100, 4)], 0.03, 30)[0].over_cap


def test_half_hour_slots_in_the_database(engine: Engine) -> None:
    at = datetime(2026, 3, 2, 10, 29, 59, 999999, tzinfo=UTC)
    records = [
        record(1, at=at, abandoned=True),
        record(2, at=at + timedelta(microseconds=1)),  # 10:30:00 starts the next slot
        record(3, at=at + timedelta(minutes=30, microseconds=1)),  # 11:00
        record(4, at=at, answered_by="machine"),  # not a live answer
        record(5, at=at, campaign_id=2, abandoned=True),
    ]
    SqlCallLog(engine).append_many(records)
    with Session(engine) as session:
        slots = live_slots(session)
        assert [(s.campaign_id, s.start.strftime("%H:%M"), s.live, s.abandoned) for s in slots] == [
            (1, "10:00", 1, 1),
            (1, "10:30", 1, 0),
            (1, "11:00", 1, 0),
            (2, "10:00", 1, 1),
        ]
        assert [s.campaign_id for s in live_slots(session, campaign_id=2)] == [2]
        later = live_slots(session, since=at + timedelta(microseconds=1))
        assert [s.start.strftime("%H:%M") for s in later] == ["10:30", "11:00"]


def test_the_database_picks_the_worst_half_hour_as_the_pure_summary_does(engine: Engine) -> None:
    """Ties on the rate go to the most live answers, then to the latest half hour."""
    base = datetime(2026, 3, 2, 10, tzinfo=UTC)
    # campaign: (half hours after 10:00, live answers, abandoned) per slot
    plan = {
        1: [(0, 2, 1), (2, 4, 2), (4, 4, 2), (5, 3, 0)],  # 50% three times: 12:00 wins
        2: [(0, 3, 0), (1, 1, 0), (49, 2, 0)],  # no abandons: the most live answers, 10:00
        3: [(3, 5, 1)],
    }
    records, n = [], 0
    for campaign, slots in plan.items():
        for half_hours, live, abandoned in slots:
            for i in range(live):
                at = base + timedelta(minutes=30 * half_hours + i)
                records.append(record(n, at=at, campaign_id=campaign, abandoned=i < abandoned))
                n += 1
    SqlCallLog(engine).append_many(records)
    with Session(engine) as session:
        pure = summarize(live_slots(session), {})
        found = abandonment(session)
        worst = worst_slots(session)
    assert [(c.campaign_id, c.worst_slot) for c in found] == [
        (c.campaign_id, c.worst_slot) for c in pure
    ]
    assert [c.days for c in found] == [c.days for c in pure]
    assert {k: v.start.strftime("%d %H:%M") for k, v in worst.items()} == {
        1: "02 12:00",
        2: "02 10:00",
        3: "02 11:30",
    }


def test_the_command_flags_days_over_the_cap(db_url: str, engine: Engine) -> None:
    start = datetime(2026, 3, 1, 14, tzinfo=UTC)
    records = []
    for day in range(3):
        for i in range(50):
            n = day * 100 + i
            abandoned = day == 2 and i < 5  # 5 of 150 over the period: 3.3%
            at = start + timedelta(days=day, minutes=i)
            records.append(record(n, at=at, abandoned=abandoned))
    SqlCallLog(engine).append_many(records)
    result = run_cli(db_url, "audit", "abandonment", "--days")
    assert result.exit_code == 1
    assert "OVER CAP: #1: 1 day(s) with the rolling 30-day rate above 3.0%, first 2026-03-03" in (
        result.output
    )
    assert "16.67% (5/30)" in result.output  # worst half hour: 14:00-14:30 of the third day
    ok = run_cli(db_url, "audit", "abandonment", "--to", "2026-03-02", "--format", "json")
    assert ok.exit_code == 0, ok.output
    assert '"days_over_cap": 0' in ok.output
    assert date(2026, 3, 1).isoformat() not in ok.output.split("worst_rolling_day")[0]
