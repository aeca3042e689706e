"""Forecasts on a time grid: when agents free up, and when calls reach a live person.

For each instant ``t`` on the grid (seconds from now) the forecast gives the mean and variance of

* ``frees(t)``: agents free by ``t`` (ready now; in wrap-up, from the remaining wrap time given
  the time already spent; on a call, from the remaining talk time given the time already
  talked, plus a whole wrap-up);
* ``arrivals(t)``: calls now in flight that will have reached a live person by ``t`` (a call
  waiting for an agent counts at once; one still ringing at age ``a`` from the answer-time
  distributions conditioned on not being resolved by ``a``);
* ``per_new_call(t)``: the probability that a call placed now has reached a live person by ``t``.

Each agent and each call is an independent Bernoulli at every ``t``, so counts have the mean and
variance of a sum of Bernoullis. The rows come from :class:`pacing.tables.ForecastTables`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pacing.api import AgentState, AgentView, CallStage, CallView
from pacing.stats import CampaignStats
from pacing.tables import AGE_GRID, TALK_GRID, WRAP_GRID, ForecastTables

__all__ = ["Forecast", "forecast", "forecast_from"]

Floats = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Forecast:
    times: Floats
    agent_rows: Floats  # P(agent i free by t), one row per agent
    call_rows: Floats  # P(call j live by t), one row per call in flight
    per_new_call: Floats

    @property
    def frees_mean(self) -> Floats:
        result: Floats = self.agent_rows.sum(axis=0)
        return result

    @property
    def frees_var(self) -> Floats:
        q = self.agent_rows
        result: Floats = (q * (1.0 - q)).sum(axis=0)
        return result

    @property
    def arrivals_mean(self) -> Floats:
        result: Floats = self.call_rows.sum(axis=0)
        return result

    @property
    def arrivals_var(self) -> Floats:
        r = self.call_rows
        result: Floats = (r * (1.0 - r)).sum(axis=0)
        return result


def forecast(
    agents: Sequence[AgentView],
    calls: Sequence[CallView],
    stats: CampaignStats,
    times: Floats,
    grace_s: float,
) -> Forecast:
    """Forecast on ``times``; an agent free by ``t + grace_s`` still catches a live person."""
    return forecast_from(ForecastTables(stats, times, grace_s), agents, calls)


def forecast_from(
    tables: ForecastTables, agents: Sequence[AgentView], calls: Sequence[CallView]
) -> Forecast:
    """The forecast for these agents and calls, by look-up in precomputed ``tables``."""
    ready, talked, wrapped = _agents_by_state(agents)
    agent_rows = np.concatenate(
        [
            np.ones((ready, len(tables.times))),
            tables.talk[TALK_GRID.index(talked)],
            tables.wrap[WRAP_GRID.index(wrapped)],
        ]
    )
    waiting = [c.age_s for c in calls if c.stage is CallStage.WAITING_AGENT]
    pending = [c.age_s for c in calls if c.stage is not CallStage.WAITING_AGENT]
    call_rows = np.concatenate(
        [
            np.ones((len(waiting), len(tables.times))),
            tables.calls[AGE_GRID.index(np.array(pending))],
        ]
    )
    return Forecast(tables.times, agent_rows, call_rows, tables.per_new_call)


def _agents_by_state(agents: Sequence[AgentView]) -> tuple[int, list[float], list[float]]:
    """Ready agents, and the elapsed talk (0 while reserved) and wrap-up times of the others."""
    ready = 0
    talked: list[float] = []
    wrapped: list[float] = []
    for agent in agents:
        state = agent.state
        if state is AgentState.ON_CALL:
            talked.append(agent.seconds_in_state)
        elif state is AgentState.WRAP_UP:
            wrapped.append(agent.seconds_in_state)
        elif state is AgentState.READY:
            ready += 1
        elif state is AgentState.RESERVED:
            talked.append(0.0)
    return ready, talked, wrapped
