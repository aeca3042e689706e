"""The call state machine: an ``Enum`` of states and the explicit transitions between them.

::

    created -> dialing -> ringing -> answered_{human,machine,unknown} -> bridged -> completed
                  |          |                 |                    \\-> abandoned -> completed
                  +----------+-----> busy | no_answer | failed | canceled          (final)

A live (human or unknown) answer that no agent takes within the grace period (2 s after
``CallAnswered.at``) goes to ``abandoned``: the safe-harbor message plays, then it completes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from dialer.engine.leads import ClaimedLead
from dialer.errors import ConflictError

__all__ = ["FINAL_STATES", "TRANSITIONS", "Call", "CallState", "check_transition"]


class CallState(StrEnum):
    CREATED = "created"
    DIALING = "dialing"
    RINGING = "ringing"
    ANSWERED_HUMAN = "answered_human"
    ANSWERED_MACHINE = "answered_machine"
    ANSWERED_UNKNOWN = "answered_unknown"
    BRIDGED = "bridged"
    ABANDONED = "abandoned"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    FAILED = "failed"
    CANCELED = "canceled"


S = CallState
FINAL_STATES = frozenset({S.COMPLETED, S.BUSY, S.NO_ANSWER, S.FAILED, S.CANCELED})
_UNANSWERED_ENDS = frozenset({S.BUSY, S.NO_ANSWER, S.FAILED, S.CANCELED})
_ANSWERS = frozenset({S.ANSWERED_HUMAN, S.ANSWERED_MACHINE, S.ANSWERED_UNKNOWN})
LIVE_ANSWERS = frozenset({S.ANSWERED_HUMAN, S.ANSWERED_UNKNOWN})

TRANSITIONS: dict[CallState, frozenset[CallState]] = {
    S.CREATED: frozenset({S.DIALING, S.FAILED, S.CANCELED}),
    S.DIALING: frozenset({S.RINGING} | _ANSWERS | _UNANSWERED_ENDS),
    S.RINGING: _ANSWERS | _UNANSWERED_ENDS,
    S.ANSWERED_HUMAN: frozenset({S.BRIDGED, S.ABANDONED, S.COMPLETED}),
    S.ANSWERED_UNKNOWN: frozenset({S.BRIDGED, S.ABANDONED, S.COMPLETED}),
    S.ANSWERED_MACHINE: frozenset({S.COMPLETED}),
    S.BRIDGED: frozenset({S.COMPLETED}),
    S.ABANDONED: frozenset({S.COMPLETED}),
    **{final: frozenset() for final in FINAL_STATES},
}


def check_transition(current: CallState, new: CallState) -> None:
    """Raise :class:`ConflictError` unless ``current -> new`` is an allowed transition."""
    if new not in TRANSITIONS[current]:
        raise ConflictError(f"a call cannot go from {current} to {new}")


@dataclass(slots=True, eq=False)
class Call:
    """One attempt, in memory. The engine moves it with :meth:`move` and writes each move through
    to the ``calls`` and ``call_events`` tables."""

    id: str
    campaign_id: int
    lead_id: int | None
    phone: str
    created_at: datetime
    created_mono: float
    lead: ClaimedLead
    decision_id: int | None = None
    timezones: tuple[str, ...] = ()
    state: CallState = CallState.CREATED
    states: list[tuple[CallState, datetime]] = field(default_factory=list)
    carrier_call_id: str | None = None
    answered_by: str | None = None
    answered_at: datetime | None = None
    answered_mono: float | None = None
    agent_id: str | None = None
    disposition: str | None = None
    abandoned: bool = False
    safe_harbor_played: bool = False
    opted_out: bool = False
    ended_at: datetime | None = None
    ended_mono: float | None = None
    bridged_mono: float | None = None
    detail: str = ""
    callback_agent: str | None = None  # a callback reserved for this agent
    logged_at: datetime | None = None  # appended to the compliance call log

    def __post_init__(self) -> None:
        if not self.states:
            self.states.append((self.state, self.created_at))

    def move(self, new: CallState, at: datetime) -> None:
        """Go to ``new`` at ``at`` (an allowed transition, or :class:`ConflictError`)."""
        check_transition(self.state, new)
        self.state = new
        self.states.append((new, at))

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def reached_agent(self) -> bool:
        return self.agent_id is not None

    @property
    def waiting_agent(self) -> bool:
        return self.state in LIVE_ANSWERS
