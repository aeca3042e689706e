"""Verification against the database: the stored rows' canonical text, recomputed in SQL.

The database builds each row's canonical text from its stored columns (the exact rules of
:mod:`compliance.audit.chain`), so Python only hashes and compares; rows stream in ``seq`` order
through a server-side cursor (PostgreSQL) or the SQLite cursor, in batches.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import Engine, select

from compliance.audit.chain import CANON_FIELDS
from compliance.audit.models import HEAD_ID, CallLogHead
from compliance.audit.verify import ChainVerifier, Finding, FindingKind, StoredRow

__all__ = ["VerifyResult", "canonical_sql", "read_head", "stream_rows", "verify_log"]

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


def _cell(dialect: str, name: str) -> str:
    if dialect == "postgresql":
        if name in _INSTANTS:
            expr = f"to_char({name} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
        elif name in _FLAGS:
            expr = f"{name}::int::text"
        else:
            expr = f"{name}::text"
        return f"coalesce({expr}, chr(30))"
    return f"coalesce(CAST({name} AS TEXT), char(30))"


def canonical_sql(dialect: str) -> str:
    """A query giving ``(seq, prev_hash, hash, canonical text)`` for ``seq`` in a range."""
    sep = " || chr(31) || " if dialect == "postgresql" else " || char(31) || "
    text = sep.join(_cell(dialect, name) for name in CANON_FIELDS)
    return (
        f"SELECT seq, prev_hash, hash, {text} FROM call_log "
        "WHERE seq >= :lo AND seq < :hi ORDER BY seq"
    )


def stream_rows(engine: Engine, lo: int = 1, hi: int | None = None) -> Iterator[list[StoredRow]]:
    """Batches of stored rows with ``lo <= seq < hi``, in ``seq`` order."""
    dialect = engine.dialect.name
    query = canonical_sql(dialect).replace(":lo", "%(lo)s" if dialect == "postgresql" else "?")
    query = query.replace(":hi", "%(hi)s" if dialect == "postgresql" else "?")
    upper = hi if hi is not None else 2**62
    raw = engine.raw_connection()
    try:
        if dialect == "postgresql":
            cursor = raw.driver_connection.cursor(name="audit_verify")  # type: ignore[union-attr]
            cursor.itersize = _BATCH
            cursor.execute(query, {"lo": lo, "hi": upper})
        else:
            cursor = raw.cursor()
            cursor.execute(query, (lo, upper))
        while batch := cursor.fetchmany(_BATCH):
            yield batch
        cursor.close()
    finally:
        raw.close()


def read_head(engine: Engine) -> tuple[int, str] | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(CallLogHead.seq, CallLogHead.hash).where(CallLogHead.id == HEAD_ID)
        ).first()
    return None if row is None else (int(row.seq), str(row.hash))


def verify_log(engine: Engine, anchors: Mapping[int, str] | None = None) -> VerifyResult:
    """Check the whole chain and the head; every finding names the records concerned."""
    head = read_head(engine)
    verifier = ChainVerifier(anchors)
    for batch in stream_rows(engine):
        verifier.feed(batch)
    findings = verifier.finish(head)
    if head is None:
        findings.append(Finding(FindingKind.DELETED, 0, 0, None, "the chain's head row is missing"))
    return VerifyResult(verifier.checked, head, findings)
