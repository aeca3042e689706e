"""The company and campaign do-not-call lists: one table, one row per listing, never deleted.

A row with ``campaign_id`` NULL is a company-wide entry (every campaign, every purpose); otherwise
it belongs to that campaign's list. Removing a number stamps ``removed_at``/``removed_by``/
``removal_reason`` on the row instead of deleting it, and adding it again makes a new row, so the
table is the full history (who, when, why) required to be kept for at least five years.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from dialer.storage.base import Base, UTCDateTime

__all__ = ["DncEntry"]

_ACTIVE = text("removed_at IS NULL")
_COMPANY_ACTIVE = text("campaign_id IS NULL AND removed_at IS NULL")


class DncEntry(Base):
    __tablename__ = "dnc_entries"
    __table_args__ = (
        Index("ix_dnc_entries_phone", "phone"),
        # At most one active listing per number and scope (company, or one campaign).
        Index(
            "uq_dnc_entries_company_active",
            "phone",
            unique=True,
            sqlite_where=_COMPANY_ACTIVE,
            postgresql_where=_COMPANY_ACTIVE,
        ),
        Index(
            "uq_dnc_entries_campaign_active",
            "campaign_id",
            "phone",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No cascade: deleting a campaign must not erase its do-not-call history.
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    phone: Mapped[str] = mapped_column(String(16))  # E.164
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(40))  # "cli", "agent", "keypress", "import", ...
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by: Mapped[str | None] = mapped_column(String(120))
    removal_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def active(self) -> bool:
        return self.removed_at is None

    @property
    def list_name(self) -> str:
        return "company" if self.campaign_id is None else f"campaign:{self.campaign_id}"
