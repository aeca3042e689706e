"""The best-in-hindsight fixed ratio, found by bisection on ``k`` instead of a full sweep.

A fixed ratio (power, ``k`` lines in flight per ready agent) talks more and abandons more as
``k`` grows, so the best ratio that kept every run of a cell under the cap is the largest such
``k``. :func:`search_ratio` finds it on a grid of ``step`` between ``low`` and ``high``: it tries
``high`` (if every seed stays under the cap, that is the answer), then ``low`` (if a seed goes
over, no ratio kept the cap), then bisects between the largest ``k`` known to keep the cap and
the smallest known to break it. That is about ``2 + log2((high - low) / step)`` ratios instead of
all of them, and a ratio that breaks the cap costs little when its runs stop at the first one
over the cap (see :func:`simulations.pacing_benchmark.run_ratio`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from simulations.pacing_metrics import RunMetrics

__all__ = ["Evaluate", "ratio_grid", "search_ratio"]

#: The runs of ``power:k`` on the cell's seeds (they may stop at the first run over the cap).
Evaluate = Callable[[float], Sequence[RunMetrics]]


def ratio_grid(low: float, high: float, step: float) -> list[float]:
    """``low, low + step, ..., high`` (``high`` included even off the step)."""
    if step <= 0 or high < low:
        raise ValueError(f"bad ratio range {low:g}..{high:g} by {step:g}")
    count = int((high - low) / step + 1e-9)
    grid = [round(low + i * step, 6) for i in range(count + 1)]
    return grid if grid[-1] >= high - 1e-9 else [*grid, high]


def search_ratio(
    evaluate: Evaluate, cap: float, low: float = 1.5, high: float = 6.0, step: float = 0.25
) -> list[RunMetrics]:
    """Every run made while bisecting for the largest ``k`` whose runs all kept ``cap``."""
    grid = ratio_grid(low, high, step)
    runs: list[RunMetrics] = []

    def keeps_cap(index: int) -> bool:
        batch = list(evaluate(grid[index]))
        runs.extend(batch)
        return bool(batch) and all(r.abandon_rate <= cap for r in batch)

    top = len(grid) - 1
    if keeps_cap(top) or top == 0 or not keeps_cap(0):
        return runs
    good, bad = 0, top
    while bad - good > 1:
        middle = (good + bad) // 2
        if keeps_cap(middle):
            good = middle
        else:
            bad = middle
    return runs
