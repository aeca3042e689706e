"""Online estimators that forget: every new sample weighs more than the ones before it.

Weights decay per sample (a half-life counted in samples), so an estimator follows drift as fast
as the data allow: a 100-agent campaign refreshes its answer rate in minutes, a 5-agent one in
about an hour. Both estimators add a sample in O(1): instead of shrinking every old weight, the
weight of new samples grows (``_unit``), and the arrays are rescaled now and then.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from pacing._normal import norm_cdf

__all__ = ["DecayedHistogram", "DecayedRate"]

Floats = NDArray[np.float64]
_RESCALE_AT = 1e100


class DecayedRate:
    """The share of samples that were hits, with exponentially decaying weights."""

    def __init__(self, half_life: float) -> None:
        self._decay = 0.5 ** (1.0 / half_life)
        self._hits = 0.0
        self._total = 0.0

    def add(self, hit: bool) -> None:
        self._hits = self._hits * self._decay + (1.0 if hit else 0.0)
        self._total = self._total * self._decay + 1.0

    @property
    def weight(self) -> float:
        """Effective number of samples behind the estimate."""
        return self._total

    def value(self, default: float = 0.0) -> float:
        return self._hits / self._total if self._total > 0 else default


class DecayedHistogram:
    """A decaying empirical distribution of durations, with a lognormal tail.

    Durations go into bins of ``bin_s`` seconds up to ``max_s`` (longer ones into an overflow
    count). The survival function interpolates linearly between bin edges; beyond the last edge
    that still has ``min_tail`` effective samples above it, it follows a lognormal fitted to the
    same decayed samples, scaled to join the empirical curve there. So the hazard of an agent who
    has talked longer than almost everyone seen so far still has a sensible value.
    """

    def __init__(
        self, bin_s: float, max_s: float, half_life: float, min_tail: float = 10.0
    ) -> None:
        self.bin_s = bin_s
        self._bins = math.ceil(max_s / bin_s)
        self._decay = 0.5 ** (1.0 / half_life)
        self._min_tail = min_tail
        self._weights = np.zeros(self._bins + 1)  # the last slot counts overflow
        self._edges = np.arange(self._bins + 1) * bin_s
        self._unit = 1.0
        self._log_moments = (0.0, 0.0, 0.0)  # decayed sums of 1, ln x, ln^2 x (in units)
        self._cache: tuple[Floats, float, int] | None = None  # tail weight per edge, x0, index

    @property
    def count(self) -> float:
        """Effective number of samples."""
        return float(self._log_moments[0] / self._unit)

    def add(self, duration_s: float) -> None:
        x = max(float(duration_s), 0.0)
        self._unit /= self._decay
        index = min(int(x / self.bin_s), self._bins)
        self._weights[index] += self._unit
        log_x = math.log(max(x, 0.05))
        n, s1, s2 = self._log_moments
        unit = self._unit
        self._log_moments = (n + unit, s1 + unit * log_x, s2 + unit * log_x * log_x)
        if self._unit > _RESCALE_AT:
            self._weights /= self._unit
            n, s1, s2 = self._log_moments
            self._log_moments = (n / self._unit, s1 / self._unit, s2 / self._unit)
            self._unit = 1.0
        self._cache = None

    def lognormal(self) -> tuple[float, float]:
        """(mu, sigma) of the lognormal fitted to the decayed samples."""
        n, s1, s2 = self._log_moments
        if n <= 0:
            return 0.0, 1.0
        mu = s1 / n
        sigma = math.sqrt(max(s2 / n - mu * mu, 1e-4))
        return float(mu), sigma

    def mean(self) -> float:
        """Mean duration (bin midpoints; overflow at the lognormal conditional mean)."""
        total = self._weights.sum()
        if total <= 0:
            return 0.0
        mids = (np.arange(self._bins) + 0.5) * self.bin_s
        body = float(self._weights[:-1] @ mids)
        mu, sigma = self.lognormal()
        over = float(self._weights[-1]) * max(
            math.exp(mu + sigma * sigma / 2), self._bins * self.bin_s
        )
        return (body + over) / float(total)

    def survival(self, x: Floats) -> Floats:
        """P(duration > x), elementwise."""
        x = np.maximum(np.asarray(x, dtype=np.float64), 0.0)
        total = self._weights.sum()
        if total <= 0:
            return np.ones_like(x)
        tail, x0, last = self._tail()
        result: Floats = np.interp(x, self._edges, tail) / total
        far = x > x0
        if far.any():
            s0 = float(tail[last] / total)
            result[far] = s0 * self._lognormal_ratio(x[far], x0)
        clipped: Floats = np.clip(result, 0.0, 1.0)
        return clipped

    def cdf(self, x: Floats) -> Floats:
        result: Floats = 1.0 - self.survival(x)
        return result

    def _tail(self) -> tuple[Floats, float, int]:
        """Weight above each bin edge, and the last edge with enough weight above it."""
        if self._cache is None:
            above = np.concatenate(([0.0], np.cumsum(self._weights[::-1])))[::-1]
            enough = np.nonzero(above >= self._min_tail * self._unit)[0]
            last = int(enough[-1]) if len(enough) else 0
            last = min(last, self._bins)
            self._cache = (above[: self._bins + 1], last * self.bin_s, last)
        return self._cache

    def _lognormal_ratio(self, x: Floats, x0: float) -> Floats:
        """S_LN(x) / S_LN(x0) for the fitted lognormal, safe where both are tiny."""
        mu, sigma = self.lognormal()
        z = (np.log(np.maximum(x, 1e-9)) - mu) / sigma
        z0 = (math.log(max(x0, 1e-9)) - mu) / sigma
        s = 1.0 - norm_cdf(z)
        s0 = float(1.0 - norm_cdf(np.array(z0)))
        ratio: Floats = np.where(s0 > 1e-300, s / max(s0, 1e-300), 0.0)
        return np.minimum(ratio, 1.0)
