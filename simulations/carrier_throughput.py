"""Simulated carrier throughput: simulated calls per second of wall time, in virtual time.

A minimal driver (not the engine) keeps a fixed number of lines in flight for a whole shift:
every live answer goes to a free agent (who wraps up for the time ``after_call`` gives) or gets the
safe-harbor message, machines are hung up, and each finished call is replaced by a new one. It
also times the per-attempt fate draw against seeding a numpy Generator per attempt.

    python -m simulations.carrier_throughput [--agents 100] [--lines 250] [--hours 8]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
from datetime import UTC, datetime

import numpy as np

from dialer.carriers import AnswerKind, CallAnswered, CallEnded, CarrierEvent, OriginateRequest
from dialer.carriers.simulated import FateDrawer, SimulatedCarrier, load_world
from dialer.clock import VirtualClock

START = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
SAFE_HARBOR = "Sorry we missed you. This is Example Co at 415 555 2671. Press 9 to opt out."


def run_shift(agents: int, lines: int, hours: float, seed: int) -> dict[str, float]:
    counts: dict[str, float] = {"attempts": 0, "events": 0, "bridged": 0, "abandoned": 0}
    numbers = (f"+1{2125550000 + i}" for i in itertools.count())
    with VirtualClock(START) as clock:
        carrier = SimulatedCarrier(clock, load_world("high"), seed=seed)
        free = [f"agent-{i}" for i in range(agents)]
        on_call: dict[str, str] = {}
        end_at = hours * 3600

        async def dial() -> None:
            if clock.monotonic() < end_at:
                counts["attempts"] += 1
                await carrier.originate(
                    OriginateRequest(to=next(numbers), caller_id="+14155552671")
                )

        async def sink(event: CarrierEvent) -> None:
            counts["events"] += 1
            if isinstance(event, CallAnswered):
                if event.kind is AnswerKind.MACHINE:
                    await carrier.hangup(event.call_id)
                elif free:
                    agent = free.pop()
                    on_call[event.call_id] = agent
                    counts["bridged"] += 1
                    await carrier.bridge(event.call_id, agent)
                else:
                    counts["abandoned"] += 1
                    await carrier.play_message(event.call_id, SAFE_HARBOR, hangup_after=True)
            elif isinstance(event, CallEnded):
                if event.call_id in on_call:
                    agent = on_call.pop(event.call_id)
                    wrap = carrier.after_call(event.call_id).wrap_up_s
                    asyncio.get_running_loop().call_later(wrap, free.append, agent)
                await dial()

        async def main() -> None:
            await carrier.start(sink)
            for agent in free:
                await carrier.agent_login(agent, None)
            for _ in range(lines):
                await dial()
            while await carrier.active_calls():
                await clock.sleep(60)
            await carrier.stop()

        wall, cpu = time.perf_counter(), time.process_time()
        clock.run(main())
        counts["wall_s"] = time.perf_counter() - wall
        counts["cpu_s"] = time.process_time() - cpu
    return counts


def time_fate_draws(n: int = 50_000) -> tuple[float, float]:
    """Microseconds per attempt: keyed fate draw, and seeding a numpy Generator per attempt."""
    drawer = FateDrawer(load_world(), 1)
    started = time.perf_counter()
    for i in range(n):
        drawer.draw(12125550000 + i, 1)
    keyed = (time.perf_counter() - started) / n * 1e6
    started = time.perf_counter()
    for i in range(n):
        np.random.default_rng([1, 12125550000 + i, 1]).random(13)
    seeded = (time.perf_counter() - started) / n * 1e6
    return keyed, seeded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--lines", type=int, default=250, help="calls kept in flight")
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    result = run_shift(args.agents, args.lines, args.hours, args.seed)
    wall, cpu, attempts = result["wall_s"], result["cpu_s"], result["attempts"]
    print(f"shift: {args.hours:g} h virtual, {args.agents} agents, {args.lines} lines in flight")
    print(
        f"attempts: {result['attempts']:.0f}  events: {result['events']:.0f}  "
        f"bridged: {result['bridged']:.0f}  safe-harbor: {result['abandoned']:.0f}"
    )
    print(
        f"wall: {wall:.2f} s -> {attempts / wall:,.0f} simulated calls/s of wall time "
        f"(CPU: {cpu:.2f} s, {cpu / attempts * 1e6:.0f} us per call: carrier + driver + loop)"
    )
    keyed, seeded = time_fate_draws()
    print(
        f"fate draw: {keyed:.1f} us per attempt (keyed BLAKE2b); "
        f"numpy Generator seeded per attempt: {seeded:.1f} us"
    )


if __name__ == "__main__":
    main()
