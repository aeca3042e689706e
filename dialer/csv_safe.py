"""CSV cells that no spreadsheet evaluates as a formula (the usual formula-injection defence).

A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is prefixed with an
apostrophe, so an E.164 number is exported as ``'+14155550100``. Every CSV export uses this.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["safe_cell", "write_safe_rows"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """``value`` as a CSV cell that no spreadsheet evaluates as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_safe_rows(writer: Any, rows: Iterable[Iterable[object]]) -> int:
    """Write ``rows`` through a ``csv.writer``, every cell made safe; returns the row count."""
    count = 0
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        count += 1
    return count
