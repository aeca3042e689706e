"""Per-decision cost of each pacing mode, on snapshots shaped like a busy shift.

A predictive pacer is warmed up on outcomes drawn from the benchmark world, then asked to decide
on a stream of snapshots (agents talking, wrapping and ready with varied times in state, calls in
flight of varied ages). Prints the mean and p99 cost per ``decide`` call, per team size.

    python -m benchmarks.pacing_decide [--agents 5 20 100] [--decisions 2000]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from pacing import AgentState, AgentView, CallStage, CallView, Outcome, OutcomeKind, Snapshot
from pacing.api import Pacer
from pacing.factory import make_pacer

__all__ = ["main"]


def _lognormal(rng: np.random.Generator, mean: float, sd: float) -> float:
    s2 = math.log(1.0 + (sd / mean) ** 2)
    return float(rng.lognormal(math.log(mean) - s2 / 2, math.sqrt(s2)))


def _warm(pacer: Pacer, rng: np.random.Generator, attempts: int = 3000) -> None:
    kinds = (OutcomeKind.LIVE, OutcomeKind.MACHINE, OutcomeKind.NO_ANSWER, OutcomeKind.BUSY)
    for i in range(attempts):
        kind = kinds[int(rng.choice(4, p=[0.25, 0.25, 0.35, 0.15]))]
        setup = {
            OutcomeKind.LIVE: 3.5 + min(_lognormal(rng, 8.0, 5.0), 24.0),
            OutcomeKind.MACHINE: 2.0 + rng.uniform(16, 28),
            OutcomeKind.NO_ANSWER: 27.0,
            OutcomeKind.BUSY: rng.uniform(1, 6),
        }[kind]
        pacer.observe(Outcome(kind, setup_s=float(setup), at_s=float(i) / 10))
        if kind is OutcomeKind.LIVE:
            pacer.observe(Outcome(talk_s=_lognormal(rng, 180.0, 180.0), at_s=float(i) / 10))
            pacer.observe(Outcome(wrap_s=_lognormal(rng, 15.0, 7.5), at_s=float(i) / 10))


def _snapshot(rng: np.random.Generator, agents: int, now_s: float) -> Snapshot:
    states = rng.choice(
        [AgentState.ON_CALL, AgentState.WRAP_UP, AgentState.READY], size=agents, p=[0.85, 0.1, 0.05]
    )
    team = tuple(AgentView(AgentState(s), float(rng.exponential(120.0))) for s in states)
    in_flight = int(rng.integers(0, max(2, agents // 2)))
    stages = rng.choice([CallStage.DIALING, CallStage.RINGING], size=in_flight, p=[0.2, 0.8])
    calls = tuple(CallView(CallStage(s), float(rng.uniform(0, 25))) for s in stages)
    return Snapshot(now_s, team, calls, 0.03, 100.0, max_lines=4 * agents)


def time_decisions(mode: str, agents: int, decisions: int, seed: int = 1) -> list[float]:
    """CPU seconds of each ``decide`` call."""
    rng = np.random.default_rng(seed)
    pacer = make_pacer(mode)
    _warm(pacer, rng)
    snapshots = [_snapshot(rng, agents, 3600.0 + i) for i in range(decisions)]
    costs = []
    for snapshot in snapshots:
        start = time.thread_time()
        pacer.decide(snapshot)
        costs.append(time.thread_time() - start)
    return costs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, nargs="+", default=[5, 20, 100])
    parser.add_argument("--decisions", type=int, default=2000)
    parser.add_argument("--modes", nargs="+", default=["progressive", "power", "predictive"])
    args = parser.parse_args(argv)
    print(f"{'mode':<12} {'agents':>6} {'mean us':>9} {'p50 us':>9} {'p99 us':>9}")
    for mode in args.modes:
        for agents in args.agents:
            costs = np.array(time_decisions(mode, agents, args.decisions)) * 1e6
            p50, p99 = np.percentile(costs, [50, 99])
            print(f"{mode:<12} {agents:>6} {costs.mean():>9.0f} {p50:>9.0f} {p99:>9.0f}")


if __name__ == "__main__":
    main()
