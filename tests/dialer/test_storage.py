from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from campaigns.enums import Purpose
from campaigns.models import Campaign
from dialer.storage.migrate import current_revision, head_revision


def test_migrations_reach_head(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    assert {"campaigns", "lead_lists", "leads", "import_runs"} <= set(
        inspect(engine).get_table_names()
    )


def test_datetimes_round_trip_as_utc(session: Session) -> None:
    paris = timezone(timedelta(hours=1))
    at = datetime(2026, 5, 1, 12, 30, tzinfo=paris)
    session.add(
        Campaign(
            name="x", purpose=Purpose.SURVEY, caller_id="+14155550100", created_at=at, updated_at=at
        )
    )
    session.flush()
    session.expire_all()
    got = session.scalars(select(Campaign)).one()
    assert got.created_at == at
    assert got.created_at.tzinfo is UTC


def test_naive_datetimes_are_refused(session: Session) -> None:
    naive = datetime(2026, 5, 1, 12, 30)
    session.add(
        Campaign(
            name="x",
            purpose=Purpose.SURVEY,
            caller_id="+14155550100",
            created_at=naive,
            updated_at=naive,
        )
    )
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()
