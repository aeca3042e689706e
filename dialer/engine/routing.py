"""Routing policies: which ready agent gets a live callee. Pluggable; longest-idle by default."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from dialer.agents.state import Agent
from dialer.engine.calls import Call

__all__ = ["LongestIdle", "RoutingPolicy"]


class RoutingPolicy(Protocol):
    def choose(self, call: Call, ready: Mapping[str, Agent]) -> Agent | None:
        """One of the ``ready`` agents of the call's campaign, or None to leave it waiting."""
        ...


class LongestIdle:
    """The agent ready the longest; a callback's own agent first when they are ready."""

    def choose(self, call: Call, ready: Mapping[str, Agent]) -> Agent | None:
        if call.callback_agent is not None and call.callback_agent in ready:
            return ready[call.callback_agent]
        best: Agent | None = None
        for agent in ready.values():
            if best is None or agent.since_mono < best.since_mono:
                best = agent
        return best
