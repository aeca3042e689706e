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
variance of a sum of Bernoullis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pacing.api import AgentState, AgentView, CallStage, CallView
from pacing.stats import CampaignStats

__all__ = ["Forecast", "forecast"]

Floats = NDArray[np.float64]
_TINY = 1e-12


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
    q = _agent_free_probs(agents, stats, times + grace_s)
    r = _call_live_probs(calls, stats, times)
    p_live = stats.live_rate.value()
    per_new = p_live * stats.live_setup.cdf(times)
    return Forecast(times=times, agent_rows=q, call_rows=r, per_new_call=per_new)


def _agent_free_probs(agents: Sequence[AgentView], stats: CampaignStats, t: Floats) -> Floats:
    """One row per agent: P(free by t)."""
    rows = np.zeros((len(agents), len(t)))
    talking = [i for i, a in enumerate(agents) if a.state in _TALKING]
    wrapping = [i for i, a in enumerate(agents) if a.state is AgentState.WRAP_UP]
    ready = [i for i, a in enumerate(agents) if a.state is AgentState.READY]
    rows[ready] = 1.0
    if wrapping:
        rows[wrapping] = _remaining_wrap_cdf(
            np.array([_elapsed(agents[i]) for i in wrapping]), stats, t
        )
    if talking:
        rows[talking] = _remaining_talk_and_wrap_cdf(
            np.array([_elapsed(agents[i]) for i in talking]), stats, t
        )
    return rows


_TALKING = frozenset({AgentState.ON_CALL, AgentState.RESERVED})


def _elapsed(agent: AgentView) -> float:
    return 0.0 if agent.state is AgentState.RESERVED else agent.seconds_in_state


def _conditional_cdf(survival_at_elapsed: Floats, survival_later: Floats) -> Floats:
    """P(end by elapsed + t | still going at elapsed), rows = items, columns = t."""
    base = np.maximum(survival_at_elapsed, _TINY)[:, None]
    result: Floats = np.clip(1.0 - survival_later / base, 0.0, 1.0)
    return result


def _remaining_wrap_cdf(elapsed: Floats, stats: CampaignStats, t: Floats) -> Floats:
    later = stats.wrap.survival((elapsed[:, None] + t[None, :]).ravel()).reshape(len(elapsed), -1)
    return _conditional_cdf(stats.wrap.survival(elapsed), later)


def _remaining_talk_and_wrap_cdf(elapsed: Floats, stats: CampaignStats, t: Floats) -> Floats:
    """Talk ends in step j (pmf over a 1-s grid), then a whole wrap-up must fit before t."""
    step = 1.0
    s = np.arange(0.0, float(t[-1]) + step, step)
    at = stats.talk.survival(elapsed)
    later = stats.talk.survival((elapsed[:, None] + s[None, :]).ravel()).reshape(len(elapsed), -1)
    ended = _conditional_cdf(at, later)  # P(talk over by s_j)
    pmf = np.diff(np.concatenate([np.zeros((len(elapsed), 1)), ended], axis=1), axis=1)
    # talk ends within (s_{j-1}, s_j]: take the middle of the step
    mids = np.maximum(s - step / 2, 0.0)
    wrap_done = stats.wrap.cdf(np.maximum(t[None, :] - mids[:, None], 0.0).ravel())
    result: Floats = np.clip(pmf @ wrap_done.reshape(len(s), len(t)), 0.0, 1.0)
    return result


def _call_live_probs(calls: Sequence[CallView], stats: CampaignStats, t: Floats) -> Floats:
    """One row per call in flight: P(live person by t)."""
    rows = np.zeros((len(calls), len(t)))
    waiting = [i for i, c in enumerate(calls) if c.stage is CallStage.WAITING_AGENT]
    rows[waiting] = 1.0
    pending = [i for i, c in enumerate(calls) if c.stage is not CallStage.WAITING_AGENT]
    if pending:
        ages = np.array([calls[i].age_s for i in pending])
        p_live = stats.live_rate.value()
        s_live = stats.live_setup.survival(ages)
        unresolved = np.maximum(p_live * s_live + _others_survival(ages, stats), _TINY)
        later = stats.live_setup.survival((ages[:, None] + t[None, :]).ravel())
        live_by = p_live * (s_live[:, None] - later.reshape(len(ages), -1))
        rows[pending] = np.clip(live_by / unresolved[:, None], 0.0, 1.0)
    return rows


def _others_survival(ages: Floats, stats: CampaignStats) -> Floats:
    """P(not live and not yet resolved at age a), summed over the other outcome kinds."""
    total = np.zeros_like(ages)
    rest = 1.0 - stats.live_rate.value()
    for kind, rate in stats.kind_rates.items():
        share = rate.value()
        rest -= share
        total += share * stats.kind_setup[kind].survival(ages)
    total += max(rest, 0.0) * stats.other_setup.survival(ages)
    return total
