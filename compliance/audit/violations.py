"""Violations recomputed from the call log and the rules, without trusting the pre-dial decision.

Each logged call is evaluated again with the compliance layer's pure evaluator
(:func:`compliance.evaluate.decide`) at the instant it was dialed, on facts rebuilt from stored
data (the lead, the campaign, the do-not-call lists as they stood then, the earlier attempts
in the log); every denying reason is a finding, with its rule, source and evidence. An
abandoned call that played no message is a finding of its own (``data/audit.yaml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from compliance.api import Attempt
from compliance.audit.auditdata import abandon_message_rule
from compliance.audit.chain import local_times
from compliance.evaluate import Facts, decide
from compliance.rules import RuleBook

__all__ = [
    "BRIDGE_STATES",
    "LoggedCall",
    "Violation",
    "ViolationKind",
    "attempt_of",
    "check_call",
    "classify",
]

# States after which an agent is talking to the callee (the engine's ``bridged``).
BRIDGE_STATES = ("bridged", "connected", "agent_connected", "talking")


class ViolationKind(StrEnum):
    WINDOW = "outside_calling_window"
    DNC = "on_dnc_list"
    FREQUENCY = "over_frequency_cap"
    CONSENT = "without_consent"
    ABANDON_MESSAGE = "abandoned_without_message"
    UNCHECKABLE = "not_checkable"  # a rule could not be evaluated: fail closed


@dataclass(frozen=True, slots=True)
class LoggedCall:
    """What the audit needs of one call record."""

    seq: int
    call_id: str
    campaign_id: int
    lead_id: int | None
    phone: str
    purpose: str
    decision_id: int | None
    states: tuple[tuple[str, datetime], ...]
    answered_by: str | None
    agent_id: str | None
    abandoned: bool
    safe_harbor_played: bool
    timezones: tuple[str, ...]

    @property
    def dialed_at(self) -> datetime:
        """The instant the number was dialed (the ``dialing`` state, else the first)."""
        return next((at for name, at in self.states if name == "dialing"), self.states[0][1])

    @property
    def conversation(self) -> bool:
        return any(name in BRIDGE_STATES for name, _ in self.states)


@dataclass(frozen=True, slots=True)
class Violation:
    kind: ViolationKind
    call: LoggedCall
    rule_id: str
    source: str
    detail: str
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        at = self.call.dialed_at.isoformat(timespec="seconds")
        return (
            f"{self.kind.value}: call {self.call.call_id} (seq {self.call.seq}) to "
            f"{self.call.phone} at {at}: {self.rule_id}: {self.detail} [{self.source}]"
        )


def classify(rule_id: str) -> ViolationKind:
    """The kind of finding a denying rule makes (rule ids of ``compliance/data/rules.yaml`` and
    the evaluators' own: ``campaign.hours``, ``company.dnc``, ``campaign.max_attempts``...)."""
    parts = set(rule_id.split("."))
    if parts & {"window", "hours", "dst"}:
        return ViolationKind.WINDOW
    if "dnc" in parts:
        return ViolationKind.DNC
    if parts & {"cap", "after_conversation", "max_attempts", "max_attempts_per_day"}:
        return ViolationKind.FREQUENCY
    if "consent" in parts:
        return ViolationKind.CONSENT
    return ViolationKind.UNCHECKABLE


def attempt_of(call: LoggedCall, debt_id: str | None) -> Attempt:
    """The call as a past attempt, for the frequency caps of later calls."""
    return Attempt(
        at=call.dialed_at,
        campaign_id=call.campaign_id,
        purpose=call.purpose,
        debt_id=debt_id,
        conversation=call.conversation,
        abandoned=call.abandoned,
    )


def check_call(call: LoggedCall, facts: Facts, rules: RuleBook) -> list[Violation]:
    """Every rule the call broke, recomputed from ``facts`` (pure)."""
    decision = decide(facts, rules)
    evidence = {
        **decision.evidence,
        "dialed_at": call.dialed_at.astimezone(UTC).isoformat(),
        "local_times": local_times(call.dialed_at, facts.lead.timezones),
        "dnc_hits": [f"{h.list_name} ({h.version}): {h.detail}" for h in facts.hits],
    }
    found = [
        Violation(classify(r.rule_id), call, r.rule_id, r.source, r.detail, evidence)
        for r in decision.denials
    ]
    message = abandon_message_rule()
    if call.abandoned and not call.safe_harbor_played and call.purpose in message.purposes:
        detail = "abandoned (no agent within 2 s) and no recorded message was played"
        found.append(
            Violation(
                ViolationKind.ABANDON_MESSAGE,
                call,
                message.rule_id,
                message.source,
                detail,
                evidence,
            )
        )
    return found
