"""Frequency caps over the call history: pure functions of rules, facts and past attempts.

Every count is over a rolling window ending at the decision's instant (at least as strict as the
calendar-day wording of Regulation F). A denial carries the instant the cap releases: when
enough counted attempts have left the window (or the conversation block ends).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from compliance.api import Attempt, CampaignFacts, LeadFacts, Reason
from compliance.consent import consent_level
from compliance.rules import CapRule, ConversationRule

__all__ = ["CapResult", "campaign_caps", "check_caps", "in_scope"]

CAMPAIGN_SOURCE = "campaign {id} settings (max attempts per lead and per day)"
_DAY = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class CapResult:
    reasons: tuple[Reason, ...]
    release_at: datetime | None  # the latest release of a denying cap
    forever: bool  # a cap that never releases (max attempts per lead) denies

    @property
    def allowed(self) -> bool:
        return all(r.allowed for r in self.reasons)


def in_scope(attempt: Attempt, per: str, lead: LeadFacts, campaign: CampaignFacts) -> bool:
    """Whether ``attempt`` counts toward a cap counted ``per`` number/purpose/campaign/debt.

    Collections attempts without a debt id count toward every debt (fail closed).
    """
    if per == "number":
        return True
    if per == "purpose":
        return attempt.purpose == campaign.purpose
    if per == "campaign":
        return attempt.campaign_id == campaign.campaign_id
    if attempt.purpose != "collections":
        return False
    return lead.debt_id is None or attempt.debt_id in (None, lead.debt_id)


def _count(
    rule_id: str,
    source: str,
    times: Sequence[datetime],
    max_calls: int,
    period: timedelta,
    at: datetime,
    what: str,
) -> tuple[Reason, datetime | None]:
    recent = [t for t in times if at - period < t <= at] if times else []
    if len(recent) < max_calls:
        return _under(rule_id, source, len(recent), max_calls, period, what), None
    release = recent[len(recent) - max_calls] + period
    detail = (
        f"{len(recent)} {what} in the last {_fmt(period)} (at most {max_calls}); "
        f"callable again from {release.isoformat()}"
    )
    return Reason(rule_id, source, detail, False), release


@lru_cache(maxsize=4096)
def _under(
    rule_id: str, source: str, count: int, max_calls: int, period: timedelta, what: str
) -> Reason:
    detail = f"{count} of {max_calls} {what} in the last {_fmt(period)}"
    return Reason(rule_id, source, detail, True)


@lru_cache(maxsize=4096)
def _total(campaign_id: int, count: int, max_attempts: int) -> Reason:
    ok = count < max_attempts
    detail = f"{count} of {max_attempts} attempts made" + (
        "" if ok else ": the lead is exhausted for this campaign"
    )
    return Reason("campaign.max_attempts", _campaign_source(campaign_id), detail, ok)


@lru_cache(maxsize=1024)
def _campaign_source(campaign_id: int) -> str:
    return CAMPAIGN_SOURCE.format(id=campaign_id)


@lru_cache(maxsize=1024)
def _label(cap: CapRule) -> str:
    return f"{'abandoned ' if cap.abandoned_only else ''}calls per {cap.per}"


@lru_cache(maxsize=1024)
def _no_conversation(rule: ConversationRule) -> Reason:
    return Reason(rule.rule_id, rule.source, "no recent conversation", True)


def check_caps(
    caps: Sequence[CapRule],
    conversation: Sequence[ConversationRule],
    lead: LeadFacts,
    campaign: CampaignFacts,
    attempts: Sequence[Attempt],
    at: datetime,
    *,
    automated: bool,
) -> CapResult:
    reasons: list[Reason] = []
    releases: list[datetime] = []
    for cap in caps:
        if (cap.automated_only and not automated) or (
            cap.unless_consent and consent_level(lead, at) != "none"
        ):
            continue
        times = [
            a.at
            for a in attempts
            if in_scope(a, cap.per, lead, campaign) and (a.abandoned or not cap.abandoned_only)
        ]
        reason, release = _count(
            cap.rule_id, cap.source, sorted(times), cap.max_calls, cap.period, at, _label(cap)
        )
        reasons.append(reason)
        releases.extend([release] if release else [])
    for rule in conversation:
        talks = [
            a.at
            for a in attempts
            if a.conversation and a.at <= at and in_scope(a, rule.per, lead, campaign)
        ]
        last = max(talks, default=None)
        if last is not None and at < last + rule.block:
            release = last + rule.block
            detail = f"conversation at {last.isoformat()}: no call until {release.isoformat()}"
            reasons.append(Reason(rule.rule_id, rule.source, detail, False))
            releases.append(release)
        else:
            reasons.append(_no_conversation(rule))
    cid = campaign.campaign_id
    mine = sorted([a.at for a in attempts if a.campaign_id == cid and a.at <= at])
    total = _total(cid, len(mine), campaign.max_attempts)
    daily, release = _count(
        "campaign.max_attempts_per_day",
        _campaign_source(cid),
        mine,
        campaign.max_attempts_per_day,
        _DAY,
        at,
        "campaign attempts",
    )
    reasons.append(total)
    reasons.append(daily)
    if release is not None:
        releases.append(release)
    return CapResult(tuple(reasons), max(releases, default=None), not total.allowed)


def campaign_caps(
    lead: LeadFacts, campaign: CampaignFacts, attempts: Sequence[Attempt], at: datetime
) -> CapResult:
    """The campaign's own maximum attempts per lead (ever) and per rolling 24 h."""
    return check_caps((), (), lead, campaign, attempts, at, automated=False)


def _fmt(period: timedelta) -> str:
    hours = int(period.total_seconds() // 3600)
    return f"{hours // 24} days" if hours % 24 == 0 and hours > 24 else f"{hours} h"
