"""Draws for simulated agents from a seeded numpy ``Generator`` (the engine's simulated agents).

For the after-call draws of one callee, prefer ``SimulatedCarrier.after_call(call_id)``: it is
fixed per (seed, number, attempt), so every pacing mode gets the same wrap-up for the same callee.
This sampler serves draws that belong to no call (e.g. when an unsynchronised break starts).
"""

from __future__ import annotations

import numpy as np

from dialer.carriers.simulated.fate import AfterCall, pick_disposition
from dialer.carriers.simulated.world import AgentParams

__all__ = ["AgentSampler"]


class AgentSampler:
    """Wrap-up times, dispositions and break phases for simulated agents."""

    def __init__(self, params: AgentParams, rng: np.random.Generator) -> None:
        self.params = params
        self._rng = rng

    def wrap_up_s(self) -> float:
        return self.params.wrap_up_s.quantile(self._unit())

    def disposition(self) -> str:
        return pick_disposition(self.params.dispositions, self._unit())

    def after_call(self) -> AfterCall:
        return AfterCall(self.wrap_up_s(), self.disposition())

    def first_break_s(self) -> float | None:
        """Seconds after log-in of an agent's first break (then one every ``every_s``); a
        uniform phase so agents' breaks are unsynchronised. None when the world has no breaks."""
        breaks = self.params.breaks
        return None if breaks is None else float(self._rng.uniform(0, breaks.every_s))

    def _unit(self) -> float:
        u = float(self._rng.random())
        return u if u > 0 else 0.5  # inverse transforms need u in (0, 1)
