"""Time `dialer audit verify` (the whole chain and its head) over a generated call log.

    python -m benchmarks.audit_verify --url sqlite:///audit-bench.db [--workers 2]

Target (issue 8): 10 million records in at most 60 s.
"""

from __future__ import annotations

import argparse
import os
import time

from compliance.audit.scan import verify_log
from dialer.storage import make_engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="database URL")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    engine = make_engine(args.url)
    started = time.perf_counter()
    result = verify_log(engine, workers=args.workers, parallel_from=1)
    elapsed = time.perf_counter() - started
    state = "intact" if result.ok else f"{len(result.findings)} finding(s)"
    print(
        f"verify {engine.dialect.name}: {result.checked:,} records in {elapsed:.1f} s "
        f"({result.checked / elapsed:,.0f} records/s, {args.workers} worker(s)): chain {state}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
