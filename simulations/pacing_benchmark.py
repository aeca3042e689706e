"""The pacing benchmark: every pacing mode and peer on the REAL engine, in virtual time.

Runs the world and grid of the pacing benchmark specification (agents x contact, plus the
drifting-contact variant) through :func:`dialer.engine.simulation.run_shift`, on the same seeds
for every mode: progressive, fixed ratios (power, swept; the best that met the cap in hindsight is
reported), VICIdial ADAPT (HARD_LIMIT, TAPERED), the Issabel predictor, and our predictive.
Prints the table of metrics (mean and spread over seeds), saves the plot, optionally the runs.

    python -m simulations.pacing_benchmark                      # the whole grid (long)
    python -m simulations.pacing_benchmark --cells 100/high 20/low --seeds 3 --hours 2 --jobs 2
    python -m simulations.pacing_benchmark --load runs.json     # table and plot from saved runs
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from dialer.carriers.simulated import load_world
from dialer.engine.simulation import ShiftConfig, run_shift
from pacing import make_pacer
from pacing.api import Pacer
from simulations.baselines import IssabelPredictor, VicidialAdapt
from simulations.pacing_metrics import Recorder, RunMetrics
from simulations.pacing_report import render_table, save_plot

__all__ = ["Cell", "Task", "main", "make_mode", "run_one", "run_tasks"]

DEFAULT_CELLS = ("5/high", "20/high", "100/high", "5/low", "20/low", "100/low", "100/high+drift")
RATIOS = (1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0)
PEERS = ("progressive", "vicidial:HARD_LIMIT", "vicidial:TAPERED", "issabel", "predictive")


@dataclass(frozen=True, slots=True)
class Cell:
    """``agents/contact[+variant...]``, e.g. ``100/high+drift``."""

    agents: int
    contact: str
    variants: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Cell:
        agents, _, rest = text.partition("/")
        contact, *variants = rest.split("+")
        if not agents.isdigit() or contact not in ("high", "low"):
            raise ValueError(f"bad cell {text!r} (expected e.g. 100/high or 100/high+drift)")
        return cls(int(agents), contact, tuple(variants))

    @property
    def name(self) -> str:
        return "+".join((f"{self.agents}/{self.contact}", *self.variants))

    @property
    def cap(self) -> float:
        return load_world(self.contact, self.variants).abandon_cap or 0.03


@dataclass(frozen=True, slots=True)
class Task:
    mode: str
    cell: Cell
    seed: int
    hours: float


def make_mode(mode: str, hours: float) -> Pacer:
    """A pacer for a benchmark mode name (``power:2.5``, ``vicidial:TAPERED``, ``issabel``...)."""
    name, _, arg = mode.partition(":")
    if name == "power":
        return make_pacer("power", lines_per_agent=float(arg))
    if name == "vicidial":
        return VicidialAdapt(method=arg or "HARD_LIMIT", day_end_s=hours * 3600.0)
    if name == "issabel":
        return IssabelPredictor()
    return make_pacer(name)


def run_one(task: Task) -> RunMetrics:
    """One shift of the real engine with the task's pacer, and its figures."""
    recorders: list[Recorder] = []

    def factory() -> Pacer:
        recorders.append(Recorder(make_mode(task.mode, task.hours)))
        return recorders[-1]

    cell = task.cell
    config = ShiftConfig(
        agents=cell.agents,
        hours=task.hours,
        world=cell.contact,
        variants=cell.variants,
        seed=task.seed,
        pacer=factory,
    )
    result = run_shift(config)
    rec = recorders[-1]
    agent_hours = cell.agents * task.hours
    mean, p50, p90 = rec.wait_stats()
    return RunMetrics(
        mode=task.mode,
        cell=cell.name,
        seed=task.seed,
        talk_per_agent_hour=result.talk_minutes_per_agent_hour,
        occupancy=result.utilisation,
        abandon_rate=result.abandon_rate,
        worst_30min=rec.worst(1800.0),
        worst_60min=rec.worst(3600.0),
        wait_mean_s=mean,
        wait_p50_s=p50,
        wait_p90_s=p90,
        dials_per_agent_hour=result.attempts / agent_hours,
        connects_per_agent_hour=result.bridged / agent_hours,
        peak_lines_per_agent=rec.peak_lines_per_agent,
        wall_s=result.wall_s,
    )


def run_tasks(tasks: Sequence[Task], jobs: int) -> list[RunMetrics]:
    """Run every task, ``jobs`` processes at a time, reporting progress on stderr."""
    runs: list[RunMetrics] = []
    with ProcessPoolExecutor(max_workers=max(jobs, 1)) as pool:
        for done, run in enumerate(pool.map(run_one, tasks), start=1):
            runs.append(run)
            print(
                f"[{done}/{len(tasks)}] {run.cell} {run.mode} seed {run.seed}: "
                f"{run.talk_per_agent_hour:.1f} talk min/agent-h, "
                f"{run.abandon_rate:.2%} abandoned ({run.wall_s:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
    return runs


def grid(
    cells: Iterable[Cell], modes: Sequence[str], seeds: Sequence[int], hours: float
) -> list[Task]:
    """Every mode on every seed of every cell (same seeds for every mode)."""
    return [Task(mode, cell, seed, hours) for cell in cells for seed in seeds for mode in modes]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cells", nargs="+", default=list(DEFAULT_CELLS), help="e.g. 100/high+drift")
    p.add_argument("--seeds", type=int, default=10, help="seeds 1..N per cell")
    p.add_argument("--hours", type=float, default=8.0, help="shift length (8 in the spec)")
    p.add_argument("--modes", nargs="+", default=list(PEERS), help="progressive, predictive...")
    p.add_argument("--ratios", type=float, nargs="*", default=list(RATIOS), help="power k sweep")
    p.add_argument("--jobs", type=int, default=2, help="parallel processes")
    p.add_argument("--plot", type=Path, default=Path("docs/pacing.png"))
    p.add_argument("--save", type=Path, help="write every run's figures to this JSON file")
    p.add_argument("--load", type=Path, help="read runs from this JSON file instead of running")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        cells = [Cell.parse(c) for c in args.cells]
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.load:
        runs = [RunMetrics(**r) for r in json.loads(args.load.read_text())]
    else:
        modes = [*args.modes, *(f"power:{k:g}" for k in args.ratios)]
        seeds = range(1, args.seeds + 1)
        runs = run_tasks(grid(cells, modes, seeds, args.hours), args.jobs)
    if args.save:
        args.save.write_text(json.dumps([r.as_dict() for r in runs], indent=1))
    caps = {c.name: c.cap for c in cells}
    print(render_table(runs, caps))
    save_plot(runs, caps, args.plot)
    print(f"plot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
