"""`dialer compliance ...` end to end on both back ends."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from campaigns.enums import LineType
from campaigns.models import Lead, LeadList
from campaigns.service import get_campaign
from compliance.abandonment import AbandonmentLedger
from compliance.dnc.build import import_registry
from compliance.dnc.lookup import open_lookup
from compliance.evaluate import Lookups
from compliance.facts import campaign_facts, lead_facts
from compliance.gate import ComplianceGate
from compliance.models import ComplianceDecision
from dialer.storage import make_engine, session_factory
from tests.cli_helpers import run_cli
from tests.compliance.memory import MemoryHistory

GOOD = "This is Acme Solar. Call us at 415-555-2671. Press 9 to be put on our do-not-call list."
LOADED = datetime(2026, 3, 1, 12, 0).astimezone()


@pytest.fixture
def db(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    data = tmp_path / "data"
    monkeypatch.setenv("DIALER_DATA_DIR", str(data))
    assert run_cli(db_url, "init").exit_code == 0
    for name, mode in (("Spring", "predictive"), ("Polls", "preview")):
        purpose = "telemarketing" if name == "Spring" else "survey"
        created = run_cli(db_url, "campaign", "create", name, "--purpose", purpose,
                          "--caller-id", "+14155552671", "--dial-mode", mode)  # fmt: skip
        assert created.exit_code == 0, created.output
    registry = tmp_path / "212_2026-03-01.txt"
    registry.write_text("2125550199\n")
    import_registry(data, "national", [registry], now=LOADED, data_date=date(2026, 3, 1))
    engine = make_engine(db_url)
    with session_factory(engine).begin() as session:
        lst = LeadList(campaign_id=1, name="main", created_at=LOADED)
        session.add(lst)
        session.flush()
        session.add(Lead(campaign_id=1, list_id=lst.id, phone="+12125550100",
                         timezones=["America/New_York"], states=["NY"],
                         line_type=LineType.LANDLINE, created_at=LOADED))  # fmt: skip
    engine.dispose()
    return db_url


def test_check_explains_an_allowed_call(db: str) -> None:
    result = run_cli(db, "compliance", "check", "212-555-0100", "--campaign", "Spring",
                     "--at", "2026-03-10T12:00:00-05:00")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ALLOWED: +12125550100 for campaign Spring")
    assert "facts: lead 1" in result.output
    assert "do-not-call data: national 2026-03-01" in result.output
    assert "ok   US.telemarketing.window" in result.output
    assert "source: 16 CFR 310.4(c)" in result.output


def test_check_explains_denials_and_the_next_instant(db: str) -> None:
    result = run_cli(db, "compliance", "check", "+12125550100", "--campaign", "Spring",
                     "--at", "2026-03-10T07:30:00-04:00")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith("DENIED")
    assert "next callable: 2026-03-10T12:00:00+00:00" in result.output
    assert "DENY US.telemarketing.window: Tue 2026-03-10 07:30 in America/New_York" in result.output
    listed = run_cli(db, "compliance", "check", "2125550199", "--campaign", "Spring",
                     "--at", "2026-03-10T12:00:00-05:00")  # fmt: skip
    assert "DENY US.telemarketing.dnc: on the national do-not-call registry" in listed.output
    assert "facts: not a lead of this campaign" in listed.output
    assert "next callable: not by waiting" in listed.output


def test_check_bad_input_is_one_line(db: str) -> None:
    result = run_cli(db, "compliance", "check", "2125550100", "--campaign", "Nope")
    assert (result.exit_code, result.output.strip()) == (3, "error: no campaign named 'Nope'")
    result = run_cli(db, "compliance", "check", "2125550100", "--campaign", "Spring",
                     "--at", "yesterday")  # fmt: skip
    assert result.exit_code == 2
    assert result.output.startswith("error: --at 'yesterday' is not an ISO time")


def test_decisions_lists_what_the_gate_stored(db: str) -> None:
    engine = make_engine(db)
    sessions = session_factory(engine)
    with Session(engine) as session:
        camp = campaign_facts(get_campaign(session, "Spring"))
        lead = lead_facts(session.get(Lead, 1))  # type: ignore[arg-type]
    lookups = Lookups(open_lookup(engine, Path(os.environ["DIALER_DATA_DIR"])), MemoryHistory())
    gate = ComplianceGate(sessions, lookups)
    gate.check(lead, camp, datetime.fromisoformat("2026-03-10T07:30:00-04:00"))
    gate.check(lead, camp, datetime.fromisoformat("2026-03-10T12:00:00-05:00"))
    with Session(engine) as session:
        assert session.query(ComplianceDecision).count() == 2
    engine.dispose()
    result = run_cli(db, "compliance", "decisions", "--campaign", "Spring")
    assert result.exit_code == 0, result.output
    assert "allowed" in result.output
    assert "US.telemarketing.window" in result.output
    none = run_cli(db, "compliance", "decisions", "--number", "+12125550199")
    assert none.output.strip() == "no stored decisions"


def test_abandonment_report(db: str) -> None:
    engine = make_engine(db)
    ledger = AbandonmentLedger(session_factory(engine))
    at = datetime.fromisoformat("2026-03-10T15:00:00+00:00")
    for i in range(50):
        ledger.record(1, at, abandoned=i < 2)
    engine.dispose()
    result = run_cli(db, "compliance", "abandonment", "--campaign", "Spring",
                     "--at", "2026-03-11T00:00:00+00:00")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Spring: 2 abandoned of 50 live answers (4.00%)" in result.output
    assert "FORCED TO PROGRESSIVE" in result.output
    assert "2026-03-10" in result.output


def test_preflight_fails_then_passes(db: str) -> None:
    result = run_cli(db, "compliance", "preflight", "Spring")
    assert result.exit_code == 4
    assert "FAIL safe_harbor: predictive dialing needs a safe-harbor message" in result.output
    assert "error: campaign 'Spring' cannot start" in result.output
    updated = run_cli(db, "campaign", "update", "Spring", "--safe-harbor", GOOD)
    assert updated.exit_code == 0, updated.output
    result = run_cli(db, "compliance", "preflight", "Spring")
    assert result.exit_code == 0, result.output
    assert "ok   safe_harbor.seller: names the seller: Acme Solar" in result.output
    assert result.output.strip().endswith("campaign 'Spring' may start")


def test_rules_show_their_sources(db: str) -> None:
    result = run_cli(db, "compliance", "rules", "--state", "FL", "--purpose", "telemarketing")
    assert result.exit_code == 0, result.output
    assert "US-FL: Florida" in result.output
    assert "US-FL.telemarketing.cap: at most 3 calls per purpose in 1 day" in result.output
    assert "source: Fla. Stat. 501.616(6)(b)" in result.output
    federal = run_cli(db, "compliance", "rules", "--purpose", "collections")
    assert "US.collections.after_conversation" in federal.output
    bad = run_cli(db, "compliance", "rules", "--state", "NY")
    assert bad.exit_code == 3
    assert "no rules for US-NY" in bad.output
