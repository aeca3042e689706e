"""Verification against the database: the whole chain and its head.

On SQLite every row's canonical text is rebuilt in SQL and hashed in Python
(:mod:`compliance.audit.rows`), in worker processes over ranges of ``seq`` for a large log; on
PostgreSQL the server screens every row itself and Python checks only around the rows it
reports (:mod:`compliance.audit.screen`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

from sqlalchemy import Engine, func, select

from compliance.audit.models import CallLogRow
from compliance.audit.rows import canonical_sql, predecessors, read_head, stream_rows
from compliance.audit.screen import all_suspects, screened_findings
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


@dataclass(frozen=True, slots=True)
class VerifyResult:
    checked: int
    head: tuple[int, str] | None
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return not self.findings


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
    in_server: bool = True,
) -> VerifyResult:
    """Check the whole chain and the head; every finding names the records concerned.

    A log of ``parallel_from`` records or more is checked over ``workers`` ranges of ``seq``
    (default: one per CPU) at once: in worker processes, or on PostgreSQL (unless ``in_server``
    is false) in server processes that report only the rows to look at.
    """
    head = read_head(engine)
    anchors = dict(anchors or {})
    low, high, count = _bounds(engine)
    workers = workers or os.cpu_count() or 1
    ranges: list[tuple[int, int | None]] = [(1, None)]
    if workers > 1 and count >= parallel_from:
        cuts = [low + (high + 1 - low) * k // workers for k in range(1, workers)]
        ranges = list(zip([1, *cuts], [*cuts, None], strict=True))
    if in_server and engine.dialect.name == "postgresql":
        tail = predecessors(engine, high + 1, 1)
        last = tail[-1] if tail else None
        findings = screened_findings(engine, all_suspects(engine, ranges), anchors, last)
    else:
        findings, last = _check_ranges(engine, anchors, ranges)
    if head is None:
        findings.append(Finding(FindingKind.DELETED, 0, 0, None, "the chain's head row is missing"))
    else:
        findings.extend(head_findings(last, head))
    return VerifyResult(count, head, findings)


def _check_ranges(
    engine: Engine, anchors: Mapping[int, str], ranges: list[tuple[int, int | None]]
) -> tuple[list[Finding], StoredRow | None]:
    """Every row hashed in Python: the ranges in worker processes (one range: in this one)."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.url.database in (None, ":memory:"):
        ranges = [(1, None)]
    jobs = [
        (url, lo, hi, {s: h for s, h in anchors.items() if s >= lo and (hi is None or s < hi)})
        for lo, hi in ranges
    ]
    if len(jobs) == 1:
        results = [check_range(engine, 1, None, anchors)]
    else:
        with ProcessPoolExecutor(len(jobs), mp_context=get_context("spawn")) as pool:
            results = list(pool.map(verify_range, *zip(*jobs, strict=True)))
    last = next((r[2] for r in reversed(results) if r[2] is not None), None)
    return merge_findings(r[1] for r in results), last
