"""PostgreSQL screens the chain in the server: it stores the same chain as SQLite and as Python
compute, and its findings are those of hashing every row in Python."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from compliance.api import CallRecord
from compliance.audit import SqlCallLog, verify_log
from compliance.audit.chain import GENESIS, canonical, canonical_cells, chain_hash, record_columns
from compliance.audit.rows import stream_rows
from compliance.audit.screen import suspects, windows
from dialer.storage import make_engine, upgrade
from tests.compliance.audit.factory import T0, record

pytestmark = pytest.mark.postgres


def _migrated(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def pg(pg_url: str) -> Iterator[Engine]:
    yield from _migrated(pg_url)


@pytest.fixture
def lite(tmp_path: Path) -> Iterator[Engine]:
    yield from _migrated(f"sqlite:///{tmp_path / 'audit.db'}")


def varied() -> list[CallRecord]:
    """Records exercising every cell rule: NULLs, flags, whole seconds, several zones, a
    non-ASCII agent, JSON-escaped text."""
    return [
        record(1),
        record(2, at=T0 + timedelta(hours=1), agent_id=None, disposition=None, answered_by=None),
        record(3, abandoned=True, safe_harbor_played=True, recording_ref="rec/3.wav"),
        record(4, agent_id="agent-Zoë", disposition='said "no" \\ twice'),
        record(5, timezones=("America/Chicago", "Europe/Berlin"), lead_id=None, decision_id=7),
        record(6, carrier_call_id=None, outcome="busy"),
    ]


def test_both_back_ends_store_the_chain_python_computes(pg: Engine, lite: Engine) -> None:
    records = varied()
    expected, prev = [], GENESIS
    for seq, rec in enumerate(records, start=1):
        canon = canonical(canonical_cells(seq, prev, record_columns(rec)))
        prev = chain_hash(canon)
        expected.append((seq, canon, prev))
    for engine in (pg, lite):
        SqlCallLog(engine).append_many(records)
        stored = [row for batch in stream_rows(engine) for row in batch]
        assert [(seq, canon, digest) for seq, _prev, digest, canon in stored] == expected
    assert suspects(pg, 1, None) == [1]  # the first row of a range: its predecessor is outside
    assert suspects(pg, 3, None) == [3]
    assert verify_log(pg).ok
    many = verify_log(pg, workers=20, parallel_from=1)  # more ranges than at once (8)
    assert many.ok
    assert many.checked == len(records)


def test_windows_join_rows_close_together() -> None:
    assert windows([70, 5, 1, 3, 5], slack=64) == [(1, 6), (70, 71)]
    assert windows([1, 65], slack=64) == [(1, 66)]
    assert windows([]) == []


_COPY_RECORD_2_AS_3 = (
    "INSERT INTO call_log SELECT 3, hash, 'forged', campaign_id, lead_id, phone, purpose, "
    "decision_id, carrier, carrier_call_id, started_at, ended_at, outcome, answered_by, "
    "agent_id, disposition, abandoned, safe_harbor_played, states, timezones, local_times, "
    f"recording_ref, '{'f' * 64}' FROM call_log WHERE seq = 2"
)

# statements, anchors, the rows the server reports (the first row is always reported)
TAMPERING: dict[str, tuple[tuple[str, ...], dict[int, str], list[int]]] = {
    "intact": ((), {}, [1]),
    "edits far apart and close together": (
        (
            "UPDATE call_log SET outcome = 'busy' WHERE seq IN (10, 12, 150)",
            "UPDATE call_log SET abandoned = true WHERE seq = 200",
        ),
        {},
        [1, 10, 12, 150, 200],
    ),
    "a separator smuggled into a field": (
        ("UPDATE call_log SET disposition = disposition || chr(31) WHERE seq = 77",),
        {},
        [1, 77],
    ),
    "the NULL mark where a NULL was": (
        ("UPDATE call_log SET recording_ref = chr(30) WHERE seq = 33",),
        {},
        [1, 33],
    ),
    "a rewritten hash": (
        (f"UPDATE call_log SET hash = '{'e' * 64}' WHERE seq = 120",),
        {},
        [1, 120, 121],
    ),
    "a rewritten link": (
        (f"UPDATE call_log SET prev_hash = '{'e' * 64}' WHERE seq = 60",),
        {},
        [1, 60],
    ),
    "deleted records": (
        ("DELETE FROM call_log WHERE seq IN (1, 99, 100, 180)",),
        {},
        [2, 101, 181],
    ),
    "deleted and renumbered": (
        (
            "DELETE FROM call_log WHERE seq = 50",
            "UPDATE call_log SET seq = seq - 1 WHERE seq > 50",
        ),
        {},
        [1, *range(50, 200)],
    ),
    "inserted and renumbered": (
        (
            "UPDATE call_log SET seq = seq + 1000 WHERE seq >= 3",
            "UPDATE call_log SET seq = seq - 999 WHERE seq >= 1003",
            _COPY_RECORD_2_AS_3,
            "UPDATE call_log_head SET seq = 201",
        ),
        {},
        [1, *range(3, 202)],
    ),
    "deleted from the end": (("DELETE FROM call_log WHERE seq >= 195",), {}, [1]),
    "anchors: a rewritten and a missing record": ((), {30: "d" * 64, 500: "d" * 64}, [1]),
}


@pytest.mark.parametrize("case", TAMPERING)
def test_screening_in_the_server_finds_what_hashing_every_row_finds(pg: Engine, case: str) -> None:
    statements, anchors, reported = TAMPERING[case]
    SqlCallLog(pg).append_many([record(i) for i in range(1, 201)])
    with pg.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    assert suspects(pg, 1, None) == reported
    exact = verify_log(pg, anchors, in_server=False)
    assert exact.ok == (case == "intact")
    for workers in (1, 3):
        screened = verify_log(pg, anchors, workers=workers, parallel_from=1)
        assert [f.describe() for f in screened.findings] == [f.describe() for f in exact.findings]
        assert screened.checked == exact.checked
