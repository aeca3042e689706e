"""Tables of campaigns, lead lists, leads and import runs."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.enums import CampaignStatus, ConsentType, DialMode, LeadStatus, LineType, Purpose
from dialer.storage.base import Base, JSONType, UTCDateTime

__all__ = ["Campaign", "ImportRun", "Lead", "LeadList"]


def _enum(kind: type[enum.Enum]) -> Enum:
    return Enum(
        kind,
        native_enum=False,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    purpose: Mapped[Purpose] = mapped_column(_enum(Purpose))
    caller_id: Mapped[str] = mapped_column(String(16))
    dial_mode: Mapped[DialMode] = mapped_column(_enum(DialMode), default=DialMode.PROGRESSIVE)
    abandon_target: Mapped[float] = mapped_column(Float, default=0.03)
    country: Mapped[str] = mapped_column(String(2), default="US")
    status: Mapped[CampaignStatus] = mapped_column(
        _enum(CampaignStatus), default=CampaignStatus.DRAFT
    )
    # The campaign's own calling hours in the called party's local time ("HH:MM"), narrower
    # than the law's; None = the law's windows only.
    local_start: Mapped[str | None] = mapped_column(String(5))
    local_end: Mapped[str | None] = mapped_column(String(5))
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    max_attempts_per_day: Mapped[int] = mapped_column(Integer, default=3)
    ring_timeout_s: Mapped[int] = mapped_column(Integer, default=25)
    lines_per_agent: Mapped[float] = mapped_column(Float, default=2.0)  # power mode ratio
    max_lines_per_agent: Mapped[float] = mapped_column(Float, default=6.0)
    machine_action: Mapped[str] = mapped_column(String(16), default="hangup")  # or "voicemail"
    max_wrap_s: Mapped[float] = mapped_column(Float, default=120.0, server_default="120")
    safe_harbor_message: Mapped[str | None] = mapped_column(Text)
    voicemail_message: Mapped[str | None] = mapped_column(Text)
    script: Mapped[str | None] = mapped_column(Text)
    dispositions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    retry_rules: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LeadList(Base):
    __tablename__ = "lead_lists"
    __table_args__ = (UniqueConstraint("campaign_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (
        UniqueConstraint("campaign_id", "phone"),
        Index("ix_leads_ready", "campaign_id", "status", "next_eligible_at"),
        # Partial: only leased leads are indexed, so bulk imports (no lease) do not maintain it.
        Index(
            "ix_leads_lease",
            "lease_owner",
            "lease_expires_at",
            sqlite_where=text("lease_owner IS NOT NULL"),
            postgresql_where=text("lease_owner IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    list_id: Mapped[int] = mapped_column(ForeignKey("lead_lists.id", ondelete="CASCADE"))
    import_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"))
    phone: Mapped[str] = mapped_column(String(16))  # E.164
    first_name: Mapped[str | None] = mapped_column(String(120))
    last_name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120))
    state: Mapped[str | None] = mapped_column(String(8))  # stated/billing state or province
    zip: Mapped[str | None] = mapped_column(String(10))
    # Every candidate IANA zone and state the called party may be in; compliance uses them all.
    timezones: Mapped[list[str]] = mapped_column(JSONType, default=list)
    states: Mapped[list[str]] = mapped_column(JSONType, default=list)
    line_type: Mapped[LineType] = mapped_column(_enum(LineType), default=LineType.UNKNOWN)
    consent_type: Mapped[ConsentType] = mapped_column(_enum(ConsentType), default=ConsentType.NONE)
    consent_date: Mapped[date | None] = mapped_column(Date)
    consent_source: Mapped[str | None] = mapped_column(String(200))
    ebr_purchase_date: Mapped[date | None] = mapped_column(Date)
    ebr_inquiry_date: Mapped[date | None] = mapped_column(Date)
    written_permission: Mapped[bool] = mapped_column(default=False)
    debt_id: Mapped[str | None] = mapped_column(String(64))  # collections: calls are per debt
    custom: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[LeadStatus] = mapped_column(_enum(LeadStatus), default=LeadStatus.NEW)
    status_reason: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_eligible_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_disposition: Mapped[str | None] = mapped_column(String(40))
    callback_agent: Mapped[str | None] = mapped_column(String(80))
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ImportRun(Base):
    """One ``dialer leads import``: its counts survive even if the import was interrupted."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    list_id: Mapped[int] = mapped_column(ForeignKey("lead_lists.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(500))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    rejects_path: Mapped[str | None] = mapped_column(String(500))
    reasons: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
    # Added by the lead import (imp_0001): blank rows skipped, leads imported but not dialable.
    blank: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    not_dialable: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
