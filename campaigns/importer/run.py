"""``dialer leads import``: a CSV file into a campaign's leads, chunk by chunk.

Each chunk is one transaction (its leads and the run's counts together), so an interrupted import
leaves whole chunks behind; running it again skips those leads as already in the campaign.
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import numpy as np
from sqlalchemy import Connection, Engine, update
from sqlalchemy.orm import Session

from campaigns.importer.chunk import Chunk, ChunkRules, prepare
from campaigns.importer.columns import ColumnPlan, plan_columns
from campaigns.importer.prefetch import prefetch
from campaigns.importer.reader import RawChunk, read_chunks
from campaigns.importer.rejects import RejectsFile
from campaigns.importer.source import CsvSource, open_source
from campaigns.importer.store import LEAD_COLUMNS, LeadWriter, existing_keys, record_progress
from campaigns.models import ImportRun
from campaigns.service import get_campaign, get_or_create_list
from dialer.clock import Clock
from dialer.errors import InputError

__all__ = ["DUPLICATE_IN_FILE", "IN_CAMPAIGN", "ImportOptions", "ImportSummary", "import_leads"]

DUPLICATE_IN_FILE = "duplicate in the file"
IN_CAMPAIGN = "already in the campaign"
TOO_MANY_FIELDS = "far more fields than the header (row unreadable)"


@dataclass(frozen=True)
class ImportOptions:
    list_name: str = "default"
    maps: dict[str, str] = field(default_factory=dict)
    allow_test_numbers: bool = False
    rejects_path: Path | None = None  # default: FILE.rejects.csv beside the file
    chunk_rows: int = 100_000


@dataclass
class ImportSummary:
    run_id: int
    source: Path
    rejects_path: Path
    encoding: str
    delimiter: str
    rows: int = 0
    imported: int = 0
    blank: int = 0
    not_dialable: int = 0
    duplicates: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)


def import_leads(
    engine: Engine,
    campaign_name: str,
    path: Path,
    options: ImportOptions,
    clock: Clock,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Import ``path``; ``progress(bytes_done, bytes_total)`` is called after each chunk."""
    source = open_source(path)
    plan = plan_columns(source.header, options.maps, str(path))
    with path.open("rb") as fh:
        chunks = read_chunks(source, fh, options.chunk_rows)
        first = next(chunks, None)
        if first is None:
            raise InputError(f"{path} has a header but no rows: nothing imported")
        return _run(
            engine, campaign_name, source, plan, chain([first], chunks), options, clock, progress
        )


def _run(
    engine: Engine,
    campaign_name: str,
    source: CsvSource,
    plan: ColumnPlan,
    chunks: Iterator[RawChunk],
    options: ImportOptions,
    clock: Clock,
    progress: Callable[[int, int], None] | None,
) -> ImportSummary:
    path = source.path
    rejects_path = options.rejects_path or path.with_name(f"{path.stem}.rejects.csv")
    _check_writable(rejects_path)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        campaign = get_campaign(session, campaign_name)
        lead_list = get_or_create_list(session, campaign, options.list_name, clock.now())
        run = ImportRun(
            campaign_id=campaign.id,
            list_id=lead_list.id,
            source=str(path)[-500:],
            started_at=clock.now(),
        )
        session.add(run)
        session.flush()
        rules = ChunkRules(plan, campaign.country, options.allow_test_numbers)
    summary = ImportSummary(run.id, path, rejects_path, source.encoding, source.delimiter)
    with engine.connect() as conn, RejectsFile(rejects_path, source.header) as rejects:
        writer = LeadWriter(conn, run, clock.now())
        seen = dict.fromkeys(existing_keys(conn, run.campaign_id).tolist(), 0)
        conn.rollback()
        with _gc_paused():
            _import_chunks(chunks, rules, seen, conn, writer, rejects, summary, progress)
        with conn.begin():
            conn.execute(
                update(ImportRun).where(ImportRun.id == run.id).values(finished_at=clock.now())
            )
    return summary


def _check_writable(path: Path) -> None:
    """Fail before anything is recorded if the rejects file cannot be written."""
    target = path if path.exists() else path.parent
    if not os.access(target, os.W_OK) or path.is_dir():
        raise InputError(f"cannot write the rejects file {path}: nothing imported")


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection during the bulk work.

    The import allocates millions of short-lived lists and tuples (none in cycles) next to large
    live structures; each automatic collection would walk them all (about a quarter of the time).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import_chunks(
    chunks: Iterator[RawChunk],
    rules: ChunkRules,
    seen: dict[int, int],
    conn: Connection,
    writer: LeadWriter,
    rejects: RejectsFile,
    summary: ImportSummary,
    progress: Callable[[int, int], None] | None,
) -> None:
    source_size = max(summary.source.stat().st_size, 1)
    prepared = ((raw, prepare(raw.cells, raw.rows, rules)) for raw in chunks)
    for raw, chunk in prefetch(prepared):
        _dedup(chunk, seen)
        with conn.begin():
            _store(chunk, raw, writer, rejects, summary)
            record_progress(conn, summary.run_id, _counts(summary))
        if progress is not None:
            progress(raw.position, source_size)


def _dedup(chunk: Chunk, seen: dict[int, int]) -> None:
    """Mark rows whose number is in the campaign already or earlier in the file."""
    good = np.flatnonzero((chunk.reason == None) & ~chunk.blank)  # noqa: E711
    keys, rows = chunk.keys[good].tolist(), chunk.rows[good].tolist()
    for i, key, row in zip(good.tolist(), keys, rows, strict=True):
        first = seen.setdefault(key, row)
        if first != row:
            chunk.reason[i] = IN_CAMPAIGN if first == 0 else f"{DUPLICATE_IN_FILE} (row {first})"


def _store(
    chunk: Chunk, raw: RawChunk, writer: LeadWriter, rejects: RejectsFile, summary: ImportSummary
) -> None:
    good = np.flatnonzero((chunk.reason == None) & ~chunk.blank)  # noqa: E711
    order = good[np.argsort(chunk.keys[good], kind="stable")]  # index locality for the inserts
    columns = {name: chunk.values[name][order] for name in LEAD_COLUMNS}
    inserted = writer.insert(columns, len(order))
    bad = np.flatnonzero(chunk.reason != None)  # noqa: E711
    reasons = chunk.reason[bad].tolist()
    rows = chunk.rows[bad].tolist()
    cells = [list(c[bad]) for c in chunk.cells]
    rejects.write(
        [row, why, *(c[k] for c in cells)]
        for k, (row, why) in enumerate(zip(rows, reasons, strict=True))
    )
    rejects.write([row, TOO_MANY_FIELDS] for row in raw.skipped)
    for why in reasons:
        if why.startswith(DUPLICATE_IN_FILE):
            summary.duplicates[DUPLICATE_IN_FILE] += 1
        elif why == IN_CAMPAIGN:
            summary.duplicates[IN_CAMPAIGN] += 1
        else:
            summary.rejected[why] += 1
    if raw.skipped:
        summary.rejected[TOO_MANY_FIELDS] += len(raw.skipped)
    if len(order) > inserted:  # inserted meanwhile by another import
        summary.duplicates[IN_CAMPAIGN] += len(order) - inserted
    summary.rows += len(chunk.rows) + len(raw.skipped)
    summary.blank += int(chunk.blank.sum())
    summary.imported += inserted
    summary.not_dialable += int((chunk.values["status"][order] == "not_dialable").sum())


def _counts(summary: ImportSummary) -> dict[str, object]:
    return {
        "rows": summary.rows,
        "imported": summary.imported,
        "duplicates": sum(summary.duplicates.values()),
        "rejected": sum(summary.rejected.values()),
        "blank": summary.blank,
        "not_dialable": summary.not_dialable,
        "rejects_path": str(summary.rejects_path)[-500:],
        "reasons": dict(summary.rejected),
    }
