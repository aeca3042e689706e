"""Power: a fixed number of lines in flight per ready agent."""

from __future__ import annotations

import math

from dialer.errors import InputError
from pacing._limits import clamp, in_flight, ready_agents
from pacing.api import Outcome, Snapshot

__all__ = ["PowerPacer"]


class PowerPacer:
    """Keeps ``lines_per_agent`` x ready agents calls in flight (rounded down)."""

    mode = "power"

    def __init__(self, lines_per_agent: float = 2.0) -> None:
        if not 1.0 <= lines_per_agent <= 20.0:
            raise InputError(f"lines per agent must be within 1 and 20, not {lines_per_agent}")
        self.lines_per_agent = lines_per_agent

    def observe(self, outcome: Outcome) -> None:
        """Power keeps no statistics."""

    def decide(self, snapshot: Snapshot) -> int:
        target = math.floor(self.lines_per_agent * ready_agents(snapshot) + 1e-9)
        return clamp(target - in_flight(snapshot), snapshot)
