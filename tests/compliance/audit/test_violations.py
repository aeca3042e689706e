"""Violations recomputed from the log: each kind on a seeded bad record, none on good ones; and
`dialer audit explain` on a call dialed under a stored gate decision."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from campaigns.models import Campaign, Lead
from compliance.api import CallRecord
from compliance.audit import SqlCallLog
from compliance.audit.recheck import find_violations
from compliance.audit.violations import ViolationKind, classify
from compliance.dnc import open_lookup
from compliance.evaluate import Lookups
from compliance.facts import campaign_facts, lead_facts
from compliance.gate import ComplianceGate
from compliance.rules import default_rules
from dialer.storage import session_factory
from tests.cli_helpers import run_cli
from tests.compliance.audit.factory import record
from tests.compliance.audit.world import World, build_world
from tests.compliance.memory import MemoryHistory

MORNING = datetime(2026, 3, 2, 18, tzinfo=UTC)  # Monday 10:00 in California


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> World:
    with session_factory(engine).begin() as session:
        return build_world(session, tmp_path)


def call(world: World, n: int, lead: str, at: datetime, **changes: object) -> CallRecord:
    row = world.leads[lead]
    return record(
        n,
        at=at,
        campaign_id=row.campaign_id,
        lead_id=row.id,
        phone=row.phone,
        timezones=("America/Los_Angeles",),
        **changes,
    )


def scan(engine: Engine, world: World) -> list[tuple[ViolationKind, str]]:
    with Session(engine) as session:
        _, found = find_violations(session, world.lookup(session), default_rules())
    return sorted((v.kind, v.call.call_id) for v in found)


def test_good_calls_have_no_violation(engine: Engine, world: World) -> None:
    records = [
        call(world, 1, "A", MORNING),
        call(world, 2, "A", MORNING + timedelta(hours=2)),
        call(world, 3, "D", MORNING + timedelta(days=4)),  # off the company list since 03-05
        call(world, 4, "G", MORNING, abandoned=True, safe_harbor_played=True),
        call(world, 5, "auto-A", MORNING),  # automated, but to a landline
    ]
    SqlCallLog(engine).append_many(records)
    assert scan(engine, world) == []


def test_each_kind_of_violation_is_found(engine: Engine, world: World) -> None:
    records = [
        call(world, 1, "B", datetime(2026, 3, 2, 6, tzinfo=UTC)),  # 22:00 the evening before
        call(world, 2, "C", MORNING),  # on the national registry
        call(world, 3, "D", MORNING),  # on the company list at that time
        *(call(world, 10 + i, "E", MORNING + timedelta(hours=i)) for i in range(4)),
        call(world, 20, "auto-F", MORNING),  # automated call to a wireless number, no consent
        call(world, 30, "G", MORNING, abandoned=True, safe_harbor_played=False),
    ]
    SqlCallLog(engine).append_many(records)
    assert scan(engine, world) == sorted(
        [
            (ViolationKind.WINDOW, "call-1"),
            (ViolationKind.DNC, "call-2"),
            (ViolationKind.DNC, "call-3"),
            (ViolationKind.FREQUENCY, "call-13"),  # the 4th call of the day (campaign: 3 a day)
            (ViolationKind.CONSENT, "call-20"),
            (ViolationKind.ABANDON_MESSAGE, "call-30"),
        ]
    )


def test_findings_carry_their_evidence(
    db_url: str, engine: Engine, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    SqlCallLog(engine).append(call(world, 1, "B", datetime(2026, 3, 2, 6, tzinfo=UTC)))
    monkeypatch.setenv("DIALER_DATA_DIR", str(world.data_dir))
    result = run_cli(db_url, "audit", "violations", "--format", "json")
    assert result.exit_code == 1
    [finding] = [json.loads(line) for line in result.output.splitlines()]
    assert finding["kind"] == "outside_calling_window"
    assert finding["call_id"] == "call-1"
    assert "310.4(c)" in finding["source"] or "64.1200" in finding["source"]
    assert finding["evidence"]["local_times"] == {
        "America/Los_Angeles": "2026-03-01T22:00:00-08:00"
    }
    assert finding["evidence"]["dnc_versions"] == {"national": "2026-03-01"}
    table = run_cli(db_url, "audit", "violations", "--campaign", "Auto")
    assert table.exit_code == 0, table.output
    assert "0 violation(s) in 0 calls checked" in table.output


def test_a_missing_registry_fails_closed(engine: Engine, world: World, tmp_path: Path) -> None:
    SqlCallLog(engine).append(call(world, 1, "A", MORNING))
    world.data_dir = tmp_path / "empty"
    assert scan(engine, world) == [(ViolationKind.DNC, "call-1")]


@pytest.mark.parametrize(
    ("rule_id", "kind"),
    [
        ("US.telemarketing.window", ViolationKind.WINDOW),
        ("US-TX.telemarketing.window.2", ViolationKind.WINDOW),
        ("campaign.hours", ViolationKind.WINDOW),
        ("window.dst", ViolationKind.WINDOW),
        ("company.dnc", ViolationKind.DNC),
        ("US.telemarketing.dnc.1", ViolationKind.DNC),
        ("US-FL.telemarketing.cap", ViolationKind.FREQUENCY),
        ("US.collections.after_conversation", ViolationKind.FREQUENCY),
        ("campaign.max_attempts_per_day", ViolationKind.FREQUENCY),
        ("US.telemarketing.consent", ViolationKind.CONSENT),
        ("evaluation", ViolationKind.UNCHECKABLE),
    ],
)
def test_rule_ids_are_classified(rule_id: str, kind: ViolationKind) -> None:
    assert classify(rule_id) is kind


def test_explain_shows_the_stored_decision(
    db_url: str, engine: Engine, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    sessions = session_factory(engine)
    with sessions() as session:
        lead = session.get_one(Lead, world.leads["A"].id)
        campaign = session.get_one(Campaign, world.preview)
        facts = lead_facts(lead, campaign.country), campaign_facts(campaign)
    gate = ComplianceGate(sessions, Lookups(open_lookup(engine, world.data_dir), MemoryHistory()))
    decision = gate.check(*facts, MORNING - timedelta(seconds=1))
    assert decision.allowed
    assert decision.id is not None
    log = SqlCallLog(engine)
    log.append(call(world, 1, "A", MORNING, decision_id=decision.id))
    log.append(call(world, 2, "A", MORNING + timedelta(hours=1)))
    monkeypatch.setenv("DIALER_DATA_DIR", str(world.data_dir))

    result = run_cli(db_url, "audit", "explain", "call-1")
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"decision #{decision.id} at 2026-03-02T17:59:59+00:00: ALLOWED" in out
    assert "do-not-call data: national of 2026-03-01" in out
    assert "zones ['America/Los_Angeles']" in out
    assert "local time(s) America/Los_Angeles 2026-03-02T10:00:00-08:00" in out
    assert "[allow] US.telemarketing.window" in out
    assert "recomputed from the log now: no violation" in out

    as_json = json.loads(run_cli(db_url, "audit", "explain", "call-1", "--format", "json").output)
    reasons = as_json["decision"]["reasons"]
    assert all(r["source"] for r in reasons)
    assert {r["rule_id"].split(".")[-1] for r in reasons} >= {"window", "dnc"}

    bare = run_cli(db_url, "audit", "explain", "call-2")
    assert "decision: none stored" in bare.output
    missing = run_cli(db_url, "audit", "explain", "nope")
    assert missing.exit_code == 3
    assert missing.output.strip() == "error: no call 'nope' in the call log"
