"""ComplianceGate on SQLite and PostgreSQL: every decision stored, append-only, with its id."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from compliance.abandonment import open_budget
from compliance.api import DncHit
from compliance.dnc.build import import_registry
from compliance.evaluate import Lookups
from compliance.gate import ComplianceGate, build_gate, decision_from_row, stored_decisions
from dialer.settings import Settings
from dialer.storage import session_factory
from tests.compliance.memory import MemoryHistory, campaign, fresh_dnc, lead, utc

NOON = utc("2026-03-10T17:00:00")  # 12:00 in New York, a Tuesday


def _gate(engine: Engine) -> tuple[ComplianceGate, MemoryHistory]:
    dnc = fresh_dnc()
    dnc.hits["+12125550199"] = (DncHit("national", "2026-03-01", "registered"),)
    history = MemoryHistory()
    return ComplianceGate(session_factory(engine), Lookups(dnc, history)), history


def test_every_decision_is_stored_with_reasons_and_evidence(engine: Engine) -> None:
    gate, _ = _gate(engine)
    ok = gate.check(lead(lead_id=7), campaign(), NOON)
    listed = gate.check(lead("+12125550199"), campaign(), NOON)
    assert ok.allowed
    assert ok.id is not None
    assert not listed.allowed
    assert listed.id == ok.id + 1
    with session_factory(engine)() as session:
        rows = stored_decisions(session)
        assert [r.id for r in rows] == [listed.id, ok.id]
        again = decision_from_row(rows[0])
    assert again.reasons == listed.reasons
    assert again.at == NOON
    assert again.allowed is False
    assert again.evidence["zones"] == ["America/New_York"]
    assert again.evidence["dnc_versions"]["national"] == "2026-03-01"
    assert rows[1].lead_id == 7


def test_check_many_returns_ids_in_order(engine: Engine) -> None:
    gate, _ = _gate(engine)
    leads = [lead(f"+1212555{i:04d}") for i in range(30)]
    decisions = gate.check_many(leads, campaign(), NOON)
    ids = [d.id for d in decisions]
    assert ids == sorted(ids)
    assert len(set(ids)) == 30
    with session_factory(engine)() as session:
        rows = stored_decisions(session, limit=100)
        phones = {r.id: r.phone for r in rows}
    assert [phones[i] for i in ids if i is not None] == [x.phone for x in leads]


def test_filters_by_campaign_and_number(engine: Engine) -> None:
    gate, _ = _gate(engine)
    gate.check(lead(), campaign(), NOON)
    gate.check(lead("+12125550101"), campaign(), NOON + timedelta(minutes=1))
    with session_factory(engine)() as session:
        assert len(stored_decisions(session, phone="+12125550101")) == 1
        assert len(stored_decisions(session, campaign_id=1)) == 2
        assert stored_decisions(session, campaign_id=2) == []


@pytest.mark.parametrize(
    "statement",
    ["UPDATE compliance_decisions SET allowed = false", "DELETE FROM compliance_decisions"],
)
def test_decisions_are_append_only(engine: Engine, statement: str) -> None:
    gate, _ = _gate(engine)
    gate.check(lead(), campaign(), NOON)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    with session_factory(engine)() as session:
        assert len(stored_decisions(session)) == 1


def test_a_decision_that_cannot_be_recorded_denies(engine: Engine) -> None:
    gate, _ = _gate(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE compliance_decisions"))
    decision = gate.check(lead(), campaign(), NOON)
    assert not decision.allowed
    assert decision.id is None
    assert decision.denials[-1].rule_id == "decision.record"


def test_build_gate_reads_the_registries_of_the_data_dir(engine: Engine, tmp_path: Path) -> None:
    gate = build_gate(session_factory(engine), Settings(data_dir=tmp_path), MemoryHistory())
    who = lead(line_type="landline")
    first = gate.check(who, campaign(), NOON)
    assert [r.rule_id for r in first.denials] == ["US.telemarketing.dnc"]  # nothing imported
    listing = tmp_path / "212_2026-03-01.txt"
    listing.write_text("2125550100\n")
    import_registry(tmp_path, "national", [listing], now=NOON, data_date=date(2026, 3, 1))
    again = gate.check(who, campaign(), NOON)  # the gate sees the new import
    assert "on the national do-not-call registry (2026-03-01)" in again.denials[0].detail
    assert again.id == first.id + 1  # type: ignore[operator]


def test_open_budget_is_the_ledger(engine: Engine) -> None:
    budget = open_budget(sessions=session_factory(engine))
    for i in range(100):
        budget.record(3, NOON, abandoned=i == 0)
    assert budget.remaining(3, NOON, 0.03) == pytest.approx(2 / 0.97)
