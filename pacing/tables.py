"""Forecast rows precomputed on grids of elapsed time, so a decision is a few table look-ups.

A forecast row (the probability that one agent is free, or one call has reached a live person, at
each instant of the horizon) depends only on the agent's or call's elapsed time and the campaign's
distributions. :class:`ForecastTables` computes those rows once for every elapsed time on a grid
(talk: 1 s up to 30 min; wrap-up: 0.25 s up to 10 min; call age: 0.25 s up to 2 min) and a
decision gathers the rows of its agents and calls by nearest grid point. The tables are rebuilt
only when the statistics changed (see :class:`pacing.predictive.PredictivePacer`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from pacing.estimators import DecayedHistogram
from pacing.stats import CampaignStats

__all__ = ["ForecastTables", "Grid"]

Floats = NDArray[np.float64]
_TINY = 1e-12


class Grid:
    """Elapsed times ``0, step, 2 step, ..., limit`` and the nearest index of any elapsed time."""

    def __init__(self, step: float, limit: float) -> None:
        self.step = step
        self.size = round(limit / step) + 1
        self.values: Floats = np.arange(self.size, dtype=np.float64) * step

    def index(self, elapsed: Sequence[float] | Floats) -> NDArray[np.intp]:
        scaled = np.rint(np.asarray(elapsed, dtype=np.float64) / self.step)
        result: NDArray[np.intp] = np.clip(scaled, 0, self.size - 1).astype(np.intp)
        return result


TALK_GRID = Grid(1.0, 1800.0)
WRAP_GRID = Grid(0.25, 600.0)
AGE_GRID = Grid(0.25, 120.0)


class ForecastTables:
    """Rows of the forecast for every elapsed time on the grids, from one state of the stats.

    ``times`` is the forecast grid (seconds from now, from 0 by a fixed step); an agent counts
    as free at ``t`` if free by ``t + grace_s`` (a live person may wait that long).
    """

    def __init__(self, stats: CampaignStats, times: Floats, grace_s: float) -> None:
        self.times = times
        free_at = times + grace_s
        self.talk: Floats = _talk_then_wrap(stats.talk, stats.wrap, free_at)
        self.wrap: Floats = _conditional(stats.wrap, WRAP_GRID.values, free_at)
        self.calls: Floats = _live_by(stats, AGE_GRID.values, times)
        self.per_new_call: Floats = stats.live_rate.value() * stats.live_setup.cdf(times)
        self.ones: Floats = np.ones(len(times))


def _conditional(dist: DecayedHistogram, elapsed: Floats, t: Floats) -> Floats:
    """P(over by elapsed + t | still going at elapsed): rows = elapsed, columns = t."""
    at = np.maximum(dist.survival(elapsed), _TINY)
    later = dist.survival((elapsed[:, None] + t[None, :]).ravel()).reshape(len(elapsed), -1)
    result: Floats = np.clip(1.0 - later / at[:, None], 0.0, 1.0)
    return result


def _talk_then_wrap(talk: DecayedHistogram, wrap: DecayedHistogram, t: Floats) -> Floats:
    """P(talk over and a whole wrap-up done by t | talked e), for every e on the talk grid.

    The remaining talk is taken on a 1-s grid (it ends in step j with the conditional pmf), then
    a whole wrap-up must fit in what is left of ``t`` after the middle of that step.
    """
    step = TALK_GRID.step
    steps = int(np.ceil(float(t[-1]) / step)) + 1
    s = np.arange(steps + 1) * step
    grid = np.arange(TALK_GRID.size + steps + 1, dtype=np.float64) * step
    survival = np.maximum(talk.survival(grid), _TINY)
    e = np.arange(TALK_GRID.size)
    ended = np.clip(1.0 - survival[e[:, None] + np.arange(steps + 1)] / survival[e, None], 0, 1)
    pmf = np.diff(ended, axis=1, prepend=0.0)
    mids = np.maximum(s - step / 2, 0.0)
    wrap_done = wrap.cdf(np.maximum(t[None, :] - mids[:, None], 0.0).ravel())
    result: Floats = np.clip(pmf @ wrap_done.reshape(len(s), len(t)), 0.0, 1.0)
    return result


def _live_by(stats: CampaignStats, ages: Floats, t: Floats) -> Floats:
    """P(live person by age + t | not resolved at age), for a call still being set up."""
    p_live = stats.live_rate.value()
    s_live = stats.live_setup.survival(ages)
    unresolved = np.maximum(p_live * s_live + _others_survival(ages, stats), _TINY)
    later = stats.live_setup.survival((ages[:, None] + t[None, :]).ravel()).reshape(len(ages), -1)
    live_by = p_live * (s_live[:, None] - later)
    result: Floats = np.clip(live_by / unresolved[:, None], 0.0, 1.0)
    return result


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
