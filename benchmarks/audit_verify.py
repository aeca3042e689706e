"""Time `dialer audit verify` (the whole chain and its head) over a generated call log.

    python -m benchmarks.audit_verify --url sqlite:///audit-bench.db [--workers 2]
    python -m benchmarks.audit_verify --url postgresql+psycopg://postgres@127.0.0.1/bench

Target (issue 8): 10 million records in at most 60 s. Prints the wall time and the CPU time of
this process and its workers; on PostgreSQL, where the server does most of the work, also the
CPU time of the server processes serving this database (when the server runs on this machine).
"""

from __future__ import annotations

import argparse
import os
import resource
import time

from benchmarks.server_cpu import database_cpu
from compliance.audit.scan import verify_log
from dialer.storage import make_engine


def _own_cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="database URL")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--in-python",
        action="store_true",
        help="PostgreSQL: hash every row in Python instead of screening in the server",
    )
    args = parser.parse_args()
    engine = make_engine(args.url)
    server_before = database_cpu(engine)
    cpu_before = _own_cpu()
    started = time.perf_counter()
    result = verify_log(engine, workers=args.workers, parallel_from=1, in_server=not args.in_python)
    elapsed = time.perf_counter() - started
    cpu = _own_cpu() - cpu_before
    server_after = database_cpu(engine)
    server = sum(t - server_before.get(pid, 0.0) for pid, t in server_after.items())
    state = "intact" if result.ok else f"{len(result.findings)} finding(s)"
    print(
        f"verify {engine.dialect.name}: {result.checked:,} records in {elapsed:.1f} s "
        f"({result.checked / elapsed:,.0f} records/s, {args.workers} range(s)): chain {state}; "
        f"CPU {cpu:.1f} s here" + (f" + {server:.1f} s in the server" if server_after else "")
    )
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    engine.dispose()


if __name__ == "__main__":
    main()
