"""The one entry point: ``evaluate(lead, campaign, at, lookups) -> Decision``.

:func:`decide` is pure: a function of the rules and of :class:`Facts` (the lead, the campaign,
the instant, the do-not-call hits and list versions, the past attempts). :func:`evaluate` and
:func:`evaluate_many` gather those facts through the lookups (the DNC lookup and the call
history) and call it. Anything that goes wrong denies, with the reason (fail closed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache

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
from compliance.consent import check_consent, effective_line_type
from compliance.donotcall import check_dnc
from compliance.frequency import check_caps
from compliance.plan import RULES_SOURCE, Plan, build_plan
from compliance.rules import RuleBook, default_rules
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
    for lead, lead_hits in zip(leads, hits, strict=True):
        try:
            attempts = lookups.history.attempts(lead.phone, HISTORY_SINCE)
        except Exception as exc:
            out.append(_error(lead, campaign, at, "history.lookup", exc))
            continue
        facts = Facts(lead, campaign, at, lead_hits, versions, attempts)
        out.append(decide(facts, lookups.rules))
    return out


def _dnc_hits(dnc: DncLookup, phones: list[str], campaign_id: int) -> list[tuple[DncHit, ...]]:
    many = getattr(dnc, "lookup_many", None)
    if many is not None:
        return list(many(phones, campaign_id))
    return [dnc.lookup(phone, campaign_id) for phone in phones]


def decide(facts: Facts, rules: RuleBook) -> Decision:
    """The decision for ``facts`` under ``rules``: pure, and never raises."""
    try:
        return _decide(facts, rules)
    except Exception as exc:
        return _error(facts.lead, facts.campaign, facts.at, "evaluation", exc)


def _decide(facts: Facts, rules: RuleBook) -> Decision:
    lead, campaign, at = facts.lead, facts.campaign, facts.at
    if at.tzinfo is None:
        raise ValueError("the decision instant must be timezone-aware")
    automated = rules.is_automated(campaign.dial_mode)
    plan = build_plan(
        rules,
        lead.country,
        tuple(lead.states),
        tuple(lead.timezones),
        campaign.purpose,
        automated,
        campaign.local_start,
        campaign.local_end,
    )
    evidence = _evidence(plan, facts, rules)
    if plan.error is not None or plan.window is None:
        reason = plan.error or Reason("evaluation", RULES_SOURCE, "no window plan", False)
        return Decision(False, (reason,), at, None, evidence)
    inside = check_window(plan.window, at)
    reasons = list(plan.window_ok if inside else _window_denials(plan.window, at, campaign))
    lasting = check_consent(plan.consent, lead, at, automated=automated)
    lasting.extend(
        check_dnc(
            plan.dnc,
            facts.hits,
            facts.versions,
            lead,
            at,
            campaign_id=campaign.campaign_id,
            purpose=campaign.purpose,
            company_source=rules.company_dnc_source,
        )
    )
    caps = check_caps(
        plan.caps, plan.conversation, lead, campaign, facts.attempts, at, automated=automated
    )
    reasons.extend(lasting)
    reasons.extend(caps.reasons)
    allowed = all(r.allowed for r in reasons)
    if allowed:
        return Decision(True, tuple(reasons), at, at, evidence)
    # Consent, do-not-call and an exhausted lead do not pass with time: no next instant.
    permanent = caps.forever or not all(r.allowed for r in lasting)
    start = max(at, caps.release_at) if caps.release_at is not None else at
    next_at = None if permanent else next_allowed(plan.window, start)
    return Decision(False, tuple(reasons), at, next_at, evidence)


@lru_cache(maxsize=4096)
def _window_denials(spec: WindowSpec, at: datetime, campaign: CampaignFacts) -> tuple[Reason, ...]:
    out = []
    for rule, detail in explain_window(spec, at):
        if rule is not None:
            out.append(Reason(rule.rule_id, rule.source, detail, False))
        elif "campaign" in detail:
            source = f"campaign {campaign.campaign_id} settings (local hours)"
            out.append(Reason("campaign.hours", source, detail, False))
        else:
            out.append(Reason("window.dst", "zoneinfo (IANA time zone database)", detail, False))
    return tuple(out)


def _evidence(plan: Plan, facts: Facts, rules: RuleBook) -> dict[str, object]:
    return {
        "zones": list(plan.zones),
        "states": list(plan.states),
        "dnc_versions": {name: d.isoformat() for name, d in sorted(facts.versions.items())},
        "rules_version": rules.version,
        "automated": plan.automated,
        "line_type": effective_line_type(facts.lead.line_type),
        "attempts": len(facts.attempts),
    }


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
