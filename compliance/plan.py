"""Which rules apply to a call: the layers of a lead's country and candidate states for the
campaign's purpose, compiled once per (lead shape, campaign shape) and cached.

A plan that cannot be built (unknown zone, country or state, a purpose without rules, invalid
campaign hours) carries the denial instead: the caller fails closed with that reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from compliance.api import Reason
from compliance.calendars import known_subdivisions
from compliance.rules import (
    CapRule,
    ConsentRule,
    ConversationRule,
    DncRule,
    PurposeRules,
    RuleBook,
)
from compliance.windows import Layer, WindowSpec

__all__ = ["Plan", "build_plan", "normalize_state"]

_COUNTRY_ALIASES = {"UK": "GB"}
RULES_SOURCE = "compliance/data/rules.yaml"


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: plans are cached
class Plan:
    country: str
    states: tuple[str, ...]  # normalized, e.g. ("US-FL",)
    zones: tuple[str, ...]
    automated: bool
    layers: tuple[PurposeRules, ...] = ()
    window: WindowSpec | None = None
    window_ok: tuple[Reason, ...] = ()  # the reasons of an allowed window check
    consent: tuple[ConsentRule, ...] = ()
    dnc: tuple[DncRule, ...] = ()
    caps: tuple[CapRule, ...] = ()
    conversation: tuple[ConversationRule, ...] = ()
    error: Reason | None = None  # set: the call is denied (fail closed) for this reason


def normalize_state(country: str, state: str) -> str:
    code = state.strip().upper()
    return code if "-" in code else f"{country}-{code}"


def _fail(
    country: str, states: tuple[str, ...], zones: tuple[str, ...], rule: str, why: str
) -> Plan:
    reason = Reason(rule, RULES_SOURCE, why, False)
    return Plan(country, states, zones, False, error=reason)


def _hours(start: str | None, end: str | None) -> tuple[int, int] | str | None:
    if start is None and end is None:
        return None
    try:
        h1, m1 = (int(x) for x in (start or "00:00").split(":"))
        h2, m2 = (int(x) for x in (end or "24:00").split(":"))
    except ValueError:
        return f"campaign hours {start}-{end} are not HH:MM"
    lo, hi = h1 * 60 + m1, h2 * 60 + m2
    if not 0 <= lo < hi <= 24 * 60:
        return f"campaign hours {start}-{end} are not a span within one day"
    return lo, hi


@lru_cache(maxsize=4096)
def build_plan(
    rules: RuleBook,
    country: str,
    states: tuple[str, ...],
    zones: tuple[str, ...],
    purpose: str,
    automated: bool,
    local_start: str | None,
    local_end: str | None,
) -> Plan:
    country = _COUNTRY_ALIASES.get(country.upper(), country.upper())
    norm = tuple(sorted({normalize_state(country, s) for s in states}))

    def fail(rule: str, why: str) -> Plan:
        return _fail(country, norm, zones, rule, why)

    federal = rules.jurisdiction(country)
    if federal is None:
        return fail("rules.country", f"no compliance rules for country {country!r}")
    top = federal.purposes.get(purpose)
    if top is None or not top.applies:
        return fail("rules.purpose", f"no {country} rules for purpose {purpose!r}")
    if not zones:
        return fail("window.zone", "unknown time zone: the lead has no candidate time zone")
    for name in zones:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return fail("window.zone", f"unknown time zone {name!r}")
    subdivisions = known_subdivisions(country)
    layered = any(code.startswith(country + "-") for code in rules.jurisdictions)
    if layered and not norm:
        return fail("rules.state", "unknown state: the lead has no candidate state or province")
    for state in norm:
        if not state.startswith(country + "-") or state.split("-", 1)[1] not in subdivisions:
            return fail("rules.state", f"unknown state or province {state!r} for {country}")
    hours = _hours(local_start, local_end)
    if isinstance(hours, str):
        return fail("campaign.hours", hours)
    layers = [top]
    for state in norm:
        jur = rules.jurisdiction(state)
        if jur is not None and jur.purposes[purpose].applies:
            layers.append(jur.purposes[purpose])
    return _compile(rules, country, norm, zones, automated, tuple(layers), hours)


def _compile(
    rules: RuleBook,
    country: str,
    states: tuple[str, ...],
    zones: tuple[str, ...],
    automated: bool,
    layers: tuple[PurposeRules, ...],
    hours: tuple[int, int] | None,
) -> Plan:
    window_layers = tuple(
        Layer(w, rules.jurisdictions[p.jurisdiction].holidays)
        for p in layers
        for w in p.windows
        if automated or not w.automated_only
    )
    spec = WindowSpec(tuple(sorted(set(zones))), window_layers, hours)
    inside = f"inside the window in every candidate zone ({', '.join(spec.zones)})"
    ok = tuple(
        Reason(x.rule.rule_id, x.rule.source, f"{x.rule.describe()}: {inside}", True)
        for x in window_layers
    )
    conv = tuple(p.after_conversation for p in layers if p.after_conversation is not None)
    return Plan(
        country,
        states,
        zones,
        automated,
        layers,
        spec,
        ok,
        tuple(c for p in layers for c in p.consent),
        tuple(d for p in layers for d in p.dnc),
        tuple(c for p in layers for c in p.caps),
        conv,
    )
