"""How long the call log is kept, read from ``data/retention.yaml`` (with its sources)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

from dialer.errors import ComplianceDataError

__all__ = ["Retention", "retention"]


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


@cache
def _data() -> dict[str, dict[str, Any]]:
    text = resources.files("compliance.audit").joinpath("data/retention.yaml").read_text("utf-8")
    data: dict[str, dict[str, Any]] = yaml.safe_load(text)
    return data


def retention(country: str = "US") -> Retention:
    entry = _data().get(country.upper())
    if entry is None:
        raise ComplianceDataError(f"no record-keeping rule for country {country!r}")
    return Retention(country.upper(), int(entry["years"]), str(entry["rule"]), str(entry["source"]))
