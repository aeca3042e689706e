"""`dialer report campaign`: a self-contained HTML file with its four plots and a compliance
summary; agent occupancy from the call states."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from compliance.audit import SqlCallLog
from compliance.audit.report_data import agent_occupancy
from tests.cli_helpers import run_cli
from tests.compliance.audit.factory import record

PNG = b"\x89PNG\r\n\x1a\n"


def _states(*pairs: tuple[str, int]) -> str:
    t0 = datetime(2026, 3, 2, 15, tzinfo=UTC)
    return json.dumps(
        [[n, (t0 + timedelta(seconds=s)).strftime("%Y-%m-%d %H:%M:%S.%f")] for n, s in pairs]
    )


def test_occupancy_is_talk_time_over_active_time() -> None:
    calls = [
        ("a", _states(("dialing", 0), ("bridged", 10), ("ended", 60))),
        ("a", _states(("dialing", 60), ("bridged", 70), ("ended", 100))),
        ("b", _states(("dialing", 0), ("answered", 5), ("ended", 50))),  # never bridged
    ]
    assert agent_occupancy(calls) == {"a": 0.8, "b": 0.0}


def test_the_report_has_its_plots_and_summary(
    db_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIALER_DATA_DIR", str(tmp_path / "no-registries"))
    created = run_cli(
        db_url,
        "campaign",
        "create",
        "Spring <Sale>",
        "--purpose",
        "telemarketing",
        "--caller-id",
        "+14155552671",
    )
    assert created.exit_code == 0, created.output
    with engine.connect() as conn:
        campaign_id = conn.execute(text("SELECT id FROM campaigns")).scalar_one()
    records = [
        record(i, campaign_id=campaign_id, abandoned=i % 10 == 0, outcome="completed")
        for i in range(40)
    ]
    records.append(record(40, campaign_id=campaign_id, outcome="busy", answered_by=None))
    SqlCallLog(engine).append_many(records)
    out = tmp_path / "report.html"
    result = run_cli(db_url, "report", "campaign", "Spring <Sale>", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "41 calls" in result.output
    html = out.read_text()
    assert "<title>Campaign report: Spring &lt;Sale&gt;</title>" in html
    images = re.findall(r'alt="([^"]+)" src="data:image/png;base64,([^"]+)"', html)
    assert [alt for alt, _ in images] == [
        "abandon rate over time",
        "calls by local hour",
        "outcomes",
        "agent occupancy",
    ]
    assert all(base64.b64decode(data).startswith(PNG) for _, data in images)
    assert "intact (41 records verified)" in html
    assert "day(s) over the 3.0% cap" in html  # 4 of 40 abandoned
    # The records' leads are not in the database: every call fails closed (41); the 4
    # abandoned calls played no message (4).
    assert 'Violations recomputed from the log: <span class="bad">45 finding(s)' in html
    assert "not_checkable: call call-1 (seq 2)" in html
    assert "the lead has no candidate state or province" in html


def test_report_of_an_unknown_campaign(db_url: str, engine: Engine, tmp_path: Path) -> None:
    result = run_cli(db_url, "report", "campaign", "Nope", "--out", str(tmp_path / "r.html"))
    assert result.exit_code == 3
    assert result.output.startswith("error: no campaign named 'Nope'")
