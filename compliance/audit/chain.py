"""The canonical serialization of a call record and the chain hash over it (format 1).

A record's canonical text is its fields in :data:`CANON_FIELDS` order, joined by the unit
separator ``\\x1f``; a NULL is the record separator ``\\x1e``; integers in decimal; booleans
``0``/``1``; instants in UTC as ``YYYY-MM-DD HH:MM:SS.ffffff``; list-valued fields as compact JSON
(ASCII). Its ``hash`` is the hex SHA-256 of that text (UTF-8). The text starts with the record's
``seq`` and the previous record's hash, so each hash covers the whole history before it.

Text fields may not contain either separator (nor a NUL character), so the text parses back
into exactly one record; verification rejects a stored record whose text has the wrong number
of separators.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from compliance.api import CallRecord

__all__ = [
    "CANON_FIELDS",
    "FIELD_SEP",
    "GENESIS",
    "NULL",
    "canonical",
    "canonical_cells",
    "chain_hash",
    "local_times",
    "record_columns",
    "ts_text",
]

FIELD_SEP = "\x1f"
NULL = "\x1e"
GENESIS = "0" * 64  # the "previous hash" of the first record

CANON_FIELDS: tuple[str, ...] = (
    "seq",
    "prev_hash",
    "call_id",
    "campaign_id",
    "lead_id",
    "phone",
    "purpose",
    "decision_id",
    "carrier",
    "carrier_call_id",
    "started_at",
    "ended_at",
    "outcome",
    "answered_by",
    "agent_id",
    "disposition",
    "abandoned",
    "safe_harbor_played",
    "states",
    "timezones",
    "local_times",
    "recording_ref",
)
_TEXT_FIELDS = (
    "call_id",
    "phone",
    "purpose",
    "carrier",
    "carrier_call_id",
    "outcome",
    "answered_by",
    "agent_id",
    "disposition",
    "recording_ref",
)


def ts_text(at: datetime) -> str:
    """An instant as the canonical text (UTC, microseconds); naive instants are refused."""
    if at.tzinfo is None:
        raise ValueError("naive datetime in a call record")
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True, sort_keys=True)


def local_times(started: datetime, zones: Sequence[str]) -> dict[str, str | None]:
    """The local time of ``started`` in each zone the decision used (None: unknown zone)."""
    out: dict[str, str | None] = {}
    for zone in zones:
        try:
            out[zone] = started.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")
        except (ZoneInfoNotFoundError, ValueError):
            out[zone] = None
    return out


def record_columns(record: CallRecord) -> dict[str, object]:
    """The stored columns of ``record`` (all but ``seq``, ``prev_hash`` and ``hash``)."""
    if not record.states:
        raise ValueError(f"call {record.call_id}: a call record needs at least one state")
    for name in _TEXT_FIELDS:
        value = getattr(record, name)
        if isinstance(value, str) and (FIELD_SEP in value or NULL in value or "\x00" in value):
            raise ValueError(f"call {record.call_id}: {name} contains a control character")
    started, ended = record.states[0][1], record.states[-1][1]
    return {
        "call_id": record.call_id,
        "campaign_id": record.campaign_id,
        "lead_id": record.lead_id,
        "phone": record.phone,
        "purpose": record.purpose,
        "decision_id": record.decision_id,
        "carrier": record.carrier,
        "carrier_call_id": record.carrier_call_id,
        "started_at": started.astimezone(UTC),
        "ended_at": ended.astimezone(UTC),
        "outcome": record.outcome,
        "answered_by": record.answered_by,
        "agent_id": record.agent_id,
        "disposition": record.disposition,
        "abandoned": record.abandoned,
        "safe_harbor_played": record.safe_harbor_played,
        "states": _json([[name, ts_text(at)] for name, at in record.states]),
        "timezones": _json(list(record.timezones)),
        "local_times": _json(local_times(started, record.timezones)),
        "recording_ref": record.recording_ref,
    }


def canonical_cells(seq: int, prev_hash: str, columns: Mapping[str, object]) -> list[object]:
    """The cells of the canonical text, in order (instants as text, booleans as 0/1)."""
    cells: list[object] = [seq, prev_hash]
    for name in CANON_FIELDS[2:]:
        value = columns[name]
        if isinstance(value, datetime):
            value = ts_text(value)
        elif isinstance(value, bool):
            value = int(value)
        cells.append(value)
    return cells


def canonical(cells: Sequence[object]) -> str:
    return FIELD_SEP.join(NULL if v is None else str(v) for v in cells)


def chain_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
