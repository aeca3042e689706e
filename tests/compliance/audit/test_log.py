"""The call log on SQLite and PostgreSQL: appends chain, tampering in the database is named,
concurrent appenders never fork the chain."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from compliance.audit import CallLogRow, FindingKind, SqlCallLog, open_call_log, verify_log
from dialer.storage import make_engine, session_factory
from tests.compliance.audit.factory import record


def findings(engine: Engine) -> list[tuple[FindingKind, int, str | None]]:
    return [(f.kind, f.seq, f.call_id) for f in verify_log(engine).findings]


def test_appends_form_an_intact_chain(engine: Engine) -> None:
    log = SqlCallLog(engine)
    log.append(record(1))
    assert log.append_many([record(2), record(3)]) == [2, 3]
    result = verify_log(engine)
    assert result.ok
    assert result.checked == 3
    with Session(engine) as s:
        rows = s.scalars(select(CallLogRow).order_by(CallLogRow.seq)).all()
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    assert result.head == (3, rows[-1].hash)
    assert rows[0].local_times == '{"America/New_York":"2026-03-02T10:01:00-05:00"}'


def test_append_joins_the_callers_transaction(engine: Engine) -> None:
    with Session(engine) as s:
        SqlCallLog(s).append(record(1))
        s.rollback()
    assert verify_log(engine).checked == 0
    with Session(engine) as s, s.begin():
        SqlCallLog(s).append(record(1))
    assert verify_log(engine).checked == 1


def test_a_record_with_separator_characters_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="control character"):
        SqlCallLog(engine).append(record(1, disposition="sale\x1fx"))


@pytest.fixture
def logged(engine: Engine) -> Engine:
    SqlCallLog(engine).append_many([record(i) for i in range(1, 7)])
    return engine


def _sql(engine: Engine, *statements: str) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("outcome", "'busy'"),
        ("abandoned", "true"),
        ("started_at", "ended_at"),
        ("agent_id", "NULL"),
        ("states", "'[]'"),
        ("campaign_id", "2"),
    ],
)
def test_an_edited_column_is_named(logged: Engine, column: str, value: str) -> None:
    _sql(logged, f"UPDATE call_log SET {column} = {value} WHERE seq = 4")
    assert findings(logged) == [(FindingKind.EDITED, 4, "call-4")]


@pytest.mark.parametrize("column", ["outcome", "campaign_id", "states"])
def test_text_hidden_behind_a_nul_character_is_an_edit(logged: Engine, column: str) -> None:
    statement = (
        f"UPDATE call_log SET {column} = CAST({column} AS TEXT) || :nul || 'x' WHERE seq = 4"
    )
    if logged.dialect.name == "postgresql":  # the server refuses NUL in text outright
        with pytest.raises(DataError), logged.begin() as conn:
            conn.execute(text(statement), {"nul": "\x00"})
        return
    with logged.begin() as conn:
        conn.execute(text(statement), {"nul": "\x00"})
    assert findings(logged) == [(FindingKind.EDITED, 4, "call-4")]


@pytest.mark.parametrize("column", ["agent_id", "recording_ref"])
def test_a_null_turned_into_the_null_mark_is_an_edit(engine: Engine, column: str) -> None:
    """A NULL is written as the record separator, so this edit keeps the text and the hash."""
    SqlCallLog(engine).append_many([record(i, agent_id=None) for i in range(1, 5)])
    with engine.begin() as conn:
        statement = f"UPDATE call_log SET {column} = :mark WHERE seq = 3"
        conn.execute(text(statement), {"mark": "\x1e"})
    assert findings(engine) == [(FindingKind.EDITED, 3, "call-3")]


def test_a_record_with_a_nul_character_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="control character"):
        SqlCallLog(engine).append(record(1, disposition="sale\x00x"))


def test_a_deleted_record_is_named(logged: Engine) -> None:
    _sql(logged, "DELETE FROM call_log WHERE seq = 3")
    assert findings(logged) == [(FindingKind.DELETED, 3, None)]


def test_records_deleted_from_the_end_are_named(logged: Engine) -> None:
    _sql(logged, "DELETE FROM call_log WHERE seq >= 5")
    result = verify_log(logged)
    assert [(f.kind, f.seq, f.last_seq) for f in result.findings] == [(FindingKind.DELETED, 5, 6)]


def test_an_inserted_record_is_named(logged: Engine) -> None:
    # Make room at seq 3 and copy record 2 under a new call id there.
    _sql(
        logged,
        "UPDATE call_log SET seq = seq + 100 WHERE seq >= 3",
        "UPDATE call_log SET seq = seq - 99 WHERE seq >= 103",
        "INSERT INTO call_log SELECT 3, hash, 'forged', campaign_id, lead_id, phone, purpose, "
        "decision_id, carrier, carrier_call_id, started_at, ended_at, outcome, answered_by, "
        "agent_id, disposition, abandoned, safe_harbor_played, states, timezones, local_times, "
        f"recording_ref, '{'f' * 64}' FROM call_log WHERE seq = 2",
        "UPDATE call_log_head SET seq = 7",
    )
    got = findings(logged)
    assert (FindingKind.INSERTED, 3, "forged") in got
    assert (FindingKind.RENUMBERED, 4, "call-3") in got


def test_a_missing_head_is_reported(logged: Engine) -> None:
    _sql(logged, "DELETE FROM call_log_head")
    assert findings(logged) == [(FindingKind.DELETED, 0, None)]


def test_concurrent_appenders_take_turns(db_url: str, engine: Engine) -> None:
    """Two writers with their own connection pools (as two processes would have)."""
    errors: list[BaseException] = []

    def writer(prefix: str) -> None:
        own = make_engine(db_url)
        try:
            log = SqlCallLog(own)
            for i in range(25):
                log.append(replace(record(i), call_id=f"{prefix}-{i}"))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=writer, args=(p,)) for p in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = verify_log(engine)
    assert result.ok
    assert result.checked == 50


def test_the_engines_factory_appends_in_transactions_of_its_own(engine: Engine) -> None:
    log = open_call_log(sessions=session_factory(engine))
    log.append(record(1))
    log.append(record(2))
    assert verify_log(engine).checked == 2


def test_verification_in_parallel_ranges_finds_the_same(logged: Engine) -> None:
    """Six records in three ranges (seq 1-2, 3-4, 5-6): tampering at the range boundaries."""
    SqlCallLog(logged).append_many([record(i) for i in range(7, 13)])  # 12 records: 1-4, 5-8, 9-12
    _sql(
        logged,
        "UPDATE call_log SET outcome = 'busy' WHERE seq = 5",  # first of a range
        "DELETE FROM call_log WHERE seq IN (8, 9)",  # across a boundary
    )
    serial = verify_log(logged)
    parallel = verify_log(logged, workers=3, parallel_from=1)
    described = [f.describe() for f in serial.findings]
    assert [f.describe() for f in parallel.findings] == described
    assert described == [
        "edited: seq 5 (call call-5): its content does not match its hash",
        "deleted: seq 8..9: missing between seq 7 (call call-7) and seq 10 (call call-10)",
    ]
    assert parallel.checked == serial.checked == 10
