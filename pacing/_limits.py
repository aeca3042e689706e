"""What every mode applies to its wish: no dialing with nobody logged in, no line over the cap."""

from __future__ import annotations

from operator import attrgetter, countOf

from pacing.api import AgentState, Snapshot

__all__ = ["clamp", "in_flight", "ready_agents", "staffed"]


_STATE = attrgetter("state")


def ready_agents(snapshot: Snapshot) -> int:
    """Agents free to take a call right now."""
    return countOf(map(_STATE, snapshot.agents), AgentState.READY)


def staffed(snapshot: Snapshot) -> int:
    """Logged-in agents who are not paused."""
    agents = snapshot.agents
    return len(agents) - countOf(map(_STATE, agents), AgentState.PAUSED)


def in_flight(snapshot: Snapshot) -> int:
    """Calls placed and not yet connected to an agent (dialing, ringing or answered and waiting)."""
    return len(snapshot.calls)


def clamp(wanted: int, snapshot: Snapshot) -> int:
    """``wanted`` bounded by the free lines; zero when no agent is logged in or unpaused."""
    if staffed(snapshot) == 0:
        return 0
    free_lines = snapshot.max_lines - len(snapshot.calls)
    return max(0, min(wanted, free_lines))
