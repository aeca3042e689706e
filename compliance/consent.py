"""Consent for automated calls: pure checks over the lead's consent and line type.

An automated call (any dial mode but preview) needs the consent level each applicable rule
requires. A rule for wireless lines also covers VoIP and unknown line types (fail closed: an
unknown line is treated as wireless); a manual (preview) call is outside these rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from compliance.api import LeadFacts, Reason
from compliance.rules import ConsentRule

__all__ = ["CONSENT_RANK", "check_consent", "consent_level", "effective_line_type"]

CONSENT_RANK = {"none": 0, "express": 1, "express_written": 2}
_NOT_WIRELESS = frozenset({"landline"})


def effective_line_type(line_type: str) -> str:
    """The line type the rules see: anything but a known landline counts as wireless."""
    return "landline" if line_type in _NOT_WIRELESS else "wireless"


def consent_level(lead: LeadFacts, at: datetime) -> str:
    """The lead's consent in force at ``at`` (consent dated in the future does not count)."""
    if lead.consent_date is not None and lead.consent_date > at.date():
        return "none"
    return lead.consent_type if lead.consent_type in CONSENT_RANK else "none"


def check_consent(
    rules: Sequence[ConsentRule], lead: LeadFacts, at: datetime, *, automated: bool
) -> list[Reason]:
    """One reason per applicable rule (allowed or denied)."""
    if not automated or not rules:
        return []
    line = effective_line_type(lead.line_type)
    have = consent_level(lead, at)
    reasons = []
    for rule in rules:
        if rule.lines == "wireless" and line != "wireless":
            continue
        assumed = " (unknown line type: treated as wireless)" if lead.line_type == "unknown" else ""
        ok = CONSENT_RANK[have] >= CONSENT_RANK[rule.level]
        verb = "has" if ok else "lacks"
        detail = (
            f"automated call to a {line} line{assumed} needs {rule.level} consent; "
            f"the lead {verb} it (consent in force: {have})"
        )
        reasons.append(Reason(rule.rule_id, rule.source, detail, ok))
    return reasons
