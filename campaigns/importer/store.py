"""Bulk writes of an import: leads through the driver's executemany, the import run's counts.

Rows are passed to the DB-API ``executemany`` as tuples already in the driver's form (JSON as
text, dates as ISO text), so no per-row SQLAlchemy processing happens; the statement itself is
compiled by SQLAlchemy for the dialect, with ``ON CONFLICT (campaign_id, phone) DO NOTHING`` so a
lead inserted meanwhile by another import is never duplicated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Table, func, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite

from campaigns.models import ImportRun, Lead

__all__ = ["LEAD_COLUMNS", "LeadWriter", "existing_keys"]

LEAD_COLUMNS = (
    "phone", "first_name", "last_name", "email", "address", "city", "state", "zip",
    "timezones", "states", "line_type", "consent_type", "consent_date", "consent_source",
    "ebr_purchase_date", "ebr_inquiry_date", "written_permission", "debt_id", "custom",
    "status", "status_reason",
)  # fmt: skip


def existing_keys(conn: Connection, campaign_id: int) -> npt.NDArray[np.int64]:
    """E.164 digits (as integers) of the campaign's leads."""
    phones = conn.scalars(select(Lead.phone).where(Lead.campaign_id == campaign_id))
    return np.array([int(p[1:]) for p in phones if p[1:].isdigit()], dtype=np.int64)


class LeadWriter:
    """Inserts prepared lead columns for one import run on one connection.

    The run's constant columns are written into the statement, and columns that are empty for a
    whole chunk are left out of it: fewer parameters to bind per row.
    """

    def __init__(self, conn: Connection, run: ImportRun, now: datetime) -> None:
        self._conn = conn
        table = Lead.__table__
        assert isinstance(table, Table)
        self._table = table
        dialect = conn.dialect
        created = table.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
        self._created_at = created(now) if created else now
        self._literals: dict[str, Any] = {
            "campaign_id": literal_column(str(int(run.campaign_id))),
            "list_id": literal_column(str(int(run.list_id))),
            "import_run_id": literal_column(str(int(run.id))),
            "attempts": literal_column("0"),
        }
        self._statements: dict[tuple[str, ...], tuple[str, list[str]]] = {}
        if dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA cache_size=-131072")  # 128 MiB for the unique index
            conn.commit()

    def _statement(self, keys: tuple[str, ...]) -> tuple[str, list[str]]:
        """SQL text and parameter order for the given column keys (compiled once)."""
        if keys not in self._statements:
            dialect = self._conn.dialect
            insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
            stmt = (
                insert(self._table)
                .values(self._literals)
                .on_conflict_do_nothing(index_elements=["campaign_id", "phone"])
            )
            compiled = stmt.compile(dialect=dialect, column_keys=list(keys))
            order = list(compiled.positiontup or []) if compiled.positional else list(keys)
            if set(order) != set(keys):
                raise AssertionError(f"unexpected insert parameters {order}")
            self._statements[keys] = (str(compiled), order)
        return self._statements[keys]

    def insert(self, columns: Mapping[str, Sequence[Any] | npt.NDArray[Any]], size: int) -> int:
        """Insert ``size`` leads; returns how many were new (the others existed meanwhile).

        A column left out of ``columns`` is empty (``None``) for every lead."""
        if size == 0:
            return 0
        given = tuple(
            n for n in LEAD_COLUMNS if n in columns and any(v is not None for v in columns[n])
        )
        sql, order = self._statement(("created_at", *given))
        values = [
            repeat(self._created_at, size) if n == "created_at" else columns[n] for n in order
        ]
        params: list[Any] = list(zip(*values, strict=False))
        if not self._conn.dialect.positional:
            params = [dict(zip(order, row, strict=True)) for row in params]
        cursor = self._conn.connection.cursor()  # the DB-API cursor, in this transaction
        try:
            cursor.executemany(sql, params)
            return int(cursor.rowcount)
        finally:
            cursor.close()


def record_progress(conn: Connection, run_id: int, counts: dict[str, Any]) -> None:
    """Store the run's counts so far (in the same transaction as the chunk's leads)."""
    conn.execute(update(ImportRun).where(ImportRun.id == run_id).values(**counts))


def count_imported(conn: Connection, run_id: int) -> int:
    return int(conn.scalar(select(func.count()).where(Lead.import_run_id == run_id)) or 0)
