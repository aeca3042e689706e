"""Preview mode's policy, as data and pure functions: what a skip does to a lead, how long an
agent may look at a lead before it is released, and the offer an agent holds.

Skip policy: a skipped lead keeps its attempt count (a skip is not a call) and goes back to the
lead store, callable again by anyone after ``skip_delay_s`` (a new lead becomes a ``retry`` due
then, a retry or callback keeps its status); the ``max_skips``-th skip sets it aside (``done``,
last disposition ``skipped``), so a lead that every agent skips does not come back forever.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from campaigns.enums import LeadStatus
from dialer.engine.leads import ClaimedLead, LeadOutcome

__all__ = ["Offer", "PreviewPolicy", "after_skip"]


@dataclass(frozen=True, slots=True)
class PreviewPolicy:
    skip_delay_s: float = 3600.0  # a skipped lead is offered again no sooner than this
    max_skips: int = 3  # the lead skipped this many times in all is set aside
    offer_timeout_s: float = 300.0  # an undecided offer is released and its agent paused


@dataclass(slots=True, eq=False)
class Offer:
    """A lead on an agent's screen: claimed (leased) by this dialer, not dialed yet."""

    agent_id: str
    campaign_id: int
    lead: ClaimedLead
    at: datetime
    mono: float
    row_id: int  # its ``offered`` row in ``preview_decisions``
    dial_requested: bool = False
    requested_mono: float = 0.0
    due_at: datetime | None = None  # a callback promised to this agent: dialed then


def after_skip(lead: ClaimedLead, skips: int, now: datetime, policy: PreviewPolicy) -> LeadOutcome:
    """The lead's update after its ``skips``-th skip (this one included); attempts unchanged."""
    if skips >= policy.max_skips:
        reason = f"skipped {skips} times in preview"
        return LeadOutcome(lead.id, LeadStatus.DONE, None, reason, "skipped")
    status = LeadStatus.RETRY if lead.status is LeadStatus.NEW else lead.status
    due = now + timedelta(seconds=policy.skip_delay_s)
    return LeadOutcome(lead.id, status, due, f"skipped in preview ({skips} of {policy.max_skips})")
