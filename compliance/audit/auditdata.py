"""The audit's data (``data/audit.yaml``, with sources): how long the call log is kept, and
which abandoned calls must play a recorded message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

from dialer.errors import ComplianceDataError

__all__ = ["AbandonMessageRule", "Retention", "abandon_message_rule", "audit_data", "retention"]


@dataclass(frozen=True, slots=True)
class Retention:
    country: str
    years: int
    rule: str
    source: str

    def keep_until(self, last_day: date) -> date:
        """The first day a record of ``last_day`` may be discarded (29 Feb maps to 28 Feb)."""
        year = last_day.year + self.years
        try:
            return last_day.replace(year=year)
        except ValueError:
            return last_day.replace(year=year, day=28)


@dataclass(frozen=True, slots=True)
class AbandonMessageRule:
    rule_id: str
    purposes: frozenset[str]
    source: str


@cache
def audit_data() -> dict[str, Any]:
    """The audit's data file (``compliance/audit/data/audit.yaml``)."""
    text = resources.files("compliance.audit").joinpath("data/audit.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def retention(country: str = "US") -> Retention:
    entry = audit_data()["retention"].get(country.upper())
    if entry is None:
        raise ComplianceDataError(f"no record-keeping rule for country {country!r}")
    return Retention(country.upper(), int(entry["years"]), str(entry["rule"]), str(entry["source"]))


@cache
def abandon_message_rule() -> AbandonMessageRule:
    entry = audit_data()["abandon_message"]
    return AbandonMessageRule(
        str(entry["rule_id"]), frozenset(entry["purposes"]), str(entry["source"])
    )
