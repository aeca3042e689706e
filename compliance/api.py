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
    "AbandonBudget",
    "Attempt",
    "CallHistory",
    "CallLog",
    "CallRecord",
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
    id: int | None = None  # the stored decision's id, once the gate has recorded it

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


class AbandonBudget(Protocol):
    """The abandonment ledger, as the engine and the pacer see it (``compliance.abandonment``).

    The engine reports every live answer (a person answered), saying whether it was abandoned;
    the rate is abandoned / live answers over the legal window (30 days in the US).
    """

    def record(self, campaign_id: int, at: datetime, *, abandoned: bool) -> None:
        """One live answer of the campaign at ``at``."""
        ...

    def remaining(self, campaign_id: int, at: datetime, target: float) -> float:
        """Abandons still allowed in the window ending at ``at`` before the rate exceeds
        ``target`` (<= 0: none; pacing must then fall back to progressive)."""
        ...


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One call attempt, as the audit log keeps it (appended once the attempt is final: ended,
    and dispositioned if it reached an agent)."""

    call_id: str  # the engine's own call id
    campaign_id: int
    lead_id: int | None
    phone: str  # E.164
    purpose: str
    decision_id: int | None  # the compliance decision it was dialed under
    carrier: str  # "simulated", "twilio"
    carrier_call_id: str | None
    states: tuple[tuple[str, datetime], ...]  # every state the call went through, with its time
    outcome: str  # completed, busy, no_answer, failed, canceled
    answered_by: str | None = None  # human, machine, unknown
    agent_id: str | None = None
    disposition: str | None = None
    abandoned: bool = False
    safe_harbor_played: bool = False
    timezones: tuple[str, ...] = ()  # the zones the decision used
    recording_ref: str | None = None


class CallLog(Protocol):
    """The append-only, hash-chained call log (implemented in ``compliance.audit``)."""

    def append(self, record: CallRecord) -> None: ...
