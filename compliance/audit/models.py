"""The call log's tables: one row per call attempt, hash-chained, and the chain's head.

``call_log`` is append-only: rows are inserted by :class:`~compliance.audit.log.SqlCallLog` and
never updated or deleted. Each row's ``hash`` covers its canonical serialization (see
:mod:`compliance.audit.chain`), which includes its ``seq`` and the previous row's hash, so an edit,
an insertion or a deletion breaks the chain where it happened.

``call_log_head`` holds one row: the last ``seq`` and ``hash``. Appends lock it first (a row lock
on PostgreSQL, the write lock on SQLite), so concurrent appenders in several processes take turns
and the chain never forks; and ``verify`` compares it with the last record, which reveals records
deleted from the end.

The list-valued fields (states, zones, local times) are stored as the exact canonical JSON text
that was hashed, so verification reads back the very bytes it hashed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dialer.storage.base import Base, UTCDateTime

__all__ = ["HEAD_ID", "CallLogHead", "CallLogRow"]

HEAD_ID = 1
# INTEGER PRIMARY KEY on SQLite (the rowid itself), BIGINT on PostgreSQL.
_SEQ = BigInteger().with_variant(Integer(), "sqlite")


class CallLogRow(Base):
    __tablename__ = "call_log"
    __table_args__ = (
        Index("ix_call_log_call_id", "call_id", unique=True),
        Index("ix_call_log_started", "started_at"),
        Index("ix_call_log_campaign_started", "campaign_id", "started_at"),
        Index("ix_call_log_phone_started", "phone", "started_at"),
        Index("ix_call_log_agent_started", "agent_id", "started_at"),
        Index("ix_call_log_outcome_started", "outcome", "started_at"),
        # Covers the abandonment aggregation (live answers per campaign over time).
        Index("ix_call_log_live", "campaign_id", "answered_by", "started_at", "abandoned"),
    )

    seq: Mapped[int] = mapped_column(_SEQ, primary_key=True, autoincrement=False)
    prev_hash: Mapped[str] = mapped_column(String(64))
    call_id: Mapped[str] = mapped_column(String(64))
    campaign_id: Mapped[int] = mapped_column(Integer)  # no foreign key: the log outlives campaigns
    lead_id: Mapped[int | None] = mapped_column(Integer)
    phone: Mapped[str] = mapped_column(String(16))  # E.164
    purpose: Mapped[str] = mapped_column(String(24))
    decision_id: Mapped[int | None] = mapped_column(Integer)
    carrier: Mapped[str] = mapped_column(String(24))
    carrier_call_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the first state's time
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the last state's time
    outcome: Mapped[str] = mapped_column(String(16))
    answered_by: Mapped[str | None] = mapped_column(String(16))
    agent_id: Mapped[str | None] = mapped_column(String(80))
    disposition: Mapped[str | None] = mapped_column(String(40))
    abandoned: Mapped[bool] = mapped_column(Boolean)
    safe_harbor_played: Mapped[bool] = mapped_column(Boolean)
    states: Mapped[str] = mapped_column(Text)  # JSON [[state, "YYYY-MM-DD HH:MM:SS.ffffff"], ...]
    timezones: Mapped[str] = mapped_column(Text)  # JSON ["America/New_York", ...]
    local_times: Mapped[str] = mapped_column(Text)  # JSON {zone: local ISO time at started_at}
    recording_ref: Mapped[str | None] = mapped_column(String(200))
    hash: Mapped[str] = mapped_column(String(64))


class CallLogHead(Base):
    __tablename__ = "call_log_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(_SEQ)
    hash: Mapped[str] = mapped_column(String(64))
