"""Tables of the compliance layer: the append-only decision record and the abandonment tally."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dialer.storage.base import Base, JSONType, UTCDateTime

__all__ = ["AbandonmentDay", "ComplianceDecision"]


class ComplianceDecision(Base):
    """One allow/deny decision with its reasons and evidence. Rows are never updated or
    deleted (database triggers refuse it)."""

    __tablename__ = "compliance_decisions"
    __table_args__ = (
        Index("ix_compliance_decisions_campaign", "campaign_id", "decided_at"),
        Index("ix_compliance_decisions_phone", "phone", "decided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the instant evaluated
    campaign_id: Mapped[int] = mapped_column(Integer)  # no foreign key: history outlives rows
    lead_id: Mapped[int | None] = mapped_column(Integer)
    phone: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(24))
    dial_mode: Mapped[str] = mapped_column(String(16))
    allowed: Mapped[bool]
    next_allowed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType)
    rules_version: Mapped[str] = mapped_column(String(16))


class AbandonmentDay(Base):
    """Live answers and abandoned calls of one campaign on one UTC day."""

    __tablename__ = "compliance_abandonment"

    campaign_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    live_answers: Mapped[int] = mapped_column(Integer, default=0)
    abandoned: Mapped[int] = mapped_column(Integer, default=0)
