"""Tables of the engine: calls and their state changes, agents, sessions, callbacks, job claims.

The engine keeps its working state in memory and writes it through (see :mod:`.store`): a call's
row is inserted before it is dialed, so a crash never loses a call that reached the carrier.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dialer.storage.base import Base, JSONType, UTCDateTime

__all__ = [
    "AgentRow",
    "AgentSessionRow",
    "AgentStateLogRow",
    "CallEventRow",
    "CallRow",
    "CallbackRow",
    "JobClaimRow",
]


class CallRow(Base):
    """One call attempt, with its latest state (every state is also a ``call_events`` row)."""

    __tablename__ = "calls"
    __table_args__ = (
        Index("ix_calls_phone_created", "phone", "created_at"),
        Index("ix_calls_owner_final", "owner", "final"),
        Index("ix_calls_lead", "lead_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the engine's call id
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"))
    phone: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(24))
    debt_id: Mapped[str | None] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(80))  # the dialer process that placed it
    carrier: Mapped[str] = mapped_column(String(24))
    carrier_call_id: Mapped[str | None] = mapped_column(String(80))
    decision_id: Mapped[int | None] = mapped_column(Integer)
    timezones: Mapped[list[str]] = mapped_column(JSONType, default=list)
    state: Mapped[str] = mapped_column(String(24))
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_by: Mapped[str | None] = mapped_column(String(12))
    agent_id: Mapped[str | None] = mapped_column(String(80))
    disposition: Mapped[str | None] = mapped_column(String(40))
    abandoned: Mapped[bool] = mapped_column(Boolean, default=False)
    safe_harbor_played: Mapped[bool] = mapped_column(Boolean, default=False)
    conversation: Mapped[bool] = mapped_column(Boolean, default=False)
    detail: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    logged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # appended to the call log


class CallEventRow(Base):
    """One state a call went through, with the clock's timestamp."""

    __tablename__ = "call_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    detail: Mapped[str | None] = mapped_column(String(200))


class AgentRow(Base):
    __tablename__ = "agents"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    endpoint: Mapped[str | None] = mapped_column(String(200))  # phone or client id (Twilio)
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AgentSessionRow(Base):
    """One log-in of an agent, to one or more campaigns, with the time spent in each state."""

    __tablename__ = "agent_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    owner: Mapped[str] = mapped_column(String(80))
    campaign_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seconds_by_state: Mapped[dict[str, float]] = mapped_column(JSONType, default=dict)


class AgentStateLogRow(Base):
    """One stretch of an agent in one state (written when the stretch ends)."""

    __tablename__ = "agent_state_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("agent_sessions.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(16))
    pause_code: Mapped[str | None] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seconds: Mapped[float] = mapped_column(Float)


class CallbackRow(Base):
    """A callback an agent set: at an instant (the lead's local time, stored UTC), for that agent
    or anyone."""

    __tablename__ = "callbacks"
    __table_args__ = (Index("ix_callbacks_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[str | None] = mapped_column(String(80))  # None: anyone
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending, done, canceled
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class JobClaimRow(Base):
    """One firing of a scheduled job, claimed by one process (the unique key stops a second)."""

    __tablename__ = "job_claims"
    __table_args__ = (UniqueConstraint("job", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(80))
    slot: Mapped[datetime] = mapped_column(UTCDateTime)
    owner: Mapped[str] = mapped_column(String(80))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
