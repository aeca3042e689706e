"""Many-row writes with little per-row overhead: a Core statement compiled once per dialect.

SQLAlchemy's ``conn.execute(stmt, rows)`` builds a parameter dictionary and runs every type's
bind processor for every row, which costs more than SQLite's own work for the engine's small,
frequent batches (call rows, transitions, lead outcomes). :class:`BulkStatement` compiles the
statement once per dialect; on SQLite it turns each row into the driver's positional tuple
itself, with the columns' own bind processors except two exact shortcuts (UTC datetimes to
SQLite's text form, and booleans, which ``sqlite3`` stores as 0 and 1 itself), and runs one
``executemany``. Other back ends take the ordinary ``conn.execute`` path, unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.dml import UpdateBase

from dialer.storage.base import UTCDateTime

__all__ = ["BulkStatement", "sqlite_utc_text"]

Processor = Callable[[Any], Any]
_Slot = tuple[str | None, Any, Processor | None]  # (row key, or None for the constant; processor)


def sqlite_utc_text(value: datetime | None) -> str | None:
    """What :class:`UTCDateTime` stores on SQLite: naive UTC text with microseconds."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTCDateTime column")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    slots: tuple[_Slot, ...]


class BulkStatement:
    """An insert or update run for many rows (dictionaries keyed by bind name) at once."""

    def __init__(self, statement: UpdateBase, keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.keys = None if keys is None else list(keys)  # an insert's columns
        self._compiled: dict[str, _Compiled | None] = {}

    def execute(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        compiled = self._for(conn.dialect)
        if compiled is None:
            conn.execute(self.statement, list(rows))
            return
        slots = compiled.slots
        conn.exec_driver_sql(compiled.sql, [_params(slots, row) for row in rows])

    def _for(self, dialect: Dialect) -> _Compiled | None:
        name = dialect.name
        if name not in self._compiled:
            self._compiled[name] = _compile(self.statement, self.keys, dialect)
        return self._compiled[name]


def _params(slots: tuple[_Slot, ...], row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(
        const if key is None else row[key] if fn is None else fn(row[key])
        for key, const, fn in slots
    )


def _compile(statement: UpdateBase, keys: list[str] | None, dialect: Dialect) -> _Compiled | None:
    if dialect.name != "sqlite":
        return None
    compiled: Any = statement.compile(dialect=dialect, column_keys=keys, for_executemany=True)
    if not compiled.positional or compiled.positiontup is None:
        return None
    if compiled.insert_prefetch or compiled.update_prefetch:  # Python-side defaults: let SQLAlchemy
        return None
    slots: list[_Slot] = []
    for name in compiled.positiontup:
        bind = compiled.binds[name]
        fn = _processor(bind.type, dialect)
        if bind.required:  # a value from each row
            slots.append((name, None, fn))
        else:  # fixed in the statement, e.g. ``status=IN_PROGRESS`` or ``lease_owner=None``
            value = bind.effective_value
            slots.append((None, value if fn is None else fn(value), None))
    return _Compiled(compiled.string, tuple(slots))


def _processor(type_: Any, dialect: Dialect) -> Processor | None:
    if isinstance(type_, UTCDateTime):
        return sqlite_utc_text
    if isinstance(type_, Boolean):
        return None
    fn: Processor | None = type_.dialect_impl(dialect).bind_processor(dialect)
    return fn
