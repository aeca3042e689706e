"""The one entry point: ``evaluate(lead, campaign, at, lookups) -> Decision``.

:func:`decide` is pure: a function of the rules and of :class:`Facts` (the lead, the campaign,
the instant, the do-not-call hits and list versions, the past attempts). :func:`evaluate` and
:func:`evaluate_many` gather those facts through the lookups (the DNC lookup and the call
history) and call it. Anything that goes wrong denies, with the reason (fail closed).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache
from types import MappingProxyType

from compliance.api import (
    Attempt,
    CallHistory,
    CampaignFacts,
    Decision,
    DncHit,
    DncLookup,
    LeadFacts,
    Reason,
)
from compliance.consent import check_consent, consent_level, effective_line_type
from compliance.donotcall import check_dnc
from compliance.frequency import CapResult, check_caps
from compliance.plan import Plan, build_plan
from compliance.rules import RuleBook, default_rules
from compliance.tokens import Interner, Token
from compliance.windows import WindowSpec, check_window, explain_window, next_allowed

__all__ = ["HISTORY_SINCE", "Facts", "Lookups", "decide", "evaluate", "evaluate_many"]

HISTORY_SINCE = datetime(1970, 1, 1, tzinfo=UTC)  # max attempts per lead counts every attempt


@dataclass(frozen=True, slots=True)
class Facts:
    lead: LeadFacts
    campaign: CampaignFacts
    at: datetime
    hits: tuple[DncHit, ...] = ()
    versions: Mapping[str, date] = field(default_factory=dict)
    attempts: Sequence[Attempt] = ()


@dataclass(frozen=True)
class Lookups:
    dnc: DncLookup
    history: CallHistory
    rules: RuleBook = field(default_factory=default_rules)


def evaluate(lead: LeadFacts, campaign: CampaignFacts, at: datetime, lookups: Lookups) -> Decision:
    """Allow or deny one call, with every reason, the next callable instant and the evidence."""
    return evaluate_many([lead], campaign, at, lookups)[0]


def evaluate_many(
    leads: Sequence[LeadFacts], campaign: CampaignFacts, at: datetime, lookups: Lookups
) -> list[Decision]:
    """:func:`evaluate` for a batch of one campaign's leads (one DNC pass for the batch)."""
    try:
        hits = _dnc_hits(lookups.dnc, [lead.phone for lead in leads], campaign.campaign_id)
        versions = dict(lookups.dnc.versions())
    except Exception as exc:
        return [_error(lead, campaign, at, "dnc.lookup", exc) for lead in leads]
    out = []
    history, rules = lookups.history.attempts, lookups.rules
    with _collector_paused():
        for lead, lead_hits in zip(leads, hits, strict=True):
            try:
                attempts = history(lead.phone, HISTORY_SINCE)
            except Exception as exc:
                out.append(_error(lead, campaign, at, "history.lookup", exc))
                continue
            out.append(_safe(lead, campaign, at, lead_hits, versions, attempts, rules))
    return out


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A batch allocates many small acyclic objects that all survive it; the cyclic garbage
    collector would rescan them again and again (half the batch's time), so it waits."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _dnc_hits(dnc: DncLookup, phones: list[str], campaign_id: int) -> list[tuple[DncHit, ...]]:
    many = getattr(dnc, "lookup_many", None)
    if many is not None:
        return list(many(phones, campaign_id))
    return [dnc.lookup(phone, campaign_id) for phone in phones]


def decide(facts: Facts, rules: RuleBook) -> Decision:
    """The decision for ``facts`` under ``rules``: pure, and never raises."""
    f = facts
    return _safe(f.lead, f.campaign, f.at, f.hits, f.versions, f.attempts, rules)


def _safe(
    lead: LeadFacts,
    campaign: CampaignFacts,
    at: datetime,
    hits: Sequence[DncHit],
    dnc_versions: Mapping[str, date],
    attempts: Sequence[Attempt],
    rules: RuleBook,
) -> Decision:
    try:
        return _decide(lead, campaign, at, hits, dnc_versions, attempts, rules)
    except Exception as exc:
        return _error(lead, campaign, at, "evaluation", exc)


def _decide(
    lead: LeadFacts,
    campaign: CampaignFacts,
    at: datetime,
    hits: Sequence[DncHit],
    dnc_versions: Mapping[str, date],
    attempts: Sequence[Attempt],
    rules: RuleBook,
) -> Decision:
    if at.tzinfo is None:
        raise ValueError("the decision instant must be timezone-aware")
    automated = campaign.dial_mode in rules.automated_modes
    plan = build_plan(
        rules,
        lead.country,
        lead.states,
        lead.timezones,
        campaign.purpose,
        automated,
        campaign.local_start,
        campaign.local_end,
    )
    versions = _version_token(dnc_versions)
    own = _campaigns(campaign)
    evidence = _evidence(
        plan, versions, rules.version, effective_line_type(lead.line_type), len(attempts)
    )
    if plan.error is not None:
        return Decision(False, (plan.error,), at, None, evidence)
    spec = plan.window
    if spec is None:
        raise ValueError("a plan without error has a window")
    inside = check_window(spec, at)
    window = plan.window_ok if inside else _window_denials(spec, at, own)
    have = consent_level(lead, at)
    if hits:
        lasting = _lasting(plan, rules, lead, campaign, at, hits, dnc_versions)
    else:  # most leads: shared by every lead with the same few facts
        lasting = _clean_lasting(plan, rules, own, at.date(), versions, lead.line_type, have)
    if attempts:
        caps = check_caps(
            plan.caps, plan.conversation, lead, campaign, attempts, at, automated=automated
        )
    else:
        caps = _clean_caps(plan, own, have)
    reasons = window + lasting + caps.reasons
    if inside and caps.allowed and all(r.allowed for r in lasting):
        return Decision(True, reasons, at, at, evidence)
    # Consent, do-not-call and an exhausted lead do not pass with time: no next instant.
    if caps.forever or not all(r.allowed for r in lasting):
        return Decision(False, reasons, at, None, evidence)
    start = max(at, caps.release_at) if caps.release_at is not None else at
    return Decision(False, reasons, at, _next_allowed(spec, start), evidence)


def _lasting(
    plan: Plan,
    rules: RuleBook,
    lead: LeadFacts,
    campaign: CampaignFacts,
    at: datetime,
    hits: Sequence[DncHit],
    versions: Mapping[str, date],
) -> tuple[Reason, ...]:
    """Consent and do-not-call: denials that time does not lift."""
    reasons = check_consent(plan.consent, lead, at, automated=plan.automated)
    reasons.extend(
        check_dnc(
            plan.dnc,
            hits,
            versions,
            lead,
            at,
            campaign_id=campaign.campaign_id,
            purpose=campaign.purpose,
            company_source=rules.company_dnc_source,
        )
    )
    return tuple(reasons)


@lru_cache(maxsize=65536)
def _clean_lasting(
    plan: Plan,
    rules: RuleBook,
    campaign: Token[CampaignFacts],
    on: date,
    versions: Token[VersionKey],
    line_type: str,
    consent: str,
) -> tuple[Reason, ...]:
    """:func:`_lasting` for a lead on no list: only its line type and consent matter."""
    lead = LeadFacts("", plan.zones, plan.states, plan.country, line_type, consent)
    at = datetime.combine(on, time(12), tzinfo=UTC)
    return _lasting(plan, rules, lead, campaign.value, at, (), dict(versions.value))


@lru_cache(maxsize=16384)
def _clean_caps(plan: Plan, campaign: Token[CampaignFacts], consent: str) -> CapResult:
    """The caps of a number never called: only the lead's consent matters."""
    lead = LeadFacts("", plan.zones, plan.states, plan.country, consent_type=consent)
    return check_caps(
        plan.caps,
        plan.conversation,
        lead,
        campaign.value,
        (),
        HISTORY_SINCE,
        automated=plan.automated,
    )


@lru_cache(maxsize=4096)
def _window_denials(
    spec: WindowSpec, at: datetime, campaign: Token[CampaignFacts]
) -> tuple[Reason, ...]:
    out = []
    for rule, detail in explain_window(spec, at):
        if rule is not None:
            out.append(Reason(rule.rule_id, rule.source, detail, False))
        elif "campaign" in detail:
            source = f"campaign {campaign.value.campaign_id} settings (local hours)"
            out.append(Reason("campaign.hours", source, detail, False))
        else:
            out.append(Reason("window.dst", "zoneinfo (IANA time zone database)", detail, False))
    return tuple(out)


_next_allowed = lru_cache(maxsize=16384)(next_allowed)
VersionKey = tuple[tuple[str, date], ...]
_campaigns: Interner[CampaignFacts] = Interner()
_version_keys: Interner[VersionKey] = Interner()
_LAST_VERSIONS: list[tuple[Mapping[str, date], Token[VersionKey]]] = []


def _version_token(versions: Mapping[str, date]) -> Token[VersionKey]:
    """The DNC versions as a cache key. A batch shares one mapping: the last one is kept."""
    if _LAST_VERSIONS and _LAST_VERSIONS[0][0] is versions:
        return _LAST_VERSIONS[0][1]
    token = _version_keys(tuple(sorted(versions.items())))
    _LAST_VERSIONS[:] = [(versions, token)]
    return token


@lru_cache(maxsize=16384)
def _evidence(
    plan: Plan,
    versions: Token[VersionKey],
    rules_version: str,
    line_type: str,
    attempts: int,
) -> Mapping[str, object]:
    """The evidence of a decision: read-only, shared by decisions with the same facts."""
    return MappingProxyType(
        {
            "zones": plan.zones,
            "states": plan.states,
            "dnc_versions": {name: d.isoformat() for name, d in versions.value},
            "rules_version": rules_version,
            "automated": plan.automated,
            "line_type": line_type,
            "attempts": attempts,
        }
    )


def _error(
    lead: LeadFacts, campaign: CampaignFacts, at: datetime, rule: str, exc: Exception
) -> Decision:
    detail = f"could not be evaluated ({type(exc).__name__}: {exc}): denied (fail closed)"
    evidence = {"zones": list(lead.timezones), "states": list(lead.states)}
    return Decision(
        False,
        (Reason(rule, "fail closed (issue 3, section 9)", detail, False),),
        at,
        None,
        evidence,
    )
