"""Everything an import does to a chunk before the database: parse, check, deduplicate, sort.

:func:`prepare_file` reads the file and yields one :class:`Prepared` per chunk: the lead
columns to insert (in phone order, for index locality) and the rejects rows, counted by reason.
It needs no database: the campaign's existing numbers are passed in, so it can run in a child
process (:mod:`campaigns.importer.apart`) while the parent only writes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from campaigns.importer.chunk import Chunk, ChunkRules, prepare
from campaigns.importer.packed import TextColumn, pack, unpack
from campaigns.importer.reader import RawChunk, read_chunks
from campaigns.importer.source import CsvSource
from campaigns.importer.store import LEAD_COLUMNS

__all__ = [
    "DUPLICATE_IN_FILE",
    "IN_CAMPAIGN",
    "TOO_MANY_FIELDS",
    "Prepared",
    "prepare_chunks",
    "prepare_file",
]

DUPLICATE_IN_FILE = "duplicate in the file"
IN_CAMPAIGN = "already in the campaign"
TOO_MANY_FIELDS = "far more fields than the header (row unreadable)"


@dataclass
class Prepared:
    """One chunk, ready to store."""

    packed: dict[str, TextColumn | npt.NDArray[Any]]  # leads to insert; empty columns left out
    size: int  # leads to insert
    rejects: list[list[object]]  # rejects-file rows: row number, reason, cells
    position: int  # bytes of the file consumed so far
    rows: int  # rows of the file in the chunk
    blank: int = 0
    not_dialable: int = 0  # of the leads to insert
    duplicates: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)

    def columns(self) -> dict[str, list[Any]]:
        """The columns of the leads to insert (those left out are empty)."""
        return {name: unpack(values) for name, values in self.packed.items()}


def prepare_file(
    source: CsvSource, rules: ChunkRules, existing: npt.NDArray[np.int64], chunk_rows: int
) -> Iterator[Prepared]:
    """Read ``source`` and prepare its chunks; ``existing``: the campaign's numbers (keys)."""
    with source.path.open("rb") as fh:
        yield from prepare_chunks(read_chunks(source, fh, chunk_rows), rules, existing)


def prepare_chunks(
    chunks: Iterator[RawChunk], rules: ChunkRules, existing: npt.NDArray[np.int64]
) -> Iterator[Prepared]:
    seen = dict.fromkeys(existing.tolist(), 0)  # key -> first row in the file, 0: the campaign
    for raw in chunks:
        chunk = prepare(raw.cells, raw.rows, rules)
        _dedup(chunk, seen)
        yield _split(chunk, raw)


def _dedup(chunk: Chunk, seen: dict[int, int]) -> None:
    """Mark rows whose number is in the campaign already or earlier in the file."""
    good = np.flatnonzero((chunk.reason == None) & ~chunk.blank)  # noqa: E711
    keys, rows = chunk.keys[good].tolist(), chunk.rows[good].tolist()
    for i, key, row in zip(good.tolist(), keys, rows, strict=True):
        first = seen.setdefault(key, row)
        if first != row:
            chunk.reason[i] = IN_CAMPAIGN if first == 0 else f"{DUPLICATE_IN_FILE} (row {first})"


def _split(chunk: Chunk, raw: RawChunk) -> Prepared:
    good = np.flatnonzero((chunk.reason == None) & ~chunk.blank)  # noqa: E711
    order = good[np.argsort(chunk.keys[good], kind="stable")]  # index locality for the inserts
    columns: dict[str, TextColumn | npt.NDArray[Any]] = {}
    for name in LEAD_COLUMNS:
        values = chunk.values[name][order]
        if (values != None).any():  # noqa: E711
            columns[name] = pack(values)
    bad = np.flatnonzero(chunk.reason != None)  # noqa: E711
    reasons: list[str] = chunk.reason[bad].tolist()
    cells = [c[bad].tolist() for c in chunk.cells]
    rejects: list[list[object]] = [
        [row, why, *(c[k] for c in cells)]
        for k, (row, why) in enumerate(zip(chunk.rows[bad].tolist(), reasons, strict=True))
    ]
    rejects.extend([row, TOO_MANY_FIELDS] for row in raw.skipped)
    part = Prepared(columns, len(order), rejects, raw.position, len(chunk.rows) + len(raw.skipped))
    for why in reasons:
        if why.startswith(DUPLICATE_IN_FILE):
            part.duplicates[DUPLICATE_IN_FILE] += 1
        elif why == IN_CAMPAIGN:
            part.duplicates[IN_CAMPAIGN] += 1
        else:
            part.rejected[why] += 1
    if raw.skipped:
        part.rejected[TOO_MANY_FIELDS] += len(raw.skipped)
    part.blank = int(chunk.blank.sum())
    part.not_dialable = int((chunk.values["status"][order] == "not_dialable").sum())
    return part
