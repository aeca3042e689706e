"""A 100-agent, 8-hour simulated shift on the real engine, in virtual time: wall time and figures.

    python -m simulations.shift_benchmark [--agents 100] [--hours 8] [--modes progressive ...]

The engine, its database (in-memory SQLite, the real migrations and write path), the simulated
carrier and the simulated agents all run; the target is at most 60 s of wall time per shift.
"""

from __future__ import annotations

import argparse
import time

from dialer.engine.simulation import ShiftConfig, run_shift


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--world", default="high")
    parser.add_argument("--modes", nargs="+", default=["progressive", "predictive"])
    args = parser.parse_args()
    for mode in args.modes:
        started = time.perf_counter()
        result = run_shift(
            ShiftConfig(
                agents=args.agents, hours=args.hours, world=args.world, seed=args.seed, pacer=mode
            )
        )
        total = time.perf_counter() - started
        print(
            f"{mode:12s} shift {result.wall_s:6.1f} s wall, {result.cpu_s:6.1f} s CPU (with "
            f"set-up {total:5.1f} s wall), "
            f"p99 tick {result.p99_tick_ms:5.2f} ms | {result.summary()}"
        )


if __name__ == "__main__":
    main()
