"""The pacing contract: a snapshot in, a number of calls out.

The engine builds a :class:`Snapshot` each tick from what a real dialer can observe (agent states
and times in state, calls in flight and their ages, finished outcomes) and asks its
:class:`Pacer` how many calls to place now. The engine reports every finished attempt, talk and
wrap-up to ``Pacer.observe`` so the pacer can keep running statistics.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

__all__ = [
    "AgentState",
    "AgentView",
    "CallStage",
    "CallView",
    "Outcome",
    "OutcomeKind",
    "Pacer",
    "Snapshot",
]


class AgentState(StrEnum):
    READY = "ready"
    RESERVED = "reserved"  # a live call is being connected to this agent
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"


class CallStage(StrEnum):
    DIALING = "dialing"  # originated, not yet ringing
    RINGING = "ringing"
    WAITING_AGENT = "waiting_agent"  # live answer, no agent yet (abandon clock running)


class OutcomeKind(StrEnum):
    LIVE = "live"  # answered by a person and connected to an agent
    ABANDONED = "abandoned"  # answered by a person, no agent in time
    MACHINE = "machine"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"
    CANCELED = "canceled"


@dataclass(frozen=True, slots=True)
class AgentView:
    state: AgentState
    seconds_in_state: float
    #: Preview mode: the agent has read the lead on screen and pressed "dial" (a skip is not a
    #: request; the engine simply shows the next lead). Ignored by the other modes.
    dial_requested: bool = False


@dataclass(frozen=True, slots=True)
class CallView:
    stage: CallStage
    age_s: float  # seconds since origination


@dataclass(frozen=True, slots=True)
class Outcome:
    """Something finished: an attempt (``kind``), or an agent's talk or wrap-up."""

    kind: OutcomeKind | None = None
    setup_s: float = 0.0  # origination to answer (or to release if never answered)
    talk_s: float | None = None
    wrap_s: float | None = None
    at_s: float = 0.0  # monotonic clock time it finished


@dataclass(frozen=True, slots=True)
class Snapshot:
    now_s: float  # monotonic seconds (the engine's clock)
    agents: tuple[AgentView, ...]  # logged-in agents of the campaign
    calls: tuple[CallView, ...]  # calls in flight not yet connected to an agent
    abandon_target: float  # e.g. 0.03
    abandon_budget: float  # abandons still allowed in the legal window (<= 0: none)
    max_lines: int  # hard cap on calls in flight (lines per agent x agents, carrier limit)


class Pacer(Protocol):
    """A pacing mode. May keep state (statistics); must not do I/O or read a clock."""

    def observe(self, outcome: Outcome) -> None:
        """Learn from something that finished."""
        ...

    def decide(self, snapshot: Snapshot) -> int:
        """How many new calls to place now (>= 0)."""
        ...
