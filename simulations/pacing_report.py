"""The pacing benchmark's table and plot, from the figures of its runs.

Per cell and mode: the mean and spread (standard deviation) over seeds of every metric, the worst
run for the abandon rates, how many runs went over the cap, and the gain over progressive on the
same seed. Of the fixed ratios (``power:k``) only the best in hindsight is shown: the highest
mean talk time among the ratios none of whose runs went over the cap (if every ratio went over,
the one with the lowest abandon rate, so marked).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from dialer.carriers.simulated import load_world
from simulations.pacing_metrics import RunMetrics

__all__ = ["ceiling", "render_table", "save_plot", "shown_modes"]

_ORDER = ("progressive", "vicidial:HARD_LIMIT", "vicidial:TAPERED", "issabel")


def ceiling() -> float:
    """Talk minutes per agent-hour if no agent were ever idle: 60 x talk / (talk + wrap)."""
    world = load_world("high")
    talk, wrap = world.live.talk_s.mean, world.agents.wrap_up_s.mean
    return 60.0 * talk / (talk + wrap)


def _by(runs: Sequence[RunMetrics]) -> dict[str, dict[str, list[RunMetrics]]]:
    cells: dict[str, dict[str, list[RunMetrics]]] = defaultdict(lambda: defaultdict(list))
    for run in runs:
        cells[run.cell][run.mode].append(run)
    return cells


def _best_ratio(modes: Mapping[str, list[RunMetrics]], cap: float) -> str | None:
    ratios = [m for m in modes if m.startswith("power:")]
    legal = [m for m in ratios if all(r.abandon_rate <= cap for r in modes[m])]
    pool = legal or ratios
    if not pool:
        return None
    if legal:
        return max(pool, key=lambda m: float(np.mean([r.talk_per_agent_hour for r in modes[m]])))
    return min(pool, key=lambda m: float(np.mean([r.abandon_rate for r in modes[m]])))


def shown_modes(modes: Mapping[str, list[RunMetrics]], cap: float) -> list[str]:
    """The modes of one cell in table order, fixed ratios reduced to the best in hindsight."""
    best = _best_ratio(modes, cap)
    order = [m for m in _ORDER if m in modes]
    if best is not None:
        order.insert(1 if "progressive" in modes else 0, best)
    return order + sorted(m for m in modes if m not in order and not m.startswith("power:"))


def _gain(runs: list[RunMetrics], base: list[RunMetrics]) -> list[float]:
    by_seed = {r.seed: r.talk_per_agent_hour for r in base}
    return [r.talk_per_agent_hour - by_seed[r.seed] for r in runs if r.seed in by_seed]


def _row(mode: str, runs: list[RunMetrics], base: list[RunMetrics], cap: float) -> str:
    talk = np.array([r.talk_per_agent_hour for r in runs])
    aband = np.array([r.abandon_rate for r in runs])
    gain = _gain(runs, base)
    prog = np.mean([r.talk_per_agent_hour for r in base]) if base else float("nan")
    headroom = (talk.mean() - prog) / (ceiling() - prog) if base else float("nan")

    def mean(field: str) -> float:
        return float(np.mean([getattr(r, field) for r in runs]))

    label = mode
    if mode.startswith("power:"):
        label = f"fixed ratio k={mode.split(':')[1]}"
        if (aband > cap).any():
            label += " (none kept the cap)"
    cells = [
        label,
        f"{talk.mean():.1f} ± {talk.std():.1f}",
        f"{np.mean(gain):+.1f}" if gain else "",
        f"{headroom:.0%}" if base and mode != "progressive" else "",
        f"{mean('occupancy'):.0%}",
        f"{aband.mean():.2%} ({aband.max():.2%})",
        f"{int((aband > cap).sum())}/{len(runs)}",
        f"{max(r.worst_30min for r in runs):.1%} / {max(r.worst_60min for r in runs):.1%}",
        f"{mean('wait_mean_s'):.0f} / {mean('wait_p50_s'):.0f} / {mean('wait_p90_s'):.0f}",
        f"{mean('dials_per_agent_hour'):.0f} / {mean('connects_per_agent_hour'):.1f}",
        f"{max(r.peak_lines_per_agent for r in runs):.1f}",
    ]
    return "| " + " | ".join(cells) + " |"


_HEAD = (
    "| mode | talk min/agent-h (mean ± sd) | gain vs progressive | headroom captured "
    "| occupancy | abandon rate mean (worst run) | runs over cap | worst 30 / 60 min window "
    "| agent wait s mean / p50 / p90 | dials / connects per agent-h | peak lines per agent |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)


def render_table(runs: Sequence[RunMetrics], caps: Mapping[str, float]) -> str:
    """Markdown: one table per cell."""
    out = []
    for cell, modes in _by(runs).items():
        cap = caps.get(cell, 0.03)
        seeds = len({r.seed for rs in modes.values() for r in rs})
        out.append(f"\n**{cell}** (cap {cap:.0%}, {seeds} seeds)\n\n{_HEAD}")
        base = modes.get("progressive", [])
        out.extend(_row(m, modes[m], base, cap) for m in shown_modes(modes, cap))
    return "\n".join(out)


def save_plot(runs: Sequence[RunMetrics], caps: Mapping[str, float], path: Path) -> None:
    """Talk minutes per agent-hour against abandon rate, one panel per cell, one colour per mode
    (every run a dot, the mean a large marker)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    cells = _by(runs)
    cols = min(len(cells), 4)
    rows = -(-len(cells) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.6 * rows), squeeze=False)
    colours = plt.get_cmap("tab10")
    labels: dict[str, int] = {}  # one colour per mode in every panel, in order of appearance
    for ax, (cell, modes) in zip(axes.flat, cells.items(), strict=False):
        cap = caps.get(cell, 0.03)
        for mode in shown_modes(modes, cap):
            xs = [100 * r.abandon_rate for r in modes[mode]]
            ys = [r.talk_per_agent_hour for r in modes[mode]]
            label = "fixed ratio (best)" if mode.startswith("power:") else mode
            colour = colours(labels.setdefault(label, len(labels)) % 10)
            ax.scatter(xs, ys, s=10, alpha=0.4, color=colour)
            ax.scatter([np.mean(xs)], [np.mean(ys)], s=70, color=colour, marker="D")
        ax.axvline(100 * cap, color="red", linestyle="--", linewidth=1)
        ax.axhline(ceiling(), color="grey", linestyle=":", linewidth=1)
        ax.set_title(cell)
        ax.set_xlabel("abandon rate (%)")
        ax.set_ylabel("talk min per agent-hour")
    for ax in list(axes.flat)[len(cells) :]:
        ax.axis("off")
    handles = [
        Line2D([], [], color=colours(i % 10), marker="D", linestyle="", label=label)
        for label, i in labels.items()
    ]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(labels), 6), fontsize=8)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
