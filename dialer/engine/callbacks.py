"""Callbacks set by agents: a row in ``callbacks`` plus the lead's ``callback`` status and time.

The hopper claims callback leads first once due; the routing policy gives the answer to the
callback's own agent when they are ready (else to anyone).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session, sessionmaker

from campaigns.models import Lead
from dialer.engine.models import CallbackRow

__all__ = ["add_callback"]

_CALLBACKS: Table = CallbackRow.__table__  # type: ignore[assignment]
_LEADS: Table = Lead.__table__  # type: ignore[assignment]
_INSERT = insert(_CALLBACKS)
_FOR_AGENT = (
    update(_LEADS).where(_LEADS.c.id == bindparam("lid")).values(callback_agent=bindparam("agent"))
)


def add_callback(
    sessions: sessionmaker[Session],
    campaign_id: int,
    lead_id: int,
    agent_id: str | None,
    due_at: datetime,
    now: datetime,
    created_by: str,
) -> int:
    """Record a callback; the lead's status and time are written with the disposition."""
    with sessions.begin() as session:
        conn = session.connection()  # Core statements: no unit of work for two plain writes
        result = conn.execute(
            _INSERT,
            {
                "campaign_id": campaign_id,
                "lead_id": lead_id,
                "agent_id": agent_id,
                "due_at": due_at,
                "status": "pending",
                "created_by": created_by,
                "created_at": now,
            },
        )
        conn.execute(_FOR_AGENT, {"lid": lead_id, "agent": agent_id})
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])
