"""Distributions of the simulated world, each a pure map from a uniform draw to a value.

Every random quantity is drawn by inverse transform, ``dist.quantile(u)`` with ``u`` in (0, 1):
the same ``u`` gives the same value, which is what lets one callee's fate be fixed per
(seed, number, attempt) however the dialer orders its calls (common random numbers).

A distribution is written in ``world.yaml`` as a number (a fixed value), ``{uniform: [lo, hi]}``
or ``{lognormal: {mean: m, sd: s, max: c}}`` (mean and sd of the lognormal itself; with ``max``,
draws above ``c`` are resampled, i.e. the distribution is truncated at ``c``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

from dialer.errors import ConfigError

__all__ = ["Distribution", "Fixed", "LogNormal", "Uniform", "parse_distribution"]

_STANDARD = NormalDist()


@dataclass(frozen=True, slots=True)
class Fixed:
    value: float

    def quantile(self, u: float) -> float:
        return self.value

    @property
    def mean(self) -> float:
        return self.value


@dataclass(frozen=True, slots=True)
class Uniform:
    low: float
    high: float

    def quantile(self, u: float) -> float:
        return self.low + u * (self.high - self.low)

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2


@dataclass(frozen=True, slots=True)
class LogNormal:
    """Lognormal with the given mean and sd, optionally truncated above ``max`` (resampled)."""

    mean_untruncated: float
    sd: float
    max: float | None = None
    mu: float = field(init=False, repr=False, compare=False)
    sigma: float = field(init=False, repr=False, compare=False)
    kept: float = field(init=False, repr=False, compare=False)  # probability mass below max

    def __post_init__(self) -> None:
        sigma = math.sqrt(math.log1p((self.sd / self.mean_untruncated) ** 2))
        mu = math.log(self.mean_untruncated) - sigma**2 / 2
        kept = 1.0 if self.max is None else _STANDARD.cdf((math.log(self.max) - mu) / sigma)
        object.__setattr__(self, "sigma", sigma)
        object.__setattr__(self, "mu", mu)
        object.__setattr__(self, "kept", kept)

    def quantile(self, u: float) -> float:
        return math.exp(self.mu + self.sigma * _STANDARD.inv_cdf(u * self.kept))

    @property
    def mean(self) -> float:
        """The mean after truncation."""
        if self.max is None:
            return self.mean_untruncated
        z = (math.log(self.max) - self.mu) / self.sigma
        return self.mean_untruncated * _STANDARD.cdf(z - self.sigma) / self.kept


Distribution = Fixed | Uniform | LogNormal


def parse_distribution(raw: Any, name: str) -> Distribution:
    """Read one distribution from its YAML form (see the module docstring)."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        _require(raw >= 0, name, f"a duration cannot be negative ({raw})")
        return Fixed(float(raw))
    if not (isinstance(raw, dict) and len(raw) == 1):
        raise ConfigError(
            f"world: {name}: expected a number, {{uniform: [lo, hi]}} or {{lognormal: ...}}"
        )
    kind, args = next(iter(raw.items()))
    try:
        if kind == "uniform":
            low, high = (float(x) for x in args)
            _require(0 <= low <= high, name, f"uniform needs 0 <= lo <= hi, got {args}")
            return Uniform(low, high)
        if kind == "lognormal":
            mean, sd = float(args["mean"]), float(args["sd"])
            cap = None if args.get("max") is None else float(args["max"])
            _require(
                mean > 0 and sd > 0 and (cap is None or cap > 0),
                name,
                "lognormal needs positive mean, sd and max",
            )
            return LogNormal(mean, sd, cap)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ConfigError(f"world: {name}: malformed {kind} distribution ({exc})") from exc
    raise ConfigError(f"world: {name}: unknown distribution {kind!r}")


def _require(ok: bool, name: str, message: str) -> None:
    if not ok:
        raise ConfigError(f"world: {name}: {message}")
