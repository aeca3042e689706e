"""Forecast rows precomputed on grids of elapsed time, so a decision is a few table look-ups.

A forecast row (the probability that one agent is free, or one call has reached a live person, at
each instant of the horizon) depends only on the agent's or call's elapsed time and the campaign's
distributions. :class:`ForecastTables` computes those rows once for every elapsed time on a grid
(talk: 2 s up to 30 min; wrap-up: 0.25 s up to 10 min; call age: 0.25 s up to 2 min) and a
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


TALK_GRID = Grid(2.0, 1800.0)
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
        self.wrap: Floats = _conditional(stats.wrap, WRAP_GRID, free_at)
        self.calls: Floats = _live_by(stats, AGE_GRID, times)
        self.per_new_call: Floats = stats.live_rate.value() * stats.live_setup.cdf(times)
        self.ones: Floats = np.ones(len(times))


def _on_grid(dist: DecayedHistogram, grid: Grid, t: Floats) -> tuple[Floats, Floats]:
    """Survival at every grid point, and at every grid point plus every ``t`` (on the grid)."""
    shifts = np.rint(t / grid.step).astype(np.intp)
    points = np.arange(grid.size + int(shifts.max()) + 1, dtype=np.float64) * grid.step
    survival = dist.survival(points)
    later: Floats = survival[np.arange(grid.size)[:, None] + shifts[None, :]]
    return survival[: grid.size], later


def _conditional(dist: DecayedHistogram, grid: Grid, t: Floats) -> Floats:
    """P(over by elapsed + t | still going at elapsed): rows = elapsed on ``grid``, columns = t."""
    at, later = _on_grid(dist, grid, t)
    result: Floats = np.clip(1.0 - later / np.maximum(at, _TINY)[:, None], 0.0, 1.0)
    return result


def _talk_then_wrap(talk: DecayedHistogram, wrap: DecayedHistogram, t: Floats) -> Floats:
    """P(talk over and a whole wrap-up done by t | talked e), for every e on the talk grid.

    The remaining talk is taken on the talk grid's step (it ends in step j with the conditional
    pmf), then a whole wrap-up must fit in what is left of ``t`` after the middle of that step.
    """
    step = TALK_GRID.step
    steps = int(np.ceil(float(t[-1]) / step)) + 1
    s = np.arange(steps + 1, dtype=np.float64) * step
    ended = _conditional(talk, TALK_GRID, s)  # P(talk over by s_j)
    pmf = np.diff(ended, axis=1, prepend=0.0)
    mids = np.maximum(s - step / 2, 0.0)
    wrap_done = wrap.cdf(np.maximum(t[None, :] - mids[:, None], 0.0).ravel())
    result: Floats = np.clip(pmf @ wrap_done.reshape(len(s), len(t)), 0.0, 1.0)
    return result


def _live_by(stats: CampaignStats, grid: Grid, t: Floats) -> Floats:
    """P(live person by age + t | not resolved at age), for a call still being set up."""
    p_live = stats.live_rate.value()
    s_live, later = _on_grid(stats.live_setup, grid, t)
    unresolved = np.maximum(p_live * s_live + _others_survival(grid.values, stats), _TINY)
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
