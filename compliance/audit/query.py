"""Queries over the call log: filtered listings (``dialer audit calls``) and campaign lookup."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from campaigns.models import Campaign
from compliance.audit.models import CallLogRow
from dialer.errors import NotFoundError

__all__ = ["CALL_COLUMNS", "CallFilter", "count_calls", "iter_calls", "resolve_campaign"]

# The columns of a listing, in output order (JSON-encoded fields are decoded for JSON output).
CALL_COLUMNS: tuple[str, ...] = (
    "seq",
    "call_id",
    "campaign_id",
    "lead_id",
    "phone",
    "purpose",
    "started_at",
    "ended_at",
    "outcome",
    "answered_by",
    "agent_id",
    "disposition",
    "abandoned",
    "safe_harbor_played",
    "decision_id",
    "carrier",
    "carrier_call_id",
    "timezones",
    "local_times",
    "states",
    "recording_ref",
    "prev_hash",
    "hash",
)
JSON_COLUMNS = frozenset({"timezones", "local_times", "states"})


@dataclass(frozen=True, slots=True)
class CallFilter:
    """Every given criterion must hold; ``since`` inclusive, ``until`` exclusive (call start)."""

    campaign_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    phone: str | None = None
    agent_id: str | None = None
    outcome: str | None = None
    call_id: str | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        row = CallLogRow
        if self.campaign_id is not None:
            query = query.where(row.campaign_id == self.campaign_id)
        if self.since is not None:
            query = query.where(row.started_at >= self.since)
        if self.until is not None:
            query = query.where(row.started_at < self.until)
        if self.phone is not None:
            query = query.where(row.phone == self.phone)
        if self.agent_id is not None:
            query = query.where(row.agent_id == self.agent_id)
        if self.outcome is not None:
            query = query.where(row.outcome == self.outcome)
        if self.call_id is not None:
            query = query.where(row.call_id == self.call_id)
        return query


def iter_calls(
    session: Session,
    where: CallFilter,
    *,
    limit: int | None = None,
    batch: int = 5_000,
    decode_json: bool = True,
) -> Iterator[dict[str, Any]]:
    """Matching records, oldest first, as plain dicts; the JSON fields decoded, or else as
    stored (their compact JSON text, which is what a CSV or table cell shows)."""
    columns = [getattr(CallLogRow, name) for name in CALL_COLUMNS]
    query = where.apply(select(*columns)).order_by(CallLogRow.started_at, CallLogRow.seq)
    if limit is not None:
        query = query.limit(limit)
    result = session.execute(query.execution_options(yield_per=batch))
    for row in result:
        record = dict(zip(CALL_COLUMNS, row, strict=True))
        if decode_json:
            for name in JSON_COLUMNS:
                record[name] = json.loads(record[name])
        yield record


def count_calls(session: Session, where: CallFilter) -> int:
    return int(session.scalar(where.apply(select(func.count()).select_from(CallLogRow))) or 0)


def resolve_campaign(session: Session, name_or_id: str) -> int:
    """A campaign's id from its name, or a numeric id (the log outlives deleted campaigns)."""
    found = session.scalar(select(Campaign.id).where(Campaign.name == name_or_id))
    if found is not None:
        return int(found)
    if name_or_id.isdigit():
        return int(name_or_id)
    raise NotFoundError(f"no campaign named {name_or_id!r}")


def campaign_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    rows = session.execute(select(Campaign.id, Campaign.name).where(Campaign.id.in_(ids)))
    return {int(i): str(n) for i, n in rows}
