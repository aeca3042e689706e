"""Verification on PostgreSQL, screened in the server.

On PostgreSQL the server does the first pass itself, so that ten million canonical texts need
not be sent to Python and hashed there (28.6 s of CPU in Python alone at 10 M records). It builds
each row's canonical text (the SQL the exact check reads: :mod:`compliance.audit.rows`), hashes it
with its own SHA-256, counts its separators and checks the link to the previous row with a
window over ``seq``; only the ``seq`` of a row failing any check (and of the first row of
each range, whose predecessor lies outside it) comes back.

Python then runs the exact :class:`~compliance.audit.verify.ChainVerifier` over windows around
those rows, primed with the rows just before each window (:meth:`ChainVerifier.resume`). An
intact row adds no finding and leaves the verifier as priming does, so the findings are those of
feeding every row to the verifier, and they name the records the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine

from compliance.audit.chain import CANON_FIELDS
from compliance.audit.rows import bind_marks, pg_canonical_text, predecessors, stream_rows
from compliance.audit.verify import ChainVerifier, Finding, StoredRow

__all__ = ["screen_sql", "screened_findings", "suspects", "windows"]

_SLACK = 64  # suspects this close together share one window (at least 2: the priming rows)
_AT_ONCE = 8  # ranges screened at once (within the default pool of 5 + 10 connections)


def screen_sql() -> str:
    """The ``seq`` of every row with ``lo <= seq < hi`` that is not shown intact: its text does
    not hash to its ``hash`` or has extra separators, or it does not follow the row before it."""
    seps = len(CANON_FIELDS) - 1
    # octet_length is a header read; length would count the characters of the UTF-8 text.
    intact = (
        "encode(sha256(convert_to(t, 'UTF8')), 'hex') = hash"
        f" AND octet_length(t) - octet_length(replace(t, chr(31), '')) = {seps}"
    )
    return bind_marks(
        "postgresql",
        "SELECT seq FROM ("
        " SELECT seq, ok, prev_hash, lag(seq) OVER w AS prev_seq, lag(hash) OVER w AS prev_row"
        f" FROM (SELECT seq, prev_hash, hash, {intact} AS ok FROM ("
        f"  SELECT seq, prev_hash, hash, {pg_canonical_text()} AS t FROM call_log"
        "   WHERE seq >= :lo AND seq < :hi ORDER BY seq OFFSET 0) AS r) AS c"
        " WINDOW w AS (ORDER BY seq ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)) AS s"
        " WHERE ok IS NOT TRUE OR prev_seq IS NULL OR seq <> prev_seq + 1"
        " OR prev_hash IS DISTINCT FROM prev_row ORDER BY seq",
    )


def suspects(engine: Engine, lo: int, hi: int | None) -> list[int]:
    """The rows with ``lo <= seq < hi`` the server does not show intact."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # One server process per range already; compiling the expressions measured no faster.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(screen_sql(), {"lo": lo, "hi": hi if hi is not None else 2**62})
        found = [int(r[0]) for r in cursor.fetchall()]
        cursor.close()
        raw.commit()
    finally:
        raw.close()
    return found


def windows(seqs: Iterable[int], slack: int = _SLACK) -> list[tuple[int, int]]:
    """Sorted ``seqs`` as ranges ``[lo, hi)``; ones less than ``slack`` apart are joined."""
    out: list[tuple[int, int]] = []
    for seq in sorted(set(seqs)):
        if out and seq < out[-1][1] + slack:
            out[-1] = (out[-1][0], seq + 1)
        else:
            out.append((seq, seq + 1))
    return out


def all_suspects(engine: Engine, ranges: Sequence[tuple[int, int | None]]) -> list[int]:
    """:func:`suspects` of every range, one connection (and server process) per range."""
    with ThreadPoolExecutor(min(len(ranges), _AT_ONCE)) as pool:
        parts = pool.map(lambda r: suspects(engine, *r), ranges)
        return [seq for part in parts for seq in part]


def screened_findings(
    engine: Engine,
    found: Iterable[int],
    anchors: Mapping[int, str],
    last: StoredRow | None,
) -> list[Finding]:
    """The exact check of the windows around the rows ``found`` (and the anchored ones); the
    log's ``last`` row ends it."""
    verifier = ChainVerifier(anchors)
    for lo, hi in windows([*found, *anchors]):
        verifier.resume(predecessors(engine, lo))
        for batch in stream_rows(engine, lo, hi):
            verifier.feed(batch)
    fed = verifier.last
    if last is not None and (fed is None or fed[0] < last[0]):
        verifier.resume([last])
    return verifier.finish(None)
