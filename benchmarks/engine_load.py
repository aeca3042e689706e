"""Engine load in real time: 1,000 agents and 3,000 concurrent calls against the simulated carrier.

    python -m benchmarks.engine_load [--agents 1000] [--calls 3000] [--seconds 90]

One engine process, wall-clock time (``RealClock``), the simulated carrier and 1,000 simulated
agents; a pacer keeps ``--calls`` calls up (dialing, ringing, waiting or talking). Prints the p99
tick time (pacing, hopper, compliance batch, originate batch, writes; target <= 50 ms) and the p99
answer-to-agent routing decision (target <= 10 ms), measured after the ramp-up.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import numpy as np

from dialer.agents.simulated import SimulatedAgents
from dialer.carriers.simulated import AgentSampler, SimulatedCarrier, load_world
from dialer.clock import RealClock
from dialer.engine import gc_policy
from dialer.engine.campaign import CampaignConfig
from dialer.engine.demo_data import DemoSpec, create_demo_campaign
from dialer.engine.runtime import EngineOptions
from dialer.engine.wiring import build
from dialer.settings import Settings
from dialer.storage import make_engine, session_factory, upgrade
from pacing.api import AgentState, Outcome, Pacer, Snapshot


class KeepCallsUp:
    """Keeps ``total`` calls up: in flight (not yet with an agent) plus connected."""

    def __init__(self, total: int) -> None:
        self.total = total

    def observe(self, outcome: Outcome) -> None:
        """No statistics."""

    def decide(self, snapshot: Snapshot) -> int:
        talking = sum(1 for a in snapshot.agents if a.state is AgentState.ON_CALL)
        room = snapshot.max_lines - len(snapshot.calls)
        return max(0, min(self.total - len(snapshot.calls) - talking, room))


def p99_ms(values: list[float]) -> float:
    return float(np.percentile(values, 99)) * 1000 if values else 0.0


async def _load(args: argparse.Namespace, url: str) -> dict[str, float]:
    clock = RealClock()
    world = load_world("high")
    carrier = SimulatedCarrier(clock, world, seed=args.seed, max_cps=args.cps)

    def pacer(_config: CampaignConfig) -> Pacer:
        return KeepCallsUp(args.calls)

    runtime = build(
        Settings(database_url=url),
        clock=clock,
        carrier=carrier,
        gate="allow_all",
        pacer_factory=pacer,
        persistent_ledgers=False,
        options=EngineOptions(
            owner="load",
            tick_s=args.tick,
            flush_s=1.0,
            hopper_per_agent=4.0,
            scheduler="clock",
            flush_in_thread=True,
        ),
    )
    engine = runtime.engine
    engine.add_campaign(1)
    await engine.start()
    sim = SimulatedAgents(
        runtime.desk, carrier, AgentSampler(world.agents, np.random.default_rng(args.seed))
    )
    await sim.login([f"agent-{i}" for i in range(args.agents)], [1])
    engine.perf = time.perf_counter
    cpu: list[float] = []  # the loop thread's CPU time per tick (a shared machine inflates wall)
    wall_tick = engine.tick

    async def tick() -> None:
        started_cpu = time.thread_time()
        await wall_tick()
        cpu.append(time.thread_time() - started_cpu)

    setattr(engine, "tick", tick)  # noqa: B010 (an instance's method, wrapped for measuring)
    gc_policy.settle()  # as `dialer run` does: no tick waits on a full garbage collection
    peak = 0
    started = time.perf_counter()
    ramp_ticks = ramp_routes = 0

    async def sample() -> None:
        nonlocal peak, ramp_ticks, ramp_routes
        while True:
            await asyncio.sleep(1.0)
            peak = max(peak, len(await carrier.active_calls()))
            if time.perf_counter() - started < args.ramp:
                ramp_ticks, ramp_routes = len(engine.tick_seconds), len(engine.route_seconds)

    sampler = asyncio.ensure_future(sample())
    await engine.run(duration_s=args.seconds)
    sampler.cancel()
    counters = engine.campaigns[1].counters
    ticks, routes = engine.tick_seconds[ramp_ticks:], engine.route_seconds[ramp_routes:]
    cpu = cpu[ramp_ticks:]
    await engine.stop(drain_s=0.0)
    return {
        "peak_calls": peak,
        "attempts": counters.attempts,
        "bridged": counters.bridged,
        "ticks": len(ticks),
        "p50_tick_ms": float(np.percentile(ticks, 50)) * 1000 if ticks else 0.0,
        "p99_tick_ms": p99_ms(ticks),
        "p99_tick_cpu_ms": p99_ms(cpu),
        "routes": len(routes),
        "p99_route_ms": p99_ms(routes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--ramp", type=float, default=30.0, help="seconds left out of the p99")
    parser.add_argument("--tick", type=float, default=0.25)
    parser.add_argument("--cps", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'load.db'}"
        db = make_engine(url)
        upgrade(db)
        leads = int(args.cps * args.seconds) + args.calls + 1000
        with session_factory(db).begin() as session:
            create_demo_campaign(session, DemoSpec(name="load", leads=leads), RealClock().now())
        db.dispose()
        figures = RealClock().run(_load(args, url))
    print(
        f"{args.agents} agents, peak {figures['peak_calls']:.0f} concurrent calls, "
        f"{figures['attempts']:.0f} attempts, {figures['bridged']:.0f} connected in "
        f"{args.seconds:g} s | tick p50 {figures['p50_tick_ms']:.1f} ms, p99 "
        f"{figures['p99_tick_ms']:.1f} ms (target <= 50; CPU p99 "
        f"{figures['p99_tick_cpu_ms']:.1f} ms) over {figures['ticks']:.0f} ticks | "
        f"routing p99 {figures['p99_route_ms']:.3f} ms (target <= 10) over "
        f"{figures['routes']:.0f} answers"
    )


if __name__ == "__main__":
    main()
