"""Importing registry files: full lists replace a registry, change lists update it.

A *full* import parses every given file, a few megabytes at a time, into a bitmap of the whole
10-digit space (1.25 GB of address space in small pages, of which only the 1.25 MB of each area
code present are ever touched, so a 250-million-number import stays near 400 MB), then writes
the area codes that hold numbers to a new registry file that atomically replaces the old one.
The imported area codes (those with numbers, plus those named by a file such as ``212.txt``) are
recorded as the registry's *coverage*: a national lookup of a number outside it reports that the
area code was not imported, so callers can fail closed.

A *change list* import loads the current registry, applies each file in the order given (a block
of lines applies its deletions, then its additions, so a number added and deleted in the same
block stays listed) and writes the result the same way. Its date becomes the registry's date and
may not be older than the current one. Coverage is unchanged.
"""

from __future__ import annotations

import mmap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

from compliance.dnc.bitfile import BYTES_PER_NPA, RegistryMeta, write_registry
from compliance.dnc.numbers import NPA_SPAN
from compliance.dnc.parse import BadLine, ParsedChunk, iter_chunks, parse_chunk
from compliance.dnc.registry import Registry, registry_path
from compliance.dnc.sources import Source, date_from_names, iter_sources
from dialer.errors import ComplianceDataError, InputError

__all__ = ["ImportReport", "import_registry"]

MAX_REPORTED = 1000  # malformed lines kept in the report (all are counted)
_HISTORY = 100


@dataclass
class ImportReport:
    list_name: str
    data_date: date
    date_source: str
    change_list: bool
    path: Path | None = None
    files: int = 0
    lines: int = 0
    additions: int = 0  # valid numbers read as additions (duplicates counted)
    deletions: int = 0
    unflagged: int = 0
    malformed: int = 0
    bad_lines: list[BadLine] = field(default_factory=list)
    numbers: int = 0  # distinct numbers on the list after the import
    area_codes: int = 0

    def add(self, chunk: ParsedChunk) -> None:
        self.lines += chunk.lines
        self.additions += len(chunk.adds)
        self.deletions += len(chunk.deletes)
        self.unflagged += chunk.unflagged
        self.malformed += len(chunk.bad)
        self.bad_lines.extend(chunk.bad[: max(0, MAX_REPORTED - len(self.bad_lines))])


class _Space:
    """A bitmap over every 10-digit number; untouched area codes cost no memory."""

    def __init__(self) -> None:
        self.bits = _untouched(1000 * BYTES_PER_NPA)
        self.touched = np.zeros(1000, dtype=bool)

    def load(self, registry: Registry) -> None:
        bits = registry.bitmaps()
        for row, npa in enumerate(registry.meta.area_codes):
            self.bits[npa * BYTES_PER_NPA : (npa + 1) * BYTES_PER_NPA] = bits[row]
            self.touched[npa] = True

    def update(self, numbers: npt.NDArray[np.int64], *, on: bool) -> None:
        if not len(numbers):
            return
        self.touched[np.unique(numbers // NPA_SPAN)] = True
        byte, bit = numbers >> 3, (numbers & 7).astype(np.uint8)
        for k in range(8):  # duplicates within one pass write the same value: no lost updates
            where = byte[bit == k]
            if on:
                self.bits[where] |= np.uint8(1 << k)
            else:
                self.bits[where] &= np.uint8(0xFF ^ (1 << k))

    def rows(self) -> tuple[list[int], list[npt.NDArray[np.uint8]], int]:
        codes, rows, total = [], [], 0
        for npa in np.flatnonzero(self.touched).tolist():
            row = self.bits[npa * BYTES_PER_NPA : (npa + 1) * BYTES_PER_NPA]
            count = int(np.bitwise_count(row).sum())
            if count:
                codes.append(npa)
                rows.append(row)
                total += count
        return codes, rows, total


def _untouched(size: int) -> npt.NDArray[np.uint8]:
    """Zeroed anonymous memory whose pages become resident only when written.

    Huge pages are refused: with them, each area code touched would pull in the 2 MB pages
    around its 1.25 MB, nearly doubling the resident set (numpy asks for huge pages on large
    arrays, hence an ``mmap`` rather than ``np.zeros``).
    """
    area = mmap.mmap(-1, size)
    if hasattr(mmap, "MADV_NOHUGEPAGE"):
        area.madvise(mmap.MADV_NOHUGEPAGE)
    return np.frombuffer(area, dtype=np.uint8)


def import_registry(
    data_dir: Path,
    list_name: str,
    paths: Sequence[Path],
    *,
    now: datetime,
    data_date: date | None = None,
    change_list: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import FTC-style files into the registry ``list_name`` ("national" or "state:FL")."""
    sources = list(iter_sources(paths))
    if not sources:
        raise InputError("no input files")
    found_date, how = (data_date, "--date") if data_date else date_from_names(sources)
    if found_date > now.date() + timedelta(days=1):
        raise InputError(f"the list date {found_date} is in the future")
    report = ImportReport(list_name, found_date, how, change_list)
    target = registry_path(data_dir, list_name)
    space = _Space()
    previous = _load_previous(target, space, report) if change_list else None
    for source in sources:
        _read_source(source, space, report, change_list)
        if progress:
            progress(f"{source.label}: {report.lines} lines read so far")
    if not change_list and report.additions == 0:
        raise InputError(f"no valid number in the input files; the {list_name} list is unchanged")
    _write(target, space, report, sources, previous, now)
    return report


def _load_previous(target: Path, space: _Space, report: ImportReport) -> RegistryMeta:
    if not target.exists():
        raise ComplianceDataError(
            f"no {report.list_name} registry to update: import a full list first"
        )
    registry = Registry.open(target)
    if report.data_date < registry.data_date:
        raise InputError(
            f"the change list date {report.data_date} is older than the registry's "
            f"({registry.data_date}); pass --date if the file names mislead"
        )
    space.load(registry)
    return registry.meta


def _read_source(source: Source, space: _Space, report: ImportReport, change_list: bool) -> None:
    report.files += 1
    default = source.default_action()
    line = 0
    with source.open() as stream:
        for block in iter_chunks(stream):
            chunk = parse_chunk(block, source.label, line, change_list=change_list, default=default)
            line += chunk.lines
            space.update(chunk.deletes, on=False)
            space.update(chunk.adds, on=True)
            report.add(chunk)


def _write(
    target: Path,
    space: _Space,
    report: ImportReport,
    sources: list[Source],
    previous: RegistryMeta | None,
    now: datetime,
) -> None:
    codes, rows, total = space.rows()
    if previous is None:
        named = {s.area_code for s in sources} - {None}
        covered = sorted(set(codes) | {c for c in named if c is not None})
    else:
        covered = list(previous.covered_area_codes)
    entry = {
        "imported_at": now.isoformat(),
        "data_date": report.data_date.isoformat(),
        "change_list": report.change_list,
        "files": [s.label for s in sources][:50],
        "additions": report.additions,
        "deletions": report.deletions,
        "malformed": report.malformed,
    }
    history = ((*previous.history, entry) if previous else (entry,))[-_HISTORY:]
    meta = RegistryMeta(
        list_name=report.list_name,
        data_date=report.data_date.isoformat(),
        imported_at=now.isoformat(),
        area_codes=tuple(codes),
        covered_area_codes=tuple(covered),
        numbers=total,
        sources=tuple(s.label for s in sources[:50]),
        history=history,
    )
    write_registry(target, meta, rows)
    report.path, report.numbers, report.area_codes = target, total, len(codes)
