"""The agent state machine: ready, paused (with a pause code), reserved, on call, wrap-up,
logged out; preview (a preview campaign's lead on screen, before any dial); with the time spent
in each state.

::

    logged_out -> ready | paused
    ready      -> reserved | preview | paused | logged_out
    preview    -> reserved | ready | paused | logged_out   (dial, skip, or the lead is released)
    reserved   -> on_call | ready          (the bridge failed or the callee left)
    on_call    -> wrap_up
    wrap_up    -> ready | paused | logged_out
    paused     -> ready | logged_out
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from dialer.errors import ConflictError

__all__ = ["AGENT_TRANSITIONS", "Agent", "AgentState", "Stretch"]


class AgentState(StrEnum):
    LOGGED_OUT = "logged_out"
    READY = "ready"
    PAUSED = "paused"
    PREVIEW = "preview"  # reading a preview lead, deciding to dial or skip
    RESERVED = "reserved"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"


A = AgentState
AGENT_TRANSITIONS: dict[AgentState, frozenset[AgentState]] = {
    A.LOGGED_OUT: frozenset({A.READY, A.PAUSED}),
    A.READY: frozenset({A.RESERVED, A.PREVIEW, A.PAUSED, A.LOGGED_OUT}),
    A.PREVIEW: frozenset({A.RESERVED, A.READY, A.PAUSED, A.LOGGED_OUT}),
    A.RESERVED: frozenset({A.ON_CALL, A.READY, A.PAUSED}),  # paused: their line dropped
    A.ON_CALL: frozenset({A.WRAP_UP}),
    A.WRAP_UP: frozenset({A.READY, A.PAUSED, A.LOGGED_OUT}),
    A.PAUSED: frozenset({A.READY, A.LOGGED_OUT}),
}


@dataclass(frozen=True, slots=True)
class Stretch:
    """A finished stretch of time in one state."""

    agent_id: str
    state: AgentState
    pause_code: str | None
    started_at: datetime
    ended_at: datetime
    seconds: float


@dataclass(slots=True, eq=False)
class Agent:
    """One agent, in memory. ``move`` enforces the transitions and accounts time per state."""

    id: str
    campaign_ids: frozenset[int] = frozenset()
    state: AgentState = AgentState.LOGGED_OUT
    pause_code: str | None = None
    since: datetime | None = None
    since_mono: float = 0.0
    session_id: int | None = None
    call_id: str | None = None  # the call reserved for, on, or wrapping up
    endpoint: str | None = None  # where their line is dialed (None: the carrier's default)
    line_open: bool = True  # False once the carrier says their line dropped, until reopened
    seconds_by_state: dict[str, float] = field(default_factory=dict)

    def move(
        self, new: AgentState, at: datetime, mono: float, pause_code: str | None = None
    ) -> Stretch | None:
        """Go to ``new``; return the stretch just finished (None when coming from logged out)."""
        if new not in AGENT_TRANSITIONS[self.state]:
            raise ConflictError(f"agent {self.id} cannot go from {self.state} to {new}")
        stretch = None
        if self.state is not AgentState.LOGGED_OUT and self.since is not None:
            seconds = max(0.0, mono - self.since_mono)
            key = str(self.state)
            self.seconds_by_state[key] = self.seconds_by_state.get(key, 0.0) + seconds
            stretch = Stretch(self.id, self.state, self.pause_code, self.since, at, seconds)
        self.state = new
        self.pause_code = pause_code if new is AgentState.PAUSED else None
        self.since, self.since_mono = at, mono
        return stretch

    def seconds_in_state(self, mono: float) -> float:
        return max(0.0, mono - self.since_mono)
