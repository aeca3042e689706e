"""Reading a file of phone numbers into a company or campaign list, and exporting lists as CSV.

Input: one number per line, or a CSV whose first column is the number (any common format; numbers
without a country code are read as US numbers). A first line without digits is a header. Other
unreadable lines are reported with their line numbers; the good lines are kept.

Output cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return) are prefixed with an apostrophe, the usual formula-injection defence, so an
E.164 number is exported as ``'+14155550100``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

from compliance.dnc.models import DncEntry
from compliance.dnc.numbers import normalize_phone
from compliance.dnc.parse import BadLine
from dialer.csv_safe import safe_cell
from dialer.errors import DialerError, InputError

__all__ = ["EXPORT_COLUMNS", "read_phone_file", "safe_cell", "write_entries_csv"]

EXPORT_COLUMNS = (
    "phone",
    "list",
    "campaign",
    "added_at",
    "added_by",
    "reason",
    "source",
    "removed_at",
    "removed_by",
    "removal_reason",
)


def read_phone_file(path: Path, country: str = "US") -> tuple[list[str], list[BadLine]]:
    """The E.164 numbers of ``path`` and its malformed lines."""
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    phones: list[str] = []
    bad: list[BadLine] = []
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        cell = row[0].strip() if row else ""
        if not cell or (number == 1 and not any(ch.isdigit() for ch in cell)):
            continue
        try:
            phones.append(normalize_phone(cell, country))
        except DialerError as exc:
            bad.append(BadLine(str(path), number, ",".join(row)[:80], str(exc)))
    return phones, bad


def write_entries_csv(
    entries: Iterable[DncEntry], out: Path, campaign_names: Mapping[int, str]
) -> int:
    """Write ``entries`` to ``out``; returns the number of rows."""
    count = 0
    try:
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(EXPORT_COLUMNS)
            for e in entries:
                campaign = "" if e.campaign_id is None else campaign_names.get(e.campaign_id, "")
                row = (
                    e.phone,
                    e.list_name,
                    campaign,
                    e.added_at.isoformat(),
                    e.added_by,
                    e.reason,
                    e.source,
                    e.removed_at.isoformat() if e.removed_at else "",
                    e.removed_by,
                    e.removal_reason,
                )
                writer.writerow([safe_cell(v) for v in row])
                count += 1
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc}") from exc
    return count
