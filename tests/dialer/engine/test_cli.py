"""`dialer demo` and `dialer run`, in-process, on each back end."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from campaigns.models import Campaign
from compliance.audit.models import CallLogRow
from compliance.models import ComplianceDecision
from dialer.engine.demo_data import DemoSpec, create_demo_campaign
from dialer.engine.models import CallRow
from dialer.storage import make_engine, session_factory
from tests.cli_helpers import run_cli


def test_demo_runs_a_shift_and_keeps_its_records(db_url: str) -> None:
    result = run_cli(
        db_url, "demo", "--agents", "4", "--hours", "0.25", "--dial-mode", "progressive"
    )
    assert result.exit_code == 0, result.output
    assert "connected" in result.output
    db = make_engine(db_url)
    with session_factory(db)() as s:
        campaign = s.scalars(select(Campaign)).one()
        assert campaign.name == "Demo survey 1"
        assert campaign.purpose == "survey"
        calls = s.scalars(select(CallRow)).all()
        assert len(calls) > 10
        # dialed under the real compliance gate: every call names its stored decision
        decided = set(s.scalars(select(ComplianceDecision.id)))
        assert all(c.decision_id in decided for c in calls)
        # and every finished attempt is in the audit call log
        logged = set(s.scalars(select(CallLogRow.call_id)))
        assert {c.id for c in calls if c.logged_at is not None} <= logged
    db.dispose()
    again = run_cli(db_url, "demo", "--agents", "2", "--hours", "0.1")
    assert again.exit_code == 0, again.output
    assert "Demo survey 2" in again.output


def test_demo_refuses_bad_options(db_url: str) -> None:
    result = run_cli(db_url, "demo", "--agents", "0")
    assert result.exit_code != 0
    assert "error: --agents" in result.output


def test_run_simulates_a_campaign_with_the_dashboard(db_url: str) -> None:
    assert run_cli(db_url, "init").exit_code == 0
    db = make_engine(db_url)
    with session_factory(db).begin() as s:
        create_demo_campaign(s, DemoSpec(name="Polls", leads=300), datetime(2026, 3, 9, tzinfo=UTC))
    db.dispose()
    result = run_cli(
        db_url,
        *("run", "--campaign", "Polls", "--simulate", "--agents", "3", "--duration", "900"),
        *("--start", "2026-03-10T19:00:00+00:00"),  # daytime in every US zone (a Tuesday)
    )
    assert result.exit_code == 0, result.output
    assert "open-dialer" in result.output  # the dashboard's title
    summary = result.output.strip().splitlines()[-1]
    assert summary.startswith("Polls: ")
    assert int(summary.split()[1]) > 10  # attempts


def test_run_without_campaigns_is_one_error_line(db_url: str) -> None:
    assert run_cli(db_url, "init").exit_code == 0
    result = run_cli(db_url, "run", "--simulate", "--duration", "10")
    assert result.exit_code != 0
    assert result.output.strip().startswith("error: no campaign")
