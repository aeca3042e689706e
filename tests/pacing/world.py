"""Draws of finished outcomes shaped like the benchmark world, to feed estimators in tests.

This is not a simulator: it only produces independent samples of outcome durations, without
agents, lines or time.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from pacing.api import Outcome, OutcomeKind

__all__ = ["lognormal", "outcomes"]


def lognormal(rng: np.random.Generator, mean: float, sd: float) -> float:
    s2 = math.log(1.0 + (sd / mean) ** 2)
    return float(rng.lognormal(math.log(mean) - s2 / 2, math.sqrt(s2)))


def outcomes(
    rng: np.random.Generator, attempts: int, live: float = 0.25, talk_mean: float = 180.0
) -> Iterator[Outcome]:
    """``attempts`` attempts (live/machine/no answer/busy), with a talk and wrap per live one."""
    mix = np.array([live, 0.25, 0.35, 0.15])
    mix = mix / mix.sum()
    for i in range(attempts):
        at = float(i)
        pdd = rng.uniform(1, 3)
        kind = int(rng.choice(4, p=mix))
        if kind == 0:
            ring = min(lognormal(rng, 8.0, 5.0), 24.0)
            yield Outcome(OutcomeKind.LIVE, setup_s=pdd + ring + 1.5, at_s=at)
            yield Outcome(talk_s=lognormal(rng, talk_mean, talk_mean), at_s=at)
            yield Outcome(wrap_s=lognormal(rng, 15.0, 7.5), at_s=at)
        elif kind == 1:
            yield Outcome(OutcomeKind.MACHINE, setup_s=pdd + rng.uniform(12, 24) + 4, at_s=at)
        elif kind == 2:
            yield Outcome(OutcomeKind.NO_ANSWER, setup_s=pdd + 25.0, at_s=at)
        else:
            yield Outcome(OutcomeKind.BUSY, setup_s=float(rng.uniform(1, 6)), at_s=at)
