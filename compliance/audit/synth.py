"""Generated call logs for benchmarks: many plausible records, bulk-inserted with their chain.

The chain is computed here exactly as :class:`~compliance.audit.log.SqlCallLog` computes it (the
same canonical text and hash), and the rows go in by the fastest path of each back end (SQLite
``executemany`` in large transactions, PostgreSQL ``COPY``), with the indexes rebuilt after the
load. Randomness comes from a seeded numpy Generator: the same seed gives the same log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, text

from compliance.audit.chain import CANON_FIELDS, FIELD_SEP, GENESIS, NULL, chain_hash
from compliance.audit.models import CallLogRow

__all__ = ["SynthSpec", "generate_log"]

_ZONES = (
    ("America/New_York", -5),
    ("America/Chicago", -6),
    ("America/Denver", -7),
    ("America/Los_Angeles", -8),
)
# outcome, answered_by, share; live answers are bridged or (rarely) abandoned
_MIX = (
    ("completed", "human", 0.22),
    ("completed", "machine", 0.15),
    ("completed", "unknown", 0.02),
    ("no_answer", None, 0.40),
    ("busy", None, 0.12),
    ("failed", None, 0.05),
    ("canceled", None, 0.04),
)
_DISPOSITIONS = ("sale", "no_sale", "callback", "not_interested", "dnc")
_COLUMNS = (*CANON_FIELDS, "hash")


@dataclass(frozen=True, slots=True)
class SynthSpec:
    records: int
    start: datetime = datetime(2025, 1, 1, tzinfo=UTC)
    days: int = 365
    campaigns: int = 20
    agents: int = 200
    phones: int = 2_000_000
    abandon_rate: float = 0.02  # of live answers
    seed: int = 1


def _ts(at: datetime) -> str:
    """A naive UTC instant as canonical text (``isoformat`` is several times faster than
    ``strftime``)."""
    return at.isoformat(" ", "microseconds")


def _rows(spec: SynthSpec, batch: int) -> Iterator[list[tuple[Any, ...]]]:
    """Rows in ``_COLUMNS`` order as canonical cell text (plus ints and bools), chained."""
    rng = np.random.default_rng(spec.seed)
    shares = np.array([m[2] for m in _MIX])
    prev, seq = GENESIS, 0
    origin = spec.start.astimezone(UTC).replace(tzinfo=None)
    step = spec.days * 86400 / max(spec.records, 1)
    for lo in range(0, spec.records, batch):
        n = min(batch, spec.records - lo)
        kinds = rng.choice(len(_MIX), size=n, p=shares / shares.sum())
        campaigns = rng.integers(1, spec.campaigns + 1, size=n)
        phones = rng.integers(0, spec.phones, size=n)
        agents = rng.integers(0, spec.agents, size=n)
        rings = rng.uniform(3, 25, size=n)
        talks = rng.exponential(120, size=n)
        abandons = rng.random(size=n) < spec.abandon_rate
        dispositions = rng.integers(0, len(_DISPOSITIONS), size=n)
        jitter = rng.uniform(0, step, size=n)
        out: list[tuple[Any, ...]] = []
        for i in range(n):
            seq += 1
            start = origin + timedelta(seconds=(lo + i) * step + float(jitter[i]))
            outcome, answered_by, _ = _MIX[int(kinds[i])]
            phone_no = int(phones[i])
            zone, offset = _ZONES[phone_no % len(_ZONES)]
            live = answered_by in ("human", "unknown")
            abandoned = live and bool(abandons[i])
            ring = timedelta(seconds=float(rings[i]))
            states = [("dialing", _ts(start)), ("ringing", _ts(start + timedelta(seconds=2)))]
            end = start + ring
            agent = disposition = None
            if answered_by is not None:
                states.append((f"answered_{answered_by}", _ts(end)))
                if live and not abandoned:
                    agent = f"agent-{int(agents[i]):03d}"
                    disposition = _DISPOSITIONS[int(dispositions[i])]
                    states.append(("bridged", _ts(end + timedelta(seconds=1))))
                    end += timedelta(seconds=1 + float(talks[i]))
                elif abandoned:
                    states.append(("abandoned", _ts(end + timedelta(seconds=2))))
                    end += timedelta(seconds=12)
                else:
                    end += timedelta(seconds=8)
            states.append((outcome, _ts(end)))
            local = start + timedelta(hours=offset)  # standard time; DST is ignored here
            local_text = f"{local.isoformat('T', 'seconds')}{offset:+03d}:00"
            cells = (
                seq,
                prev,
                f"gen-{seq}",
                int(campaigns[i]),
                phone_no,
                f"+1{2012000000 + phone_no}",
                "telemarketing",
                None,
                "simulated",
                f"SIM{seq}",
                _ts(start),
                _ts(end),
                outcome,
                answered_by,
                agent,
                disposition,
                int(abandoned),
                int(abandoned),
                "[" + ",".join(f'["{name}","{at}"]' for name, at in states) + "]",
                f'["{zone}"]',
                f'{{"{zone}":"{local_text}"}}',
                None,
            )
            prev = chain_hash(FIELD_SEP.join([NULL if c is None else str(c) for c in cells]))
            out.append((*cells, prev))
        yield out


def _index_sql() -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of every index of the call log."""
    out = []
    for index in CallLogRow.metadata.tables["call_log"].indexes:
        columns = ", ".join(c.name for c in index.columns)
        unique = "UNIQUE " if index.unique else ""
        out.append((str(index.name), f"CREATE {unique}INDEX {index.name} ON call_log ({columns})"))
    return out


def generate_log(
    engine: Engine,
    spec: SynthSpec,
    *,
    batch: int = 50_000,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Fill an empty, migrated database's call log with ``spec.records`` chained records."""
    indexes = _index_sql()
    with engine.begin() as conn:
        if conn.execute(text("SELECT count(*) FROM call_log")).scalar_one():
            raise ValueError("generate_log needs an empty call log")
        for name, _ in indexes:
            conn.execute(text(f"DROP INDEX {name}"))
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            # A generated benchmark log: no rollback journal, no fsync (rebuilt if interrupted).
            cursor.execute("PRAGMA journal_mode=OFF")
            cursor.execute("PRAGMA synchronous=OFF")
        last: tuple[int, str] = (0, GENESIS)
        done = 0
        for rows in _rows(spec, batch):
            if engine.dialect.name == "postgresql":
                _copy(cursor, rows)
            else:
                marks = ", ".join("?" * len(_COLUMNS))
                insert = f"INSERT INTO call_log ({', '.join(_COLUMNS)}) VALUES ({marks})"
                cursor.executemany(insert, rows)
            raw.commit()
            last = (rows[-1][0], rows[-1][-1])
            done += len(rows)
            if progress is not None:
                progress(done)
        cursor.execute(
            "UPDATE call_log_head SET seq = %s, hash = %s WHERE id = 1"
            if engine.dialect.name == "postgresql"
            else "UPDATE call_log_head SET seq = ?, hash = ? WHERE id = 1",
            last,
        )
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        for _, create in indexes:
            conn.execute(text(create))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE call_log"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def _copy(cursor: Any, rows: list[tuple[Any, ...]]) -> None:
    columns = ", ".join(_COLUMNS)
    instants = (_COLUMNS.index("started_at"), _COLUMNS.index("ended_at"))
    flags = (_COLUMNS.index("abandoned"), _COLUMNS.index("safe_harbor_played"))
    with cursor.copy(f"COPY call_log ({columns}) FROM STDIN") as copy:
        for row in rows:
            cells = list(row)
            for i in instants:
                cells[i] = f"{cells[i]}+00"
            for i in flags:
                cells[i] = bool(cells[i])
            copy.write_row(cells)
