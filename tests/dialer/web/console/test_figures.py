"""Abandon rates from call records, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from campaigns.enums import Purpose
from campaigns.models import Campaign
from dialer.engine.models import CallRow
from dialer.storage import session_factory
from dialer.web.console.figures import AbandonRates

NOW = datetime(2026, 3, 9, 18, 0, tzinfo=UTC)


def _call(n: int, cid: int, answered_at: datetime, answered_by: str, abandoned: bool) -> CallRow:
    return CallRow(
        id=f"c-{n}",
        campaign_id=cid,
        phone="+12025550100",
        purpose="survey",
        owner="t",
        carrier="simulated",
        state="completed",
        answered_by=answered_by,
        abandoned=abandoned,
        created_at=answered_at,
        answered_at=answered_at,
    )


def test_rates_today_and_over_30_days(engine: Engine) -> None:
    factory = session_factory(engine)
    with factory.begin() as db:
        campaign = Campaign(
            name="c",
            purpose=Purpose.SURVEY,
            caller_id="+14155552671",
            created_at=NOW,
            updated_at=NOW,
        )
        db.add(campaign)
        db.flush()
        cid = campaign.id
        rows = [
            (NOW - timedelta(hours=1), "human", True),  # today
            (NOW - timedelta(hours=2), "human", False),
            (NOW - timedelta(hours=3), "unknown", False),
            (NOW - timedelta(hours=4), "machine", True),  # machines are not live answers
            (NOW - timedelta(days=3), "human", True),  # this month
            (NOW - timedelta(days=3), "human", False),
            (NOW - timedelta(days=40), "human", True),  # too old
        ]
        db.add_all(_call(i, cid, at, kind, ab) for i, (at, kind, ab) in enumerate(rows))
    rates = AbandonRates(factory, refresh_s=5)
    assert rates.rates(cid, NOW) == (1 / 3, 2 / 5)
    assert rates.rates(cid + 1, NOW) == (0.0, 0.0)
    with factory.begin() as db:
        db.add(_call(99, cid, NOW, "human", True))
    assert rates.rates(cid, NOW + timedelta(seconds=1)) == (1 / 3, 2 / 5)  # cached
    assert rates.rates(cid, NOW + timedelta(seconds=6)) == (2 / 4, 3 / 6)
