"""The compliance contract the engine depends on.

``Gate.check`` answers, for one lead of one campaign at one instant, allow or deny, with every
reason (rule id, its source, a detail), the next instant the number becomes callable, and the
evidence used (zones, states, data versions). It fails closed: a rule that cannot be evaluated
denies, with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

__all__ = ["CampaignFacts", "Decision", "Gate", "LeadFacts", "Reason"]


@dataclass(frozen=True, slots=True)
class LeadFacts:
    phone: str  # E.164
    timezones: tuple[str, ...]  # candidate IANA zones
    states: tuple[str, ...]  # candidate states/provinces, e.g. ("US-FL",) or ("FL",)
    country: str = "US"
    line_type: str = "unknown"
    consent_type: str = "none"
    consent_date: date | None = None
    ebr_purchase_date: date | None = None
    ebr_inquiry_date: date | None = None
    written_permission: bool = False
    debt_id: str | None = None
    lead_id: int | None = None


@dataclass(frozen=True, slots=True)
class CampaignFacts:
    campaign_id: int
    purpose: str
    dial_mode: str
    country: str = "US"
    local_start: str | None = None  # campaign's own hours, "HH:MM"
    local_end: str | None = None
    max_attempts: int = 5
    max_attempts_per_day: int = 3
    abandon_target: float = 0.03


@dataclass(frozen=True, slots=True)
class Reason:
    rule_id: str
    source: str
    detail: str
    allowed: bool


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reasons: tuple[Reason, ...]
    at: datetime
    next_allowed_at: datetime | None = None
    evidence: Mapping[str, object] = field(default_factory=dict)

    @property
    def denials(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if not r.allowed)


class Gate(Protocol):
    """Decides whether a number may be dialed now, and records the decision."""

    def check(self, lead: LeadFacts, campaign: CampaignFacts, at: datetime) -> Decision: ...
