"""The rules data: complete, sourced, and validated at load (a malformed file is a clear error)."""

from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from compliance.caps import legal_abandon_cap, supported_countries
from compliance.ruledata import PURPOSES
from compliance.rules import default_rules, load_rules, parse_rules
from dialer.errors import ComplianceDataError

# Every jurisdiction of the research note (compliance.md sections 1-6; compliance_rules.yaml).
RESEARCHED = (
    "US", "US-AL", "US-CT", "US-DC", "US-FL", "US-KY", "US-LA", "US-MA", "US-MD", "US-ME",
    "US-MS", "US-OK", "US-PA", "US-RI", "US-TX", "US-UT", "US-WA", "US-WY", "CA", "CA-BC", "GB",
)  # fmt: skip


def _data() -> dict[str, Any]:
    text = resources.files("compliance").joinpath("data/rules.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def test_every_researched_jurisdiction_and_purpose_has_rules() -> None:
    book = default_rules()
    assert set(book.jurisdictions) == set(RESEARCHED)
    for jur in book.jurisdictions.values():
        assert set(jur.purposes) == set(PURPOSES)


def test_every_rule_names_its_source() -> None:
    for jur in default_rules().jurisdictions.values():
        for p in jur.purposes.values():
            assert p.source.strip(), p.jurisdiction
            rules = [*p.windows, *p.consent, *p.dnc, *p.caps]
            rules += [p.after_conversation] if p.after_conversation else []
            for rule in rules:
                assert rule.source.strip()
                assert rule.rule_id.startswith(f"{jur.code}.{p.purpose}.")


def test_rule_ids_are_unique() -> None:
    ids = [
        r.rule_id
        for jur in default_rules().jurisdictions.values()
        for p in jur.purposes.values()
        for r in (*p.windows, *p.consent, *p.dnc, *p.caps)
    ]
    assert len(ids) == len(set(ids))


def test_the_campaign_cli_abandon_caps_still_read_the_rules() -> None:
    assert legal_abandon_cap("US") == 0.03  # 16 CFR 310.4(b)(4)(i)
    assert legal_abandon_cap("ca") == 0.05  # CRTC (unverified 5%)
    assert legal_abandon_cap("UK") == legal_abandon_cap("GB") == 0.03  # Ofcom 2010 (historical)
    assert supported_countries() == ("CA", "GB", "US")
    with pytest.raises(ComplianceDataError, match="no abandonment rules for country 'FR'"):
        legal_abandon_cap("FR")


def _set(data: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    out = copy.deepcopy(data)
    *parents, last = path.split("/")
    node: Any = out
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return out


_DELETE = object()
_TM = "jurisdictions/US/purposes/telemarketing"
MALFORMED = [
    (f"{_TM}/windows/0/days/sat", "8:00-20", r"telemarketing.windows\[0\].days.sat: '8:00-20'"),
    (f"{_TM}/windows/0/days/sun", "21:00-08:00", "not a span within one day"),
    (f"{_TM}/consent/0/level", "implied", "consent.*'implied' is not one of"),
    (f"{_TM}/dnc/0/exemptions", ["friendship"], "exemptions: unknown"),
    (f"{_TM}/dnc/0/max_age_days", 0, "max_age_days: must be at least 1"),
    (f"{_TM}/source", _DELETE, r"US.purposes.telemarketing.source: missing"),
    (f"{_TM}/verified", "yes", "verified: expected bool"),
    ("jurisdictions/US/purposes/gardening", {}, "unknown \\['gardening'\\]"),
    ("jurisdictions/US-FL/purposes/survey", _DELETE, "missing \\['survey'\\]"),
    ("jurisdictions/US/purposes/collections/caps/0/period_hours", 24, "exactly one of"),
    ("jurisdictions/US-FL/purposes/telemarketing/caps/0/per", "planet", "'planet' is not one"),
    ("jurisdictions/US-XX", {"country": "US", "name": "x", "holidays": {"country": "US"},
                             "purposes": {}}, "missing"),
    ("jurisdictions/FR-75", _data()["jurisdictions"]["US-DC"], "must start with its country US"),
    ("jurisdictions/US", _DELETE, "US-AL has no federal layer US"),
    ("abandonment/US/max_rate", 3, "max_rate: must be between 0 and 1"),
    ("schema_version", 2, "schema_version must be 1"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "value", "message"), MALFORMED)
def test_a_malformed_rules_file_is_a_clear_error(path: str, value: object, message: str) -> None:
    text = yaml.safe_dump(_set(_data(), path, value))
    with pytest.raises(ComplianceDataError, match=message):
        parse_rules(text, "rules.yaml")


def test_unreadable_and_invalid_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ComplianceDataError, match="cannot read rules file"):
        load_rules(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("jurisdictions: [unclosed\n")
    with pytest.raises(ComplianceDataError, match="not valid YAML"):
        load_rules(bad)
    bad.write_text("- a list\n")
    with pytest.raises(ComplianceDataError, match="expected a mapping"):
        load_rules(bad)


def test_a_valid_copy_loads_with_its_own_version(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(_data()))
    book = load_rules(path)
    assert set(book.jurisdictions) == set(RESEARCHED)
    assert book.version != default_rules().version  # the version is the file's hash
