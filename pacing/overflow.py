"""Expected abandons as a function of the number of new calls placed now.

With ``X(t) = arrivals(t) - frees(t)`` (live people reached by ``t`` minus agents free by
``t + grace``), the abandons to come are estimated by ``max_t E[X(t)+]``: a live person who
arrives when every agent free so far is taken, and no other frees up in time, is lost. The
abandons the ``n`` new calls add are ``max_t (E[X_n(t)+] - E[X_0(t)+])``, each instant against
its own baseline, so that the risk of the calls already in flight at one instant (which new
calls cannot reach yet) does not hide what the new calls add at a later one. Two estimators:

* :class:`NormalOverflow` treats ``X(t)`` as normal (sums of many Bernoullis; large teams);
* :class:`ExactOverflow` convolves the Bernoullis exactly (small teams, where the normal
  approximation is poor and a single call matters). Sure items (a ready agent, a live person
  already waiting) only shift the law, and items that cannot happen within the horizon are
  skipped, so the convolution runs over the uncertain ones only.

Both answer :meth:`Overflow.calls_within` lazily: the search for the first call that adds more
than the accepted abandons stops there, instead of computing the whole curve.
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
_SURE = 1.0 - 1e-12
_NEVER = 1e-12
_CHUNK = 64  # new-call counts evaluated at once by the normal estimator


class Overflow(Protocol):
    def curve(self, most: int) -> Floats:
        """Expected abandons for 0, 1, ..., ``most`` new calls."""
        ...

    def at_risk(self) -> float:
        """Expected abandons of the calls already in flight (``curve(0)[0]``)."""
        ...

    def calls_within(self, limit: float, most: int, total: float = math.inf) -> int:
        """The leading new calls (at most ``most``) each of which adds at most ``limit``, and
        with which the expected abandons stay at most ``total``."""
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
        self._base = self._excess(np.zeros((1, 1)))[0]

    def _excess(self, n: Floats) -> Floats:
        """E[X_n(t)+] for each n (rows) and t (columns)."""
        g = self._g[None, :]
        mean = self._base_mean[None, :] + n * g
        var = self._base_var[None, :] + n * g * (1.0 - g)
        result: Floats = expected_excess(mean, var)
        return result

    def _at(self, first: int, last: int) -> Floats:
        n = np.arange(first, last + 1, dtype=np.float64)[:, None]
        return _added(self._excess(n), self._base)

    def curve(self, most: int) -> Floats:
        return self._at(0, most)

    def at_risk(self) -> float:
        return float(self._base.max())

    def calls_within(self, limit: float, most: int, total: float = math.inf) -> int:
        start = 0
        while start < most:
            stop = min(start + _CHUNK, most)
            over = _first_over(self._at(start, stop), limit, total)
            if over is not None:
                return start + over
            start = stop
        return max(most, 0)

    def saturation(self) -> int:
        return _saturation(self._g, self._base_mean, self._base_var)


class ExactOverflow:
    """The law of ``X(t)`` on the integers, for every ``t`` at once.

    ``X = sum Bernoulli(p_call) - sum Bernoulli(q_agent) = Y - agents`` with
    ``Y = sum Bernoulli(p_call) + sum Bernoulli(1 - q_agent)``, a Poisson-binomial variable whose
    law comes in one pass from its generating function on the roots of unity (an FFT); new calls
    are then added one Bernoulli at a time.
    """

    def __init__(self, fc: Forecast) -> None:
        self._fc = fc
        self._g = fc.per_new_call
        agents, calls = _uncertain(fc.agent_rows), _uncertain(fc.call_rows)
        self._shift = _sure(fc.call_rows) - _sure(fc.agent_rows) - len(agents)
        self._low = 0
        self._pmf = _poisson_binomial(np.concatenate([calls, 1.0 - agents]), len(fc.times))
        self._size = self._pmf.shape[1]

    def _add(self, p: Floats) -> None:
        """X += Bernoulli(p(t))."""
        pmf = self._pmf
        if self._size == pmf.shape[1]:
            pmf = self._pmf = np.concatenate([pmf, np.zeros((len(pmf), 8))], axis=1)
        top = self._size
        pc = p[:, None]
        pmf[:, 1 : top + 1] = pmf[:, 1 : top + 1] * (1.0 - pc) + pmf[:, :top] * pc
        pmf[:, 0] *= 1.0 - p
        self._size += 1

    def _excess(self) -> Floats:
        """E[X(t)+] for each t."""
        values = np.arange(self._size, dtype=np.float64) + (self._shift - self._low)
        result: Floats = self._pmf[:, : self._size] @ np.maximum(values, 0.0)
        return result

    def _scan(self, most: int, limit: float = math.inf, total: float = math.inf) -> list[float]:
        """Expected abandons for 0, 1, ... new calls, stopping past ``limit`` or ``total``."""
        saved = self._pmf.copy(), self._size
        base = self._excess()
        result = [float(base.max())]
        for _ in range(most):
            self._add(self._g)
            result.append(float(_added(self._excess()[None, :], base)[0]))
            if result[-1] - result[-2] > limit or result[-1] > total:
                break
        self._pmf, self._size = saved
        return result

    def curve(self, most: int) -> Floats:
        return np.array(self._scan(most))

    def at_risk(self) -> float:
        return float(self._excess().max())

    def calls_within(self, limit: float, most: int, total: float = math.inf) -> int:
        scanned = np.array(self._scan(most, limit, total))
        over = _first_over(scanned, limit, total)
        return len(scanned) - 1 if over is None else over

    def saturation(self) -> int:
        fc = self._fc
        return _saturation(
            self._g, fc.arrivals_mean - fc.frees_mean, fc.arrivals_var + fc.frees_var
        )


def _poisson_binomial(rows: Floats, instants: int) -> Floats:
    """The law of the sum of independent Bernoullis (one row of probabilities per item, one
    column per instant): ``pmf[t, k] = P(sum = k)``, from the generating function
    ``prod_i (1 - p_i + p_i z)`` evaluated on the roots of unity and inverted by FFT."""
    size = len(rows) + 1
    if size == 1:
        return np.ones((instants, 1))
    z = np.exp(-2j * np.pi * np.arange(size // 2 + 1) / size)
    p = rows[:, :, None]
    generating = np.prod(1.0 - p + p * z, axis=0)
    result: Floats = np.clip(np.fft.irfft(generating, n=size, axis=-1), 0.0, 1.0)
    return result


def _added(excess: Floats, base: Floats) -> Floats:
    """Expected abandons per row of ``excess``: the baseline's worst instant plus the most the
    new calls add at any instant."""
    result: Floats = float(base.max()) + (excess - base[None, :]).max(axis=1)
    return result


def _first_over(curve: Floats, limit: float, total: float) -> int | None:
    """How many steps of ``curve`` stay within ``limit`` each and ``total`` overall (None: all)."""
    bad = (np.diff(curve) > limit) | (curve[1:] > total)
    over = np.nonzero(bad)[0]
    return int(over[0]) if len(over) else None


def _sure(rows: Floats) -> int:
    return int(np.count_nonzero(rows.min(axis=1, initial=1.0) >= _SURE)) if len(rows) else 0


def _uncertain(rows: Floats) -> Floats:
    """Rows that are neither sure at every instant nor impossible at every instant."""
    if not len(rows):
        return rows
    keep = (rows.min(axis=1) < _SURE) & (rows.max(axis=1) > _NEVER)
    result: Floats = rows[keep]
    return result


def _saturation(g: Floats, base_mean: Floats, base_var: Floats) -> int:
    g_end = float(g[-1])
    if g_end <= 1e-9:
        return 0
    slack = -float(base_mean[-1]) + 5.0 * math.sqrt(float(base_var[-1])) + 2.0
    return max(0, math.ceil(slack / g_end))
