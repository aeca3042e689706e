"""Legal abandonment caps by country, read from ``data/abandonment.yaml``."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from dialer.errors import ComplianceDataError

__all__ = ["legal_abandon_cap", "supported_countries"]


@cache
def _caps() -> dict[str, dict[str, Any]]:
    text = resources.files("compliance").joinpath("data/abandonment.yaml").read_text("utf-8")
    data: dict[str, dict[str, Any]] = yaml.safe_load(text)
    return data


def supported_countries() -> tuple[str, ...]:
    return tuple(sorted(_caps()))


def legal_abandon_cap(country: str) -> float:
    """The maximum abandon rate allowed in ``country`` (ISO 3166 alpha-2)."""
    entry = _caps().get(country.upper())
    if entry is None:
        raise ComplianceDataError(
            f"no abandonment rules for country {country!r} "
            f"(known: {', '.join(supported_countries())})"
        )
    return float(entry["max_rate"])
