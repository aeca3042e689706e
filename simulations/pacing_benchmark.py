"""The pacing benchmark: every pacing mode and peer on the REAL engine, in virtual time.

Runs the world and grid of the pacing benchmark specification (agents x contact, plus the
drifting-contact variant) through :func:`dialer.engine.simulation.run_shift`, on the same seeds
for every mode: progressive, VICIdial ADAPT (HARD_LIMIT, TAPERED), the Issabel predictor, our
predictive, and fixed ratios (power; by default the best that kept the cap in hindsight is found
by bisection on k, :mod:`simulations.pacing_ratio`, instead of a full sweep). Runs go to
``--jobs`` processes. Prints the table of metrics (mean and spread over seeds), saves the plot,
optionally the runs.

    python -m simulations.pacing_benchmark                      # the whole grid (long)
    python -m simulations.pacing_benchmark --cells 100/high 20/low --seeds 3 --hours 2 --jobs 2
    python -m simulations.pacing_benchmark --cells 100/high --modes predictive --ratios
    python -m simulations.pacing_benchmark --load runs.json     # table and plot from saved runs
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from dialer.carriers.simulated import load_world
from dialer.engine.simulation import ShiftConfig, run_shift
from pacing import make_pacer
from pacing.api import Pacer
from simulations.baselines import IssabelPredictor, VicidialAdapt
from simulations.pacing_metrics import Recorder, RunMetrics
from simulations.pacing_ratio import search_ratio
from simulations.pacing_report import render_table, save_plot

__all__ = ["Cell", "Runner", "Task", "main", "make_mode", "run_one", "run_ratio", "run_tasks"]

DEFAULT_CELLS = ("5/high", "20/high", "100/high", "5/low", "20/low", "100/low", "100/high+drift")
#: The fixed ratios bisected for the best in hindsight (power k, low to high, and the step).
RATIO_RANGE = (1.5, 6.0)
RATIO_STEP = 0.25
#: Leads loaded per agent-hour: more than the most aggressive mode dials, so no run starves.
LEADS_PER_AGENT_HOUR = {"high": 130, "low": 220}
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
    leads = int(cell.agents * task.hours * LEADS_PER_AGENT_HOUR[cell.contact]) + 200
    config = ShiftConfig(
        agents=cell.agents,
        hours=task.hours,
        world=cell.contact,
        variants=cell.variants,
        seed=task.seed,
        pacer=factory,
        leads=leads,
    )
    result = run_shift(config)
    rec = recorders[-1]
    agent_hours = cell.agents * task.hours
    mean, p50, p90 = rec.wait_stats()
    unfinished = rec.unfinished_talk_s / 60.0 / agent_hours
    unfinished_wrap = rec.unfinished_wrap_s / 3600.0 / agent_hours
    return RunMetrics(
        mode=task.mode,
        cell=cell.name,
        seed=task.seed,
        talk_per_agent_hour=result.talk_minutes_per_agent_hour + unfinished,
        occupancy=result.utilisation + unfinished / 60.0 + unfinished_wrap,
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
        unfinished_talk_per_agent_hour=unfinished,
    )


class Runner:
    """Runs tasks ``jobs`` processes at a time (in this process when ``jobs`` is 1), keeps every
    run, reports progress on stderr, and writes the runs so far to ``save`` after each one (an
    interrupted grid keeps them)."""

    def __init__(self, jobs: int, save: Path | None = None) -> None:
        self.jobs = max(jobs, 1)
        self.save = save
        self.runs: list[RunMetrics] = []
        self._pool = ProcessPoolExecutor(max_workers=self.jobs) if self.jobs > 1 else None

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def run(
        self, tasks: Sequence[Task], stop: Callable[[RunMetrics], bool] | None = None
    ) -> list[RunMetrics]:
        """The runs of ``tasks``; once a run meets ``stop``, the tasks not started are dropped."""
        done: list[RunMetrics] = []
        if self._pool is None:
            for task in tasks:
                done.append(self._keep(run_one(task), len(tasks)))
                if stop is not None and stop(done[-1]):
                    break
            return done
        futures = [self._pool.submit(run_one, task) for task in tasks]
        for future in as_completed(futures):
            if future.cancelled():
                continue
            done.append(self._keep(future.result(), len(tasks)))
            if stop is not None and stop(done[-1]):
                for other in futures:
                    other.cancel()
        return done

    def _keep(self, run: RunMetrics, batch: int) -> RunMetrics:
        self.runs.append(run)
        if self.save is not None:
            _save(self.runs, self.save)
        print(
            f"[{len(self.runs)}] {run.cell} {run.mode} seed {run.seed}: "
            f"{run.talk_per_agent_hour:.1f} talk min/agent-h, "
            f"{run.abandon_rate:.2%} abandoned ({run.wall_s:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
        return run


def run_tasks(tasks: Sequence[Task], jobs: int, save: Path | None = None) -> list[RunMetrics]:
    """Every task's run, ``jobs`` processes at a time."""
    with Runner(jobs, save) as runner:
        return runner.run(tasks)


def run_ratio(
    runner: Runner, cell: Cell, seeds: Sequence[int], hours: float, k: float
) -> list[RunMetrics]:
    """``power:k`` on every seed of ``cell``, stopping at the first run over the cell's cap."""
    cap = cell.cap
    tasks = [Task(f"power:{k:g}", cell, seed, hours) for seed in seeds]
    return runner.run(tasks, stop=lambda run: run.abandon_rate > cap)


def _save(runs: Sequence[RunMetrics], path: Path) -> None:
    path.write_text(json.dumps([r.as_dict() for r in runs], indent=1))


def grid(
    cells: Iterable[Cell], modes: Sequence[str], seeds: Sequence[int], hours: float
) -> list[Task]:
    """Every mode on every seed of every cell (same seeds for every mode)."""
    return [Task(mode, cell, seed, hours) for cell in cells for seed in seeds for mode in modes]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cells", nargs="+", default=list(DEFAULT_CELLS), help="e.g. 100/high+drift")
    p.add_argument("--seeds", type=int, default=10, help="how many seeds per cell")
    p.add_argument("--first-seed", type=int, default=1, help="seeds first..first+N-1")
    p.add_argument("--hours", type=float, default=8.0, help="shift length (8 in the spec)")
    p.add_argument("--modes", nargs="*", default=list(PEERS), help="progressive, predictive...")
    p.add_argument(
        "--ratios",
        type=float,
        nargs="*",
        help="sweep these power k (none given: no fixed ratio); default: bisect --ratio-range",
    )
    p.add_argument(
        "--ratio-range", type=float, nargs=2, default=RATIO_RANGE, metavar=("LOW", "HIGH")
    )
    p.add_argument("--ratio-step", type=float, default=RATIO_STEP, help="bisection resolution")
    p.add_argument("--jobs", type=int, default=2, help="parallel processes")
    p.add_argument("--plot", type=Path, default=Path("docs/pacing.png"))
    p.add_argument("--save", type=Path, help="write every run's figures to this JSON file")
    p.add_argument("--load", type=Path, nargs="+", help="read runs from these JSON files instead")
    return p


def _run_grid(args: argparse.Namespace, cells: Sequence[Cell]) -> list[RunMetrics]:
    """The modes (and any swept ratios) on every cell and seed, then the ratio bisections."""
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    modes = [*args.modes, *(f"power:{k:g}" for k in args.ratios or ())]
    with Runner(args.jobs, args.save) as runner:
        runner.run(grid(cells, modes, seeds, args.hours))
        if args.ratios is None:
            low, high = args.ratio_range
            for cell in cells:
                search_ratio(
                    partial(run_ratio, runner, cell, seeds, args.hours),
                    cell.cap,
                    low,
                    high,
                    args.ratio_step,
                )
        return runner.runs


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        cells = [Cell.parse(c) for c in args.cells]
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.load:
        runs = [RunMetrics(**r) for path in args.load for r in json.loads(path.read_text())]
    else:
        runs = _run_grid(args, cells)
    caps = {c.name: c.cap for c in cells}
    print(render_table(runs, caps))
    save_plot(runs, caps, args.plot)
    print(f"plot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
