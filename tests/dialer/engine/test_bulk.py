"""Driver-level bulk writes store exactly what SQLAlchemy's own path stores, on every back end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, insert, select, update
from sqlalchemy.dialects import sqlite

from campaigns.enums import LeadStatus
from dialer.engine.bulk import BulkStatement, sqlite_utc_text
from dialer.engine.models import AgentRow, CallEventRow
from dialer.storage import UTCDateTime

_EVENTS: Any = CallEventRow.__table__
_AGENTS: Any = AgentRow.__table__

INSTANTS = [
    datetime(2026, 3, 9, 14, 0, tzinfo=UTC),  # no microseconds
    datetime(2026, 3, 9, 14, 0, 1, 250, tzinfo=UTC),
    datetime(2026, 3, 9, 9, 0, 1, 999999, tzinfo=timezone(timedelta(hours=-5))),
    datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
]


@pytest.mark.parametrize("at", INSTANTS)
def test_sqlite_text_is_what_the_column_type_binds(at: datetime) -> None:
    dialect = sqlite.dialect()
    process = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    assert sqlite_utc_text(at) == process(at)


def test_sqlite_text_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        sqlite_utc_text(datetime(2026, 3, 9, 14, 0))
    assert sqlite_utc_text(None) is None


def _agent(conn: Any, agent_id: str) -> None:
    conn.execute(
        insert(_AGENTS).values(id=agent_id, name=agent_id, simulated=True, created_at=INSTANTS[0])
    )


def test_insert_many_rows_round_trips(engine: Engine) -> None:
    stmt = BulkStatement(insert(_AGENTS), ("id", "name", "endpoint", "simulated", "created_at"))
    rows = [
        {
            "id": f"a{i}",
            "name": f"A {i}",
            "endpoint": None,
            "simulated": i % 2 == 0,
            "created_at": at,
        }
        for i, at in enumerate(INSTANTS)
    ]
    with engine.begin() as conn:
        stmt.execute(conn, rows)
        stmt.execute(conn, [])
    with engine.connect() as conn:
        stored = conn.execute(select(_AGENTS).order_by(_AGENTS.c.id)).all()
    assert [(r.id, r.simulated, r.created_at) for r in stored] == [
        (f"a{i}", i % 2 == 0, at.astimezone(UTC)) for i, at in enumerate(INSTANTS)
    ]


def test_update_with_fixed_values_and_row_values(engine: Engine) -> None:
    """Values fixed in the statement (an enum, a NULL) go with each row's own values."""
    from campaigns.models import Lead

    leads: Any = Lead.__table__
    stmt = BulkStatement(
        update(_AGENTS)
        .where(_AGENTS.c.id == bindparam("aid"))
        .values(endpoint=None, name=bindparam("nm"), created_at=bindparam("at"))
    )
    with engine.begin() as conn:
        for agent_id in ("x", "y", "z"):
            _agent(conn, agent_id)
        conn.execute(update(_AGENTS).values(endpoint="+15550100"))
        stmt.execute(
            conn,
            [
                {"aid": "x", "nm": "Xavier", "at": INSTANTS[1]},
                {"aid": "y", "nm": "Yu", "at": INSTANTS[2]},
            ],
        )
    with engine.connect() as conn:
        stored = {r.id: r for r in conn.execute(select(_AGENTS))}
    assert (stored["x"].name, stored["x"].endpoint, stored["x"].created_at) == (
        "Xavier",
        None,
        INSTANTS[1],
    )
    assert (stored["y"].name, stored["y"].created_at) == ("Yu", INSTANTS[2].astimezone(UTC))
    assert (stored["z"].name, stored["z"].endpoint) == ("z", "+15550100")
    enum_stmt = BulkStatement(
        update(leads).where(leads.c.id == bindparam("lid")).values(status=LeadStatus.DONE)
    )
    with engine.begin() as conn:
        enum_stmt.execute(conn, [{"lid": 12345}])  # no such lead: nothing changes, no error
