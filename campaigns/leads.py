"""Reading a campaign's leads: listing and CSV export (cells made formula-safe)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.enums import LeadStatus
from campaigns.models import Campaign, Lead, LeadList
from dialer.csv_safe import write_safe_rows
from dialer.errors import InputError

__all__ = ["EXPORT_COLUMNS", "export_leads", "iter_leads"]

EXPORT_COLUMNS = (
    "phone", "first_name", "last_name", "email", "address", "city", "state", "zip",
    "timezones", "states", "status", "status_reason", "attempts", "consent_type",
    "consent_date", "line_type",
)  # fmt: skip


def iter_leads(
    session: Session, campaign: Campaign, status: LeadStatus | None = None, limit: int | None = None
) -> Iterator[tuple[Lead, str]]:
    """The campaign's leads in import order, each with its list's name."""
    query = (
        select(Lead, LeadList.name)
        .join(LeadList, Lead.list_id == LeadList.id)
        .where(Lead.campaign_id == campaign.id)
        .order_by(Lead.id)
        .execution_options(yield_per=5000)
    )
    if status is not None:
        query = query.where(Lead.status == status)
    if limit is not None:
        query = query.limit(limit)
    for row in session.execute(query):
        yield row[0], row[1]


def _cell(value: object) -> object:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return value


def export_leads(session: Session, campaign: Campaign, out: Path) -> int:
    """Write every lead of ``campaign`` to ``out``; custom fields become extra columns."""
    custom_keys: dict[str, None] = {}
    for (custom,) in session.execute(select(Lead.custom).where(Lead.campaign_id == campaign.id)):
        custom_keys.update(dict.fromkeys(custom))
    try:
        fh = out.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror}") from exc
    with fh:
        writer = csv.writer(fh)
        writer.writerow(["list", *EXPORT_COLUMNS, *custom_keys])
        rows = (
            [name, *(_cell(getattr(lead, c)) for c in EXPORT_COLUMNS)]
            + [lead.custom.get(k) for k in custom_keys]
            for lead, name in iter_leads(session, campaign)
        )
        return write_safe_rows(writer, rows)
