"""Fail closed (issue 3, section 9): whatever cannot be evaluated denies, with the reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from importlib import resources

import pytest
import yaml

from compliance.api import Attempt, DncHit, LeadFacts
from compliance.evaluate import Facts, Lookups, decide, evaluate
from compliance.rules import parse_rules
from tests.compliance.memory import MemoryHistory, campaign, fresh_dnc, lead, utc

AT = utc("2026-03-10T16:00:00")


def _only_denial(who: LeadFacts, purpose: str = "telemarketing", **kw: object) -> tuple[str, str]:
    d = evaluate(who, campaign(purpose, **kw), AT, Lookups(fresh_dnc(), MemoryHistory()))
    assert not d.allowed
    assert d.next_allowed_at is None
    assert len(d.denials) == 1
    return d.denials[0].rule_id, d.denials[0].detail


@pytest.mark.parametrize(
    ("who", "rule", "message"),
    [
        (lead(zones=()), "window.zone", "no candidate time zone"),
        (lead(zones=("Mars/Olympus",)), "window.zone", "unknown time zone 'Mars/Olympus'"),
        (lead(zones=("../../etc/passwd",)), "window.zone", "unknown time zone"),
        (lead(states=()), "rules.state", "no candidate state"),
        (lead(states=("XX",)), "rules.state", "unknown state or province 'US-XX'"),
        (lead(states=("CA-BC",)), "rules.state", "unknown state or province 'CA-BC' for US"),
        (LeadFacts("+33142685300", ("Europe/Paris",), (), country="FR"), "rules.country",
         "no compliance rules for country 'FR'"),
    ],
)  # fmt: skip
def test_unknown_facts_deny(who: LeadFacts, rule: str, message: str) -> None:
    got_rule, detail = _only_denial(who)
    assert got_rule == rule
    assert message in detail


def test_a_purpose_without_rules_denies() -> None:
    assert _only_denial(lead(), "fundraising")[0] == "rules.purpose"
    text = resources.files("compliance").joinpath("data/rules.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    data["jurisdictions"]["US"]["purposes"]["survey"] = {"applies": False, "source": "x",
                                                         "verified": False}  # fmt: skip
    rules = parse_rules(yaml.safe_dump(data), "test")
    d = evaluate(lead(), campaign("survey"), AT, Lookups(fresh_dnc(), MemoryHistory(), rules))
    assert [r.rule_id for r in d.denials] == ["rules.purpose"]


def test_invalid_campaign_hours_deny() -> None:
    rule, detail = _only_denial(lead(), local_start="18:00", local_end="09:00")
    assert (rule, "not a span" in detail) == ("campaign.hours", True)
    assert _only_denial(lead(), local_start="9h", local_end="17:00")[0] == "campaign.hours"


class _BrokenDnc:
    def lookup(self, phone: str, campaign_id: int) -> tuple[DncHit, ...]:
        raise OSError("registry file vanished")

    def versions(self) -> Mapping[str, date]:
        return {}


class _BrokenHistory:
    def attempts(self, phone: str, since: datetime) -> Sequence[Attempt]:
        raise ConnectionError("database is gone")


def test_lookup_failures_deny_with_the_reason() -> None:
    d = evaluate(lead(), campaign(), AT, Lookups(_BrokenDnc(), MemoryHistory()))
    assert [r.rule_id for r in d.denials] == ["dnc.lookup"]
    assert "registry file vanished" in d.denials[0].detail
    d = evaluate(lead(), campaign(), AT, Lookups(fresh_dnc(), _BrokenHistory()))
    assert [r.rule_id for r in d.denials] == ["history.lookup"]
    assert "database is gone" in d.denials[0].detail
    assert d.next_allowed_at is None


def test_an_evaluation_error_denies() -> None:
    naive = datetime(2026, 3, 10, 12)  # the error under test
    d = decide(Facts(lead(), campaign(), naive), Lookups(fresh_dnc(), MemoryHistory()).rules)
    assert [r.rule_id for r in d.denials] == ["evaluation"]
    assert "timezone-aware" in d.denials[0].detail
    weird = Facts(lead(), campaign(), AT, attempts=[None])  # type: ignore[list-item]
    d = decide(weird, Lookups(fresh_dnc(), MemoryHistory()).rules)
    assert [r.rule_id for r in d.denials] == ["evaluation"]
    assert not d.allowed
