"""Time the audit queries (`dialer audit calls` filters, `dialer audit abandonment`) over a
generated call log (see ``benchmarks.audit_generate``).

    python -m benchmarks.audit_queries --url sqlite:///audit-bench.db

Target (issue 8): each query over 10 million records in at most 5 s. Each query runs as the
command runs it: the table listing (first 100 rows, the command's columns), a count, or a whole
CSV/JSON listing; the figure after each is its row count (or the count computed). Besides the
wall time, the CPU time of this process and (PostgreSQL on this machine) of the server process.
"""

from __future__ import annotations

import argparse
import io
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from benchmarks.server_cpu import backend_pid, process_cpu
from compliance.audit.abandonment import abandonment
from compliance.audit.cli import TABLE_COLUMNS
from compliance.audit.models import CallLogRow
from compliance.audit.output import Format, write_rows
from compliance.audit.query import CALL_COLUMNS, CallFilter, count_calls, iter_calls
from dialer.storage import make_engine


def _listing(session: Session, where: CallFilter, limit: int | None, fmt: Format) -> int:
    rows = iter_calls(session, where, limit=limit, decode_json=fmt is Format.JSON)
    columns = TABLE_COLUMNS if fmt is Format.TABLE else CALL_COLUMNS
    return write_rows(io.StringIO(), fmt, columns, rows)


def _abandonment(session: Session, campaign_id: int | None) -> int:
    return len(abandonment(session, campaign_id))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="database URL")
    args = parser.parse_args()
    engine = make_engine(args.url)
    with Session(engine) as session:
        total, first = session.execute(select(func.count(), func.min(CallLogRow.started_at))).one()
        mid = session.execute(
            select(CallLogRow.phone, CallLogRow.agent_id, CallLogRow.started_at).where(
                CallLogRow.seq == total // 2
            )
        ).one()
    day = datetime(mid.started_at.year, mid.started_at.month, mid.started_at.day, tzinfo=UTC)
    week = CallFilter(campaign_id=3, since=day, until=day + timedelta(days=7))
    one_day = CallFilter(since=day, until=day + timedelta(days=1))
    queries: list[tuple[str, Callable[[Session], int]]] = [
        (
            "calls --campaign --from/--to (7 days), table",
            lambda s: _listing(s, week, 100, Format.TABLE),
        ),
        (
            "calls --campaign --from/--to (7 days), CSV",
            lambda s: _listing(s, week, None, Format.CSV),
        ),
        ("count, campaign and 7 days", lambda s: count_calls(s, week)),
        (
            "calls --number (all time), JSON",
            lambda s: _listing(s, CallFilter(phone=mid.phone), None, Format.JSON),
        ),
        (
            "calls --agent --from/--to (1 day), CSV",
            lambda s: _listing(
                s,
                CallFilter(
                    agent_id=mid.agent_id or "agent-001", since=day, until=day + timedelta(days=1)
                ),
                None,
                Format.CSV,
            ),
        ),
        (
            "calls --outcome busy (1 day), table",
            lambda s: _listing(
                s,
                CallFilter(outcome="busy", since=day, until=day + timedelta(days=1)),
                100,
                Format.TABLE,
            ),
        ),
        (
            "calls --from/--to (1 day, every campaign), CSV",
            lambda s: _listing(s, one_day, None, Format.CSV),
        ),
        ("count, outcome busy (all time)", lambda s: count_calls(s, CallFilter(outcome="busy"))),
        ("abandonment (every campaign, whole log)", lambda s: _abandonment(s, None)),
        ("abandonment --campaign (whole log)", lambda s: _abandonment(s, 3)),
    ]
    print(
        f"{engine.dialect.name}: {total:,} call records from {first:%Y-%m-%d}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print("    wall   CPU here + server")
    worst = 0.0
    for name, run in queries:
        with Session(engine) as session:
            pid = backend_pid(session.connection())
            server = None if pid is None else process_cpu(pid)
            started, cpu = time.perf_counter(), time.process_time()
            rows = run(session)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            if server is not None and pid is not None:
                after = process_cpu(pid)
                server = None if after is None else after - server
        worst = max(worst, elapsed)
        in_server = "" if server is None else f" + {server:4.2f} s"
        print(f"  {elapsed:6.2f} s  {cpu:4.2f} s{in_server}  {name}: {rows:,}")
    print(f"slowest query: {worst:.2f} s")
    engine.dispose()


if __name__ == "__main__":
    main()
