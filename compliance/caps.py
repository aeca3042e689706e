"""Legal abandonment caps by country, from the ``abandonment`` section of ``data/rules.yaml``."""

from __future__ import annotations

from compliance.rules import AbandonCap, default_rules
from dialer.errors import ComplianceDataError

__all__ = ["abandon_cap", "legal_abandon_cap", "supported_countries"]

_ALIASES = {"UK": "GB"}


def supported_countries() -> tuple[str, ...]:
    return tuple(sorted(default_rules().abandonment))


def abandon_cap(country: str) -> AbandonCap:
    """The abandonment rule of ``country`` (ISO 3166 alpha-2), with its source."""
    code = _ALIASES.get(country.upper(), country.upper())
    entry = default_rules().abandonment.get(code)
    if entry is None:
        raise ComplianceDataError(
            f"no abandonment rules for country {country!r} "
            f"(known: {', '.join(supported_countries())})"
        )
    return entry


def legal_abandon_cap(country: str) -> float:
    """The maximum abandon rate allowed in ``country`` (ISO 3166 alpha-2)."""
    return abandon_cap(country).max_rate
