"""``SqlCallHistory``: :class:`compliance.api.CallHistory` over the engine's ``calls`` table.

A call's row is written before it is dialed, so an attempt counts for frequency caps from the
moment it is placed, whichever dialer process placed it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from compliance.api import Attempt
from dialer.engine.models import CallRow

__all__ = ["SqlCallHistory"]


class SqlCallHistory:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def attempts(self, phone: str, since: datetime) -> Sequence[Attempt]:
        """Attempts to ``phone`` at or after ``since``, oldest first."""
        query = (
            select(
                CallRow.created_at,
                CallRow.campaign_id,
                CallRow.purpose,
                CallRow.debt_id,
                CallRow.conversation,
                CallRow.abandoned,
            )
            .where(CallRow.phone == phone, CallRow.created_at >= since)
            .order_by(CallRow.created_at, CallRow.id)
        )
        with self._sessions() as session:
            return [
                Attempt(at, cid, purpose, debt, bool(conversation), bool(abandoned))
                for at, cid, purpose, debt, conversation, abandoned in session.execute(query)
            ]
