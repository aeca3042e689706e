"""The stored rows as the verifier reads them: each row's canonical text, rebuilt in SQL.

The database builds each row's canonical text from its stored columns (the exact rules of
:mod:`compliance.audit.chain`), so Python only hashes and compares; rows stream in ``seq`` order
through a server-side cursor (PostgreSQL) or the SQLite cursor, in batches.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, String, select

from compliance.audit.chain import CANON_FIELDS, FIELD_SEP, NULL
from compliance.audit.models import HEAD_ID, CallLogHead, CallLogRow
from compliance.audit.verify import StoredRow

__all__ = [
    "canonical_sql",
    "pg_canonical_text",
    "predecessors",
    "read_head",
    "stream_rows",
]

_BATCH = 20_000
_INSTANTS = {"started_at", "ended_at"}
_FLAGS = {"abandoned", "safe_harbor_played"}


def _pg_cell(name: str) -> str:
    if name in _INSTANTS:
        expr = f"to_char({name} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
    elif name in _FLAGS:
        expr = f"{name}::int::text"
    else:
        expr = f"{name}::text"
    return f"coalesce({expr}, chr(30))"


# Text columns the log may leave NULL. A NULL is written as the record separator, so one of
# them changed from NULL to exactly that character would keep the text, and the hash, unchanged
# (any other value changes the text); such a row (the log never writes the character) gets an
# extra separator, so it fails the separator count and is named as edited.
_NULLABLE_TEXT = tuple(
    c.name for c in CallLogRow.__table__.columns if c.nullable and isinstance(c.type, String)
)


def pg_canonical_text() -> str:
    """The SQL expression of a row's canonical text on PostgreSQL."""
    marked = f"chr(30) IN ({', '.join(_NULLABLE_TEXT)})"  # an equality test per column
    cells = [_pg_cell(name) for name in CANON_FIELDS]
    # Joined to the last cell, not to the whole text (which it would copy once more).
    cells[-1] = f"({cells[-1]} || CASE WHEN {marked} THEN chr(31) ELSE '' END)"
    return " || chr(31) || ".join(cells)


def _sqlite_text() -> str:
    """The canonical text on SQLite: one ``printf`` (a single allocation per row, cheaper than a
    chain of ``||``), with the separators as literals. SQLite stores the instants as canonical
    text and the flags as 0/1, and ``%s`` of an integer is its decimal text.

    ``printf``'s ``%s`` stops at a NUL character, which would hide text appended after one; a
    row with a NUL in any column (the log never writes one) gets an extra separator, so it fails
    the separator count and is named as edited; so does a row with the NULL mark in a column
    the log may leave NULL."""
    fmt = FIELD_SEP.join(["%s"] * len(CANON_FIELDS)) + "%s"
    cells = ", ".join(f"ifnull({name}, '{NULL}')" for name in CANON_FIELDS)
    nul = " OR ".join(
        [f"instr({name}, char(0))" for name in CANON_FIELDS]
        + [f"{name} = char(30)" for name in _NULLABLE_TEXT]
    )
    return f"printf('{fmt}', {cells}, CASE WHEN {nul} THEN '{FIELD_SEP}' ELSE '' END)"


def canonical_sql(dialect: str, where: str = "seq >= :lo AND seq < :hi ORDER BY seq") -> str:
    """A query giving ``(seq, prev_hash, hash, canonical text)`` of the rows ``where`` says."""
    text = pg_canonical_text() if dialect == "postgresql" else _sqlite_text()
    sql = f"SELECT seq, prev_hash, hash, {text} FROM call_log WHERE {where}"
    return bind_marks(dialect, sql)


def bind_marks(dialect: str, sql: str) -> str:
    """``sql`` with its ``:lo`` and ``:hi`` parameters in the driver's style."""
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


def predecessors(engine: Engine, lo: int, count: int = 2) -> list[StoredRow]:
    """The last ``count`` stored rows before ``seq`` ``lo``, in ``seq`` order."""
    dialect = engine.dialect.name
    sql = canonical_sql(dialect, f"seq < :lo ORDER BY seq DESC LIMIT {int(count)}")
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
