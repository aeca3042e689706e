"""Archive export: the records of a period as JSON Lines, self-describing and re-verifiable.

The first line is a header (format, period, retention rule and keep-until date, the chain's
anchor hashes); each further line is one record with every stored column, including ``seq``,
``prev_hash`` and ``hash``, so the archive can be checked against the chain on its own
(:func:`verify_export`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from compliance.audit.auditdata import Retention
from compliance.audit.chain import canonical, canonical_cells, chain_hash
from compliance.audit.models import HEAD_ID, CallLogHead
from compliance.audit.query import JSON_COLUMNS, CallFilter, iter_calls
from compliance.audit.verify import Finding, FindingKind

__all__ = ["EXPORT_FORMAT", "export_calls", "verify_export"]

EXPORT_FORMAT = "open-dialer call log export 1"


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")


def export_calls(
    session: Session,
    out: IO[str],
    *,
    since: datetime,
    until: datetime,
    rule: Retention,
    exported_at: datetime,
) -> int:
    """Write the records started in ``[since, until)``; returns how many."""
    records = iter_calls(session, CallFilter(since=since, until=until))
    head = session.get(CallLogHead, HEAD_ID)
    header = {
        "format": EXPORT_FORMAT,
        "from": since,
        "to": until,
        "exported_at": exported_at,
        "retention": {"years": rule.years, "rule": rule.rule, "source": rule.source},
        "keep_until": rule.keep_until((until - timedelta(microseconds=1)).date()).isoformat(),
        "head": None if head is None else {"seq": head.seq, "hash": head.hash},
    }
    out.write(json.dumps(header, default=_json_default) + "\n")
    count = 0
    for record in records:
        out.write(json.dumps(record, default=_json_default, sort_keys=True) + "\n")
        count += 1
    return count


def _canonical_json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True, sort_keys=True)


def _stored_rows(lines: Iterable[str]) -> Iterator[tuple[int, str, str, str]]:
    for number, line in enumerate(lines, start=2):
        try:
            yield _stored_row(json.loads(line))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"line {number} is not an exported record ({exc!r})") from exc


def _stored_row(record: dict[str, Any]) -> tuple[int, str, str, str]:
    cells = dict(record)
    for name in JSON_COLUMNS:
        cells[name] = _canonical_json(cells[name])
    for name in ("started_at", "ended_at"):
        cells[name] = datetime.fromisoformat(cells[name])
    text = canonical(canonical_cells(record["seq"], record["prev_hash"], cells))
    return record["seq"], record["prev_hash"], record["hash"], text


def verify_export(path: Path) -> list[Finding]:
    """Check every exported record against its hash. (An export holds the calls *started* in a
    period, which need not be consecutive in the chain, so links are not checked here.)"""
    findings: list[Finding] = []
    with path.open(encoding="utf-8") as handle:
        header = json.loads(handle.readline())
        if header.get("format") != EXPORT_FORMAT:
            raise ValueError(f"{path} is not a call log export")
        for seq, _prev, stored, text in _stored_rows(handle):
            if chain_hash(text) != stored:
                call_id = text.split("\x1f")[2]
                findings.append(
                    Finding(FindingKind.EDITED, seq, seq, call_id, "does not match its hash")
                )
    return findings
