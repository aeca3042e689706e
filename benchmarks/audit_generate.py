"""Fill an empty database with a generated, hash-chained call log (for the audit benchmarks).

    python -m benchmarks.audit_generate --url sqlite:///audit-bench.db --records 10000000
    python -m benchmarks.audit_generate --url postgresql+psycopg://postgres@127.0.0.1/bench

The schema is created (migrated) if needed. A database whose call log is already filled is
kept as it is (generate once, then run the benchmarks against it as often as needed); else
prints the rate.
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import text

from campaigns.enums import Purpose
from campaigns.service import CampaignSpec, create_campaign
from compliance.audit.synth import SynthSpec, generate_log
from dialer.storage import make_engine, session_factory, upgrade


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="database URL")
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--campaigns", type=int, default=20)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    spec = SynthSpec(args.records, days=args.days, campaigns=args.campaigns, seed=args.seed)
    engine = make_engine(args.url)
    upgrade(engine)
    with engine.connect() as conn:
        existing = conn.execute(text("SELECT count(*) FROM call_log")).scalar_one()
    if existing:
        # Generate once, benchmark many times: a filled log is kept as it is.
        print(f"reusing the existing call log of {existing:,} records (not regenerated)")
        engine.dispose()
        return
    with session_factory(engine).begin() as session:
        if not session.execute(text("SELECT count(*) FROM campaigns")).scalar_one():
            base = CampaignSpec(purpose=Purpose.TELEMARKETING, caller_id="+14155552671")
            for k in range(1, args.campaigns + 1):
                create_campaign(session, f"Bench {k}", base, spec.start)
    started = time.perf_counter()
    last = [started]

    def progress(done: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 30 or done == spec.records:
            print(f"  {done:>11,} records, {now - started:7.1f} s", flush=True)
            last[0] = now

    generate_log(engine, spec, progress=progress)
    elapsed = time.perf_counter() - started
    print(
        f"generated {spec.records:,} chained records in {elapsed:.1f} s "
        f"({spec.records / elapsed:,.0f} records/s, indexes included) on {engine.dialect.name}"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
