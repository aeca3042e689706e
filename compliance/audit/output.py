"""Rendering of listings for the CLI: a rich table, formula-safe CSV, or JSON Lines."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import IO, Any

from rich.console import Console
from rich.table import Table

from dialer.csv_safe import write_safe_rows

__all__ = ["Format", "json_default", "write_rows"]


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def write_rows(
    out: IO[str],
    fmt: Format,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    *,
    title: str | None = None,
) -> int:
    """Write ``rows`` (only ``columns`` for table and CSV; every key for JSON); returns how many."""
    if fmt is Format.JSON:
        count = 0
        for row in rows:
            out.write(json.dumps(row, default=json_default) + "\n")
            count += 1
        return count
    if fmt is Format.CSV:
        writer = csv.writer(out)
        writer.writerow(columns)
        return write_safe_rows(writer, ([_cell(r.get(c)) for c in columns] for r in rows))
    table = Table(*columns, title=title)
    count = 0
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
        count += 1
    Console(file=out, width=max(120, 14 * len(columns))).print(table)
    return count
