"""The preview decisions table: every offer of a preview lead to an agent and how it ended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dialer.storage.base import Base, UTCDateTime

__all__ = ["PreviewDecisionRow"]


class PreviewDecisionRow(Base):
    """One decision about a preview lead: ``offered`` to an agent, then ``dialed`` (with the call
    and the compliance gate's decision), ``skipped``, ``denied`` by the gate at dial time, or
    ``released`` (the agent paused, logged out or did not decide in time; the dialer stopped or
    restarted)."""

    __tablename__ = "preview_decisions"
    __table_args__ = (
        Index("ix_preview_decisions_lead", "lead_id", "decision"),
        Index("ix_preview_decisions_owner_open", "owner", "closed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(80))  # the dialer process that made the offer
    offer_id: Mapped[int | None] = mapped_column(Integer)  # the ``offered`` row this closes
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    agent_id: Mapped[str] = mapped_column(String(80))
    decision: Mapped[str] = mapped_column(String(12))
    closed: Mapped[bool] = mapped_column(default=False)  # an offer that has its outcome row
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    call_id: Mapped[str | None] = mapped_column(String(40))
    gate_decision_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(String(200))
