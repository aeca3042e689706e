"""The report's figures, drawn with matplotlib (no global pyplot state) as PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from compliance.audit.abandonment import DayRate

__all__ = ["abandon_plot", "hours_plot", "occupancy_plot", "outcomes_plot"]

_SIZE = (8.0, 3.6)


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return buffer.getvalue()


def abandon_plot(days: Sequence[DayRate], cap: float, period_days: int) -> bytes:
    """Daily and rolling abandon rates against the legal cap."""
    fig = Figure(figsize=_SIZE)
    ax = fig.add_subplot()
    x = np.array([d.day for d in days], dtype="datetime64[D]")
    ax.plot(x, [100 * d.rate for d in days], ".", color="0.6", label="per day")
    ax.plot(
        x, [100 * d.period_rate for d in days], "-", color="C0", label=f"rolling {period_days} days"
    )
    ax.axhline(100 * cap, color="C3", linestyle="--", label=f"legal cap {cap:.0%}")
    ax.set_ylabel("abandoned / live answers (%)")
    ax.set_title("Abandon rate")
    ax.legend(loc="upper left")
    fig.autofmt_xdate()
    return _png(fig)


def hours_plot(counts: Mapping[int, int]) -> bytes:
    """Calls by the called party's local hour."""
    fig = Figure(figsize=_SIZE)
    ax = fig.add_subplot()
    hours = list(range(24))
    ax.bar(hours, [counts.get(h, 0) for h in hours], color="C0")
    ax.set_xticks(hours)
    ax.set_xlabel("local hour of the called party")
    ax.set_ylabel("calls")
    ax.set_title("Calls by local hour")
    return _png(fig)


def outcomes_plot(counts: Mapping[str, int]) -> bytes:
    fig = Figure(figsize=_SIZE)
    ax = fig.add_subplot()
    names = sorted(counts, key=lambda k: -counts[k])
    ax.barh(names, [counts[n] for n in names], color="C2")
    ax.invert_yaxis()
    ax.set_xlabel("calls")
    ax.set_title("Outcomes")
    return _png(fig)


def occupancy_plot(occupancy: Mapping[str, float]) -> bytes:
    fig = Figure(figsize=_SIZE)
    ax = fig.add_subplot()
    names = sorted(occupancy)[:40]
    ax.bar(names, [100 * occupancy[n] for n in names], color="C1")
    ax.set_ylim(0, 100)
    ax.set_ylabel("talk time / active time (%)")
    ax.set_title("Agent occupancy")
    ax.tick_params(axis="x", labelrotation=60)
    return _png(fig)
