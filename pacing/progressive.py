"""Progressive: one call in flight per ready agent. Never abandons while agents stay ready."""

from __future__ import annotations

from pacing._limits import clamp, in_flight, ready_agents
from pacing.api import Outcome, Snapshot

__all__ = ["ProgressivePacer", "progressive_calls"]


def progressive_calls(snapshot: Snapshot) -> int:
    """Calls to place so that calls in flight equal ready agents (bounded by the line limit)."""
    return clamp(ready_agents(snapshot) - in_flight(snapshot), snapshot)


class ProgressivePacer:
    """One line per free agent."""

    mode = "progressive"

    def observe(self, outcome: Outcome) -> None:
        """Progressive keeps no statistics."""

    def decide(self, snapshot: Snapshot) -> int:
        return progressive_calls(snapshot)
