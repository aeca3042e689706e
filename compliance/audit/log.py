"""The :class:`~compliance.api.CallLog` on the database: append-only, hash-chained.

An append locks the chain's head row first (``UPDATE call_log_head``: a row lock on PostgreSQL,
the database write lock on SQLite), reads the last hash, and inserts the record with the next
``seq`` and its hash; two processes appending at once take turns, so the chain never forks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from compliance.api import CallRecord
from compliance.audit.chain import canonical, canonical_cells, chain_hash, record_columns
from compliance.audit.models import HEAD_ID, CallLogHead, CallLogRow

__all__ = ["SqlCallLog", "open_call_log"]


class SqlCallLog:
    """``append`` in its own transaction (given an ``Engine`` or a session factory) or in the
    caller's (a ``Session``, which then holds the chain's lock until it commits)."""

    def __init__(self, db: Engine | Session | sessionmaker[Session]) -> None:
        self._db = db

    def append(self, record: CallRecord) -> None:
        self.append_many([record])

    def append_many(self, records: Sequence[CallRecord]) -> list[int]:
        """Append ``records`` in order, under one lock; returns their ``seq`` numbers."""
        if not records:
            return []
        columns = [record_columns(r) for r in records]
        with self._connection() as conn:
            seq, prev = _lock_head(conn, len(records))
            rows: list[dict[str, object]] = []
            seqs: list[int] = []
            for cols in columns:
                seq += 1
                digest = chain_hash(canonical(canonical_cells(seq, prev, cols)))
                rows.append({**cols, "seq": seq, "prev_hash": prev, "hash": digest})
                seqs.append(seq)
                prev = digest
            conn.execute(insert(CallLogRow), rows)
            conn.execute(
                update(CallLogHead).where(CallLogHead.id == HEAD_ID).values(seq=seq, hash=prev)
            )
        return seqs

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        if isinstance(self._db, Session):
            yield self._db.connection()
        elif isinstance(self._db, sessionmaker):
            with self._db.begin() as session:
                yield session.connection()
        else:
            with self._db.begin() as conn:
                yield conn


def open_call_log(*, sessions: sessionmaker[Session]) -> SqlCallLog:
    """The engine's factory: each append in a transaction of its own."""
    return SqlCallLog(sessions)


def _lock_head(conn: Connection, count: int) -> tuple[int, str]:
    """Lock the head row (write first, so SQLite takes its write lock now); returns the last
    ``(seq, hash)`` before this append."""
    conn.execute(
        update(CallLogHead).where(CallLogHead.id == HEAD_ID).values(seq=CallLogHead.seq + count)
    )
    row = conn.execute(
        select(CallLogHead.seq, CallLogHead.hash).where(CallLogHead.id == HEAD_ID)
    ).one()
    return int(row.seq) - count, str(row.hash)
