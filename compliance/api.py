"""The compliance contract the engine depends on.

``Gate.check`` answers, for one lead of one campaign at one instant, allow or deny, with every
reason (rule id, its source, a detail), the next instant the number becomes callable, and the
evidence used (zones, states, data versions). It fails closed: a rule that cannot be evaluated
denies, with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

__all__ = [
    "Attempt",
    "CallHistory",
    "CampaignFacts",
    "Decision",
    "DncHit",
    "DncLookup",
    "Gate",
    "LeadFacts",
    "Reason",
]


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


@dataclass(frozen=True, slots=True)
class DncHit:
    """The number is on a do-not-call list."""

    list_name: str  # "national", "state:FL", "company", "campaign:<id>"
    version: str  # the list's data date or entry date, ISO format
    detail: str = ""


class DncLookup(Protocol):
    """Do-not-call data, as the rule evaluators see it (implemented in ``compliance.dnc``)."""

    def lookup(self, phone: str, campaign_id: int) -> tuple[DncHit, ...]:
        """Every list that holds ``phone`` (E.164) for this campaign."""
        ...

    def versions(self) -> Mapping[str, date]:
        """Data date of each loaded registry ("national", "state:FL", ...); missing = not loaded."""
        ...


@dataclass(frozen=True, slots=True)
class Attempt:
    """One past call attempt to a number, from the call log."""

    at: datetime
    campaign_id: int
    purpose: str
    debt_id: str | None = None
    conversation: bool = False  # a live person talked to an agent
    abandoned: bool = False


class CallHistory(Protocol):
    """Past attempts per number (implemented over the engine's call log)."""

    def attempts(self, phone: str, since: datetime) -> Sequence[Attempt]:
        """Attempts to ``phone`` at or after ``since``, oldest first."""
        ...
