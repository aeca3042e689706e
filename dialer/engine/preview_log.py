"""Writing preview decisions (``preview_decisions``): each offer is a row, closed by the row of
its outcome (dialed, skipped, denied or released) in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from dialer.engine.preview_models import PreviewDecisionRow

__all__ = ["DecisionLog", "OfferEnd"]

_ROWS = PreviewDecisionRow


@dataclass(frozen=True, slots=True)
class OfferEnd:
    """How an offer ended."""

    decision: str  # "dialed", "skipped", "denied" or "released"
    at: datetime
    detail: str | None = None
    call_id: str | None = None
    gate_decision_id: int | None = None


class DecisionLog:
    """The preview decisions of one dialer process (``owner``)."""

    def __init__(self, sessions: sessionmaker[Session], owner: str) -> None:
        self.sessions = sessions
        self.owner = owner

    def offered(self, campaign_id: int, lead_id: int, agent_id: str, at: datetime) -> int:
        """Record an offer; its row id."""
        values = {
            "owner": self.owner,
            "campaign_id": campaign_id,
            "lead_id": lead_id,
            "agent_id": agent_id,
            "decision": "offered",
            "closed": False,
            "at": at,
        }
        with self.sessions.begin() as session:
            result = session.execute(insert(_ROWS).values(values).returning(_ROWS.id))
            return int(result.scalar_one())

    def close(self, offer_id: int, outcome: OfferEnd) -> None:
        """Record how the offer ``offer_id`` ended."""
        with self.sessions.begin() as session:
            self._close(session, [offer_id], outcome)

    def _close(self, session: Session, offer_ids: list[int], outcome: OfferEnd) -> None:
        offers = session.execute(
            select(_ROWS.id, _ROWS.campaign_id, _ROWS.lead_id, _ROWS.agent_id).where(
                _ROWS.id.in_(offer_ids), _ROWS.closed.is_(False)
            )
        ).all()
        if not offers:
            return
        session.execute(
            insert(_ROWS),
            [
                {
                    "owner": self.owner,
                    "offer_id": oid,
                    "campaign_id": cid,
                    "lead_id": lid,
                    "agent_id": aid,
                    "decision": outcome.decision,
                    "closed": True,
                    "at": outcome.at,
                    "call_id": outcome.call_id,
                    "gate_decision_id": outcome.gate_decision_id,
                    "detail": (outcome.detail or None) and outcome.detail[:200],
                }
                for oid, cid, lid, aid in offers
            ],
        )
        ids = [row[0] for row in offers]
        session.execute(update(_ROWS).where(_ROWS.id.in_(ids)).values(closed=True))

    def release_open(self, at: datetime, detail: str) -> int:
        """Close every open offer of this dialer as ``released`` (it stopped or restarted)."""
        with self.sessions.begin() as session:
            ids = list(
                session.scalars(
                    select(_ROWS.id).where(
                        _ROWS.owner == self.owner,
                        _ROWS.decision == "offered",
                        _ROWS.closed.is_(False),
                    )
                )
            )
            self._close(session, ids, OfferEnd("released", at, detail))
            return len(ids)

    def skips(self, lead_id: int) -> int:
        """How many times the lead has been skipped (by anyone)."""
        with self.sessions() as session:
            query = select(func.count()).where(
                _ROWS.lead_id == lead_id, _ROWS.decision == "skipped"
            )
            return int(session.scalar(query) or 0)
