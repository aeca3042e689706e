"""Candidate zones and states of a bare number (no lead row): from its area code only."""

from __future__ import annotations

import holidays
import phonenumbers
from phonenumbers import geocoder, timezone

from compliance.api import LeadFacts

__all__ = ["facts_from_number"]


def _states(description: str, country: str) -> tuple[str, ...]:
    try:
        aliases: dict[str, str] = holidays.country_holidays(country).subdivisions_aliases
    except NotImplementedError:
        return ()
    codes = set(aliases.values())
    tail = description.rsplit(",", 1)[-1].strip()
    if tail in codes:
        return (tail,)
    return (aliases[description],) if description in aliases else ()


def facts_from_number(phone: str, country: str = "US") -> LeadFacts:
    """What the area code says: every zone phonenumbers lists, and the state it names (if any).
    No consent, no EBR, unknown line type: the rules treat it strictly."""
    parsed = phonenumbers.parse(phone, country)
    zones = tuple(z for z in timezone.time_zones_for_number(parsed) if "/" in z)
    region = phonenumbers.region_code_for_number(parsed) or country
    states = _states(geocoder.description_for_number(parsed, "en"), region)
    return LeadFacts(phone, zones, states, country=region)
