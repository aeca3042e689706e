"""`dialer audit ...` end to end, in-process, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from compliance.audit import SqlCallLog
from tests.cli_helpers import run_cli
from tests.compliance.audit.factory import T0, record


@pytest.fixture
def url(db_url: str, engine: Engine) -> str:
    """The migrated database, with 10 records over two campaigns, agents and outcomes."""
    records = [
        record(i, campaign_id=1 + i % 2, outcome="completed" if i % 3 else "busy")
        for i in range(10)
    ]
    records.append(record(10, agent_id='=HYPERLINK("x")', phone="+14155559999"))
    SqlCallLog(engine).append_many(records)
    return db_url


def test_calls_filters(url: str) -> None:
    def ids(*args: str) -> list[str]:
        result = run_cli(url, "audit", "calls", "--format", "json", *args)
        assert result.exit_code == 0, result.output
        return [json.loads(line)["call_id"] for line in result.output.splitlines()]

    assert len(ids()) == 11
    assert ids("--campaign", "2") == [f"call-{i}" for i in (1, 3, 5, 7, 9)]
    assert ids("--outcome", "busy") == ["call-0", "call-3", "call-6", "call-9"]
    assert ids("--agent", "agent-1") == ["call-1", "call-4", "call-7"]
    assert ids("--number", "+14155559999") == ["call-10"]
    since = (T0 + timedelta(minutes=3)).isoformat()
    until = (T0 + timedelta(minutes=5)).isoformat()
    assert ids("--from", since, "--to", until) == ["call-3", "call-4"]
    assert ids("--from", "2026-03-02", "--to", "2026-03-02", "--limit", "2") == [
        "call-0",
        "call-1",
    ]
    assert ids("--from", "2026-03-03") == []


def test_calls_json_has_every_field(url: str) -> None:
    result = run_cli(url, "audit", "calls", "--format", "json", "--limit", "1")
    row = json.loads(result.output)
    assert row["states"][0] == ["dialing", "2026-03-02 15:00:00.000000"]
    assert row["local_times"] == {"America/New_York": "2026-03-02T10:00:00-05:00"}
    assert row["timezones"] == ["America/New_York"]
    assert len(row["hash"]) == 64


def test_calls_csv_is_formula_safe(url: str, tmp_path: Path) -> None:
    out = tmp_path / "calls.csv"
    result = run_cli(url, "audit", "calls", "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == 11
    assert rows[0]["phone"] == "'+14155550000"
    assert rows[-1]["agent_id"] == '\'=HYPERLINK("x")'
    assert all(not v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())
    # The JSON fields as stored: the compact JSON a decoded value is written as.
    listed = run_cli(url, "audit", "calls", "--format", "json").output.splitlines()
    for row, line in zip(rows, listed, strict=True):
        decoded = json.loads(line)
        for name in ("states", "timezones", "local_times"):
            assert row[name] == json.dumps(decoded[name], separators=(",", ":"))
    assert rows[0]["states"].startswith('[["dialing","2026-03-02 15:00:00.000000"]')


def test_calls_table(url: str) -> None:
    result = run_cli(url, "audit", "calls", "--campaign", "1")
    assert result.exit_code == 0, result.output
    assert "call-8" in result.output
    assert "call-9" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "yesterday"), "invalid date"),
        (("--from", "2026-03-02T10:00:00"), "has no zone"),
        (("--from", "2026-03-03", "--to", "2026-03-01"), "--to must be after --from"),
        (("--campaign", "Nope"), "no campaign named 'Nope'"),
    ],
)
def test_calls_bad_input_is_one_line(url: str, args: tuple[str, ...], message: str) -> None:
    result = run_cli(url, "audit", "calls", *args)
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [f"error: {result.output.strip()[7:]}"]
    assert message in result.output


def test_verify_reports_tampering(url: str, engine: Engine) -> None:
    ok = run_cli(url, "audit", "verify")
    assert ok.exit_code == 0, ok.output
    assert "verified 11 records: chain intact; head 11:" in ok.output
    with engine.begin() as conn:
        conn.execute(text("UPDATE call_log SET disposition = 'no_sale' WHERE seq = 5"))
        conn.execute(text("DELETE FROM call_log WHERE seq = 8"))
    bad = run_cli(url, "audit", "verify")
    assert bad.exit_code == 1
    assert "edited: seq 5 (call call-4)" in bad.output
    assert "deleted: seq 8: missing between seq 7 (call call-6) and seq 9" in bad.output


def test_verify_with_an_anchor(url: str) -> None:
    head = run_cli(url, "audit", "verify").output.split("head ")[1].strip()
    assert run_cli(url, "audit", "verify", "--anchor", head).exit_code == 0
    wrong = head.split(":")[0] + ":" + "0" * 64
    result = run_cli(url, "audit", "verify", "--anchor", wrong)
    assert result.exit_code == 1
    assert "anchor: seq 11" in result.output
    assert "invalid anchor" in run_cli(url, "audit", "verify", "--anchor", "x").output


def test_export_for_archiving_is_verifiable(url: str, tmp_path: Path) -> None:
    out = tmp_path / "march.jsonl"
    result = run_cli(
        url, "audit", "export", "--from", "2026-03-01", "--to", "2026-03-31", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert "exported 11 records" in result.output
    assert "keep until 2031-03-31" in result.output
    lines = out.read_text().splitlines()
    header = json.loads(lines[0])
    assert header["retention"]["years"] == 5
    assert "310.5" in header["retention"]["source"]
    assert len(lines) == 12
    assert run_cli(url, "audit", "verify", "--file", str(out)).exit_code == 0
    edited = lines[3].replace('"completed"', '"busy"').replace('"busy"', '"failed"')
    out.write_text("\n".join([*lines[:3], edited, *lines[4:]]) + "\n")
    result = run_cli(url, "audit", "verify", "--file", str(out))
    assert result.exit_code == 1
    assert "edited: seq 3 (call call-2)" in result.output
