"""Do-not-call rules over the lookup's facts: pure.

The company list denies every campaign and purpose; a campaign's list denies that campaign. A
registry rule denies a listed number unless an exemption of the rule covers it, and fails closed
when its registry is required but not loaded, or older than the rule's ``max_age_days``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache

from compliance.api import DncHit, LeadFacts, Reason
from compliance.rules import DncRule

__all__ = ["EBR_INQUIRY_MONTHS", "EBR_PURCHASE_MONTHS", "add_months", "check_dnc", "exemption"]

EBR_PURCHASE_MONTHS = 18  # 16 CFR 310.2: after the last purchase, delivery or payment
EBR_INQUIRY_MONTHS = 3  # 16 CFR 310.2: after an inquiry or application
_REGISTERED = "registered"


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def exemption(rule: DncRule, lead: LeadFacts, on: date) -> str | None:
    """Which of the rule's exemptions covers the lead on ``on``, if any."""
    if "written_permission" in rule.exemptions and (
        lead.written_permission or lead.consent_type == "express_written"
    ):
        return "written permission"
    if "ebr" in rule.exemptions:
        bought = lead.ebr_purchase_date
        if bought is not None and bought <= on <= add_months(bought, EBR_PURCHASE_MONTHS):
            return f"established business relationship (purchase {bought})"
        asked = lead.ebr_inquiry_date
        if asked is not None and asked <= on <= add_months(asked, EBR_INQUIRY_MONTHS):
            return f"established business relationship (inquiry {asked})"
    return None


def _list_hits(hits: Sequence[DncHit], campaign_id: int, company_source: str) -> list[Reason]:
    out = []
    for hit in hits:
        if hit.list_name == "company":
            rule, source = "company.dnc", company_source
        elif hit.list_name == f"campaign:{campaign_id}":
            rule, source = "campaign.dnc", f"campaign {campaign_id} do-not-call list"
        else:
            continue
        detail = f"on the {hit.list_name} do-not-call list since {hit.version}: {hit.detail}"
        out.append(Reason(rule, source, detail, False))
    return out


def _registry(
    rule: DncRule,
    hits: Sequence[DncHit],
    versions: Mapping[str, date],
    lead: LeadFacts,
    on: date,
    purpose: str,
) -> Reason:
    def deny(detail: str) -> Reason:
        return Reason(rule.rule_id, rule.source, detail, False)

    version = versions.get(rule.registry)
    if version is None:
        if rule.required:
            return deny(
                f"the {rule.registry} do-not-call registry is not loaded: every {purpose} call "
                f"is denied until it is imported (dialer dnc import)"
            )
        return Reason(rule.rule_id, rule.source, f"{rule.registry} not loaded (optional)", True)
    age = (on - version).days
    if age > rule.max_age_days:
        return deny(
            f"the {rule.registry} do-not-call data is {age} days old (list of {version}; at most "
            f"{rule.max_age_days} allowed): every {purpose} call is denied until a fresh list "
            f"is imported"
        )
    listed = [h for h in hits if h.list_name == rule.registry] if hits else []
    if not listed:
        return _not_listed(rule, version)
    if all(h.detail == _REGISTERED for h in listed):
        exempt = exemption(rule, lead, on)
        if exempt is not None:
            detail = f"on {rule.registry} ({version}) but exempt: {exempt}"
            return Reason(rule.rule_id, rule.source, detail, True)
    return deny(f"on the {rule.registry} do-not-call registry ({version}): {listed[0].detail}")


@lru_cache(maxsize=1024)
def _not_listed(rule: DncRule, version: date) -> Reason:
    return Reason(rule.rule_id, rule.source, f"not on {rule.registry} ({version})", True)


def check_dnc(
    rules: Sequence[DncRule],
    hits: Sequence[DncHit],
    versions: Mapping[str, date],
    lead: LeadFacts,
    at: datetime,
    *,
    campaign_id: int,
    purpose: str,
    company_source: str,
) -> list[Reason]:
    reasons = _list_hits(hits, campaign_id, company_source)
    on = at.date()
    reasons.extend(_registry(rule, hits, versions, lead, on, purpose) for rule in rules)
    return reasons
