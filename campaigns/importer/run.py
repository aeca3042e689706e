"""``dialer leads import``: a CSV file into a campaign's leads, chunk by chunk.

Each chunk is one transaction (its leads and the run's counts together), so an interrupted import
leaves whole chunks behind; running it again skips those leads as already in the campaign.
Chunks are read and prepared (:mod:`campaigns.importer.prepared`) in a child process while this
one stores the previous chunks (:mod:`campaigns.importer.apart`).
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from sqlalchemy import Connection, Engine, update
from sqlalchemy.orm import Session

from campaigns.importer.apart import apart
from campaigns.importer.chunk import ChunkRules
from campaigns.importer.columns import ColumnPlan, plan_columns
from campaigns.importer.prepared import (
    DUPLICATE_IN_FILE,
    IN_CAMPAIGN,
    Prepared,
    prepare_file,
)
from campaigns.importer.reader import read_chunks
from campaigns.importer.rejects import RejectsFile
from campaigns.importer.source import CsvSource, open_source
from campaigns.importer.store import LeadWriter, existing_keys, record_progress
from campaigns.models import ImportRun
from campaigns.service import get_campaign, get_or_create_list
from campaigns.zones import zone_tables
from dialer.clock import Clock
from dialer.errors import InputError

__all__ = ["DUPLICATE_IN_FILE", "IN_CAMPAIGN", "ImportOptions", "ImportSummary", "import_leads"]

_PEEK_ROWS = 16


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
    with path.open("rb") as fh, closing(read_chunks(source, fh, _PEEK_ROWS)) as peek:
        if next(peek, None) is None:
            raise InputError(f"{path} has a header but no rows: nothing imported")
    return _run(engine, campaign_name, source, plan, options, clock, progress)


def _run(
    engine: Engine,
    campaign_name: str,
    source: CsvSource,
    plan: ColumnPlan,
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
        existing = existing_keys(conn, run.campaign_id)
        conn.rollback()
        zone_tables()  # built once per process, before the preparing process is forked
        produce = partial(prepare_file, source, rules, existing, options.chunk_rows)
        with _gc_paused(), closing(apart(produce)) as prepared:
            _import_chunks(prepared, conn, writer, rejects, summary, progress)
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
    prepared: Iterator[Prepared],
    conn: Connection,
    writer: LeadWriter,
    rejects: RejectsFile,
    summary: ImportSummary,
    progress: Callable[[int, int], None] | None,
) -> None:
    source_size = max(summary.source.stat().st_size, 1)
    for part in prepared:
        with conn.begin():
            _store(part, writer, rejects, summary)
            record_progress(conn, summary.run_id, _counts(summary))
        if progress is not None:
            progress(part.position, source_size)


def _store(
    part: Prepared, writer: LeadWriter, rejects: RejectsFile, summary: ImportSummary
) -> None:
    inserted = writer.insert(part.columns(), part.size)
    rejects.write(part.rejects)
    summary.duplicates.update(part.duplicates)
    summary.rejected.update(part.rejected)
    if part.size > inserted:  # inserted meanwhile by another import
        summary.duplicates[IN_CAMPAIGN] += part.size - inserted
    summary.rows += part.rows
    summary.blank += part.blank
    summary.imported += inserted
    summary.not_dialable += part.not_dialable


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
