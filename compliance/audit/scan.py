"""Verification against the database: the stored rows' canonical text, recomputed in SQL.

The database builds each row's canonical text from its stored columns (the exact rules of
:mod:`compliance.audit.chain`), so Python only hashes and compares; rows stream in ``seq`` order
through a server-side cursor (PostgreSQL) or the SQLite cursor, in batches.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

from sqlalchemy import Engine, func, select

from compliance.audit.chain import CANON_FIELDS, FIELD_SEP, NULL
from compliance.audit.models import HEAD_ID, CallLogHead, CallLogRow
from compliance.audit.verify import (
    ChainVerifier,
    Finding,
    FindingKind,
    StoredRow,
    head_findings,
    merge_findings,
)
from dialer.storage import make_engine

__all__ = [
    "VerifyResult",
    "canonical_sql",
    "predecessors",
    "read_head",
    "stream_rows",
    "verify_log",
    "verify_range",
]

_BATCH = 20_000
_INSTANTS = {"started_at", "ended_at"}
_FLAGS = {"abandoned", "safe_harbor_played"}


@dataclass(frozen=True, slots=True)
class VerifyResult:
    checked: int
    head: tuple[int, str] | None
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return not self.findings


def _pg_cell(name: str) -> str:
    if name in _INSTANTS:
        expr = f"to_char({name} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
    elif name in _FLAGS:
        expr = f"{name}::int::text"
    else:
        expr = f"{name}::text"
    return f"coalesce({expr}, chr(30))"


def _sqlite_text() -> str:
    """The canonical text on SQLite: one ``printf`` (a single allocation per row, cheaper than a
    chain of ``||``), with the separators as literals. SQLite stores the instants as canonical
    text and the flags as 0/1, and ``%s`` of an integer is its decimal text.

    ``printf``'s ``%s`` stops at a NUL character, which would hide text appended after one; a
    row with a NUL in any column (the log never writes one) gets an extra separator, so it fails
    the separator count and is named as edited."""
    fmt = FIELD_SEP.join(["%s"] * len(CANON_FIELDS)) + "%s"
    cells = ", ".join(f"ifnull({name}, '{NULL}')" for name in CANON_FIELDS)
    nul = " OR ".join(f"instr({name}, char(0))" for name in CANON_FIELDS)
    return f"printf('{fmt}', {cells}, CASE WHEN {nul} THEN '{FIELD_SEP}' ELSE '' END)"


def canonical_sql(dialect: str, where: str = "seq >= :lo AND seq < :hi ORDER BY seq") -> str:
    """A query giving ``(seq, prev_hash, hash, canonical text)`` of the rows ``where`` says."""
    if dialect == "postgresql":
        text = " || chr(31) || ".join(_pg_cell(name) for name in CANON_FIELDS)
    else:
        text = _sqlite_text()
    sql = f"SELECT seq, prev_hash, hash, {text} FROM call_log WHERE {where}"
    mark = "%({})s" if dialect == "postgresql" else ":{}"
    return sql.replace(":lo", mark.format("lo")).replace(":hi", mark.format("hi"))


def _execute(raw: Any, dialect: str, sql: str, params: dict[str, int], name: str | None) -> Any:
    if dialect == "postgresql" and name is not None:
        cursor = raw.driver_connection.cursor(name=name)
        cursor.itersize = _BATCH
    else:
        cursor = raw.cursor()
    cursor.execute(sql, params)
    return cursor


def stream_rows(engine: Engine, lo: int = 1, hi: int | None = None) -> Iterator[list[StoredRow]]:
    """Batches of stored rows with ``lo <= seq < hi``, in ``seq`` order."""
    dialect = engine.dialect.name
    params = {"lo": lo, "hi": hi if hi is not None else 2**62}
    raw = engine.raw_connection()
    try:
        cursor = _execute(raw, dialect, canonical_sql(dialect), params, "audit_verify")
        while batch := cursor.fetchmany(_BATCH):
            yield batch
        cursor.close()
    finally:
        raw.close()


def predecessors(engine: Engine, lo: int) -> list[StoredRow]:
    """The two stored rows just before ``seq`` ``lo``, in ``seq`` order."""
    dialect = engine.dialect.name
    sql = canonical_sql(dialect, "seq < :lo ORDER BY seq DESC LIMIT 2")
    raw = engine.raw_connection()
    try:
        rows = _execute(raw, dialect, sql, {"lo": lo}, None).fetchall()
    finally:
        raw.close()
    return [tuple(r) for r in reversed(rows)]


def read_head(engine: Engine) -> tuple[int, str] | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(CallLogHead.seq, CallLogHead.hash).where(CallLogHead.id == HEAD_ID)
        ).first()
    return None if row is None else (int(row.seq), str(row.hash))


def verify_range(
    url: str, lo: int, hi: int | None, anchors: Mapping[int, str]
) -> tuple[int, list[Finding], StoredRow | None]:
    """:func:`check_range` in a worker process, on an engine of its own."""
    engine = make_engine(url)
    try:
        return check_range(engine, lo, hi, anchors)
    finally:
        engine.dispose()


def check_range(
    engine: Engine, lo: int, hi: int | None, anchors: Mapping[int, str]
) -> tuple[int, list[Finding], StoredRow | None]:
    """Verify the rows with ``lo <= seq < hi`` (the two rows before ``lo`` prime the links);
    returns how many were checked, their findings and the last row."""
    primed = predecessors(engine, lo) if lo > 1 else []
    verifier = ChainVerifier(anchors)
    verifier.feed(primed)
    for batch in stream_rows(engine, lo, hi):
        verifier.feed(batch)
    findings = [f for f in verifier.finish(None) if f.last_seq >= lo]
    last = verifier.last if verifier.checked > len(primed) else None
    return verifier.checked - len(primed), findings, last


def _bounds(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        row = conn.execute(
            select(func.min(CallLogRow.seq), func.max(CallLogRow.seq), func.count())
        ).one()
    return int(row[0] or 0), int(row[1] or 0), int(row[2])


def verify_log(
    engine: Engine,
    anchors: Mapping[int, str] | None = None,
    *,
    workers: int | None = None,
    parallel_from: int = 1_000_000,
) -> VerifyResult:
    """Check the whole chain and the head; every finding names the records concerned.

    A log of ``parallel_from`` records or more is checked in ``workers`` processes (default:
    one per CPU), each over a range of ``seq``.
    """
    head = read_head(engine)
    anchors = dict(anchors or {})
    low, high, count = _bounds(engine)
    workers = workers or os.cpu_count() or 1
    url = engine.url.render_as_string(hide_password=False)
    ranges: list[tuple[int, int | None]] = [(1, None)]
    if workers > 1 and count >= parallel_from and engine.url.database not in (None, ":memory:"):
        cuts = [low + (high + 1 - low) * k // workers for k in range(1, workers)]
        ranges = list(zip([1, *cuts], [*cuts, None], strict=True))
    jobs = [
        (url, lo, hi, {s: h for s, h in anchors.items() if s >= lo and (hi is None or s < hi)})
        for lo, hi in ranges
    ]
    if len(jobs) == 1:
        results = [check_range(engine, 1, None, anchors)]
    else:
        with ProcessPoolExecutor(len(jobs), mp_context=get_context("spawn")) as pool:
            results = list(pool.map(verify_range, *zip(*jobs, strict=True)))
    findings = merge_findings(r[1] for r in results)
    last = next((r[2] for r in reversed(results) if r[2] is not None), None)
    if head is None:
        findings.append(Finding(FindingKind.DELETED, 0, 0, None, "the chain's head row is missing"))
    else:
        findings.extend(head_findings(last, head))
    return VerifyResult(sum(r[0] for r in results), head, findings)
