"""Expected abandons as a function of the number of new calls placed now.

With ``X(t) = arrivals(t) - frees(t)`` (live people reached by ``t`` minus agents free by
``t + grace``), the abandons to come are estimated by ``max_t E[X(t)+]``: a live person who
arrives when every agent free so far is taken, and no other frees up in time, is lost. Two
estimators of the same quantity:

* :class:`NormalOverflow` treats ``X(t)`` as normal (sums of many Bernoullis; large teams);
* :class:`ExactOverflow` convolves the Bernoullis exactly (small teams, where the normal
  approximation is poor and a single call matters).
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from pacing._normal import expected_excess
from pacing.forecast import Forecast

__all__ = ["ExactOverflow", "NormalOverflow", "Overflow", "overflow_for"]

Floats = NDArray[np.float64]


class Overflow(Protocol):
    def curve(self, most: int) -> Floats:
        """Expected abandons for 0, 1, ..., ``most`` new calls."""
        ...

    def saturation(self) -> int:
        """New calls beyond which each extra one surely adds its full live probability."""
        ...


def overflow_for(fc: Forecast, exact_up_to: int) -> Overflow:
    """The exact estimator when agents and calls number at most ``exact_up_to``, else normal."""
    size = len(fc.agent_rows) + len(fc.call_rows)
    return ExactOverflow(fc) if size <= exact_up_to else NormalOverflow(fc)


class NormalOverflow:
    def __init__(self, fc: Forecast) -> None:
        self._g = fc.per_new_call
        self._base_mean = fc.arrivals_mean - fc.frees_mean
        self._base_var = fc.arrivals_var + fc.frees_var

    def curve(self, most: int) -> Floats:
        n = np.arange(most + 1, dtype=np.float64)[:, None]
        g = self._g[None, :]
        mean = self._base_mean[None, :] + n * g
        var = self._base_var[None, :] + n * g * (1.0 - g)
        result: Floats = expected_excess(mean, var).max(axis=1)
        return result

    def saturation(self) -> int:
        return _saturation(self._g, self._base_mean, self._base_var)


class ExactOverflow:
    """The law of ``X(t)`` on the integers, one Bernoulli at a time, for every ``t`` at once."""

    def __init__(self, fc: Forecast) -> None:
        self._fc = fc
        self._g = fc.per_new_call
        agents, calls = fc.agent_rows, fc.call_rows
        self._low = len(agents)  # X >= -agents
        self._pmf = np.zeros((len(fc.times), len(agents) + len(calls) + 1))
        self._pmf[:, self._low] = 1.0
        self._size = self._low + 1
        for row in calls:
            self._add(row)
        for row in agents:
            self._remove(row)

    def _add(self, p: Floats) -> None:
        """X += Bernoulli(p(t))."""
        pmf = self._pmf
        if self._size == pmf.shape[1]:
            pmf = self._pmf = np.concatenate([pmf, np.zeros((len(pmf), 8))], axis=1)
        top = self._size
        pmf[:, 1 : top + 1] = pmf[:, 1 : top + 1] * (1.0 - p[:, None]) + pmf[:, :top] * p[:, None]
        pmf[:, 0] *= 1.0 - p
        self._size += 1

    def _remove(self, q: Floats) -> None:
        """X -= Bernoulli(q(t)); the support starts at -agents, so it never goes below."""
        pmf = self._pmf
        top = self._size
        pmf[:, : top - 1] = pmf[:, : top - 1] * (1.0 - q[:, None]) + pmf[:, 1:top] * q[:, None]
        pmf[:, top - 1] *= 1.0 - q

    def _excess(self) -> float:
        values = np.arange(self._size) - self._low
        positive = np.maximum(values, 0).astype(np.float64)
        return float((self._pmf[:, : self._size] @ positive).max())

    def curve(self, most: int) -> Floats:
        saved = self._pmf.copy(), self._size
        result = np.empty(most + 1)
        result[0] = self._excess()
        for n in range(1, most + 1):
            self._add(self._g)
            result[n] = self._excess()
        self._pmf, self._size = saved
        return result

    def saturation(self) -> int:
        fc = self._fc
        return _saturation(
            self._g, fc.arrivals_mean - fc.frees_mean, fc.arrivals_var + fc.frees_var
        )


def _saturation(g: Floats, base_mean: Floats, base_var: Floats) -> int:
    g_end = float(g[-1])
    if g_end <= 1e-9:
        return 0
    slack = -float(base_mean[-1]) + 5.0 * math.sqrt(float(base_var[-1])) + 2.0
    return max(0, math.ceil(slack / g_end))
