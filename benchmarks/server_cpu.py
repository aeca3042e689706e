"""CPU time of PostgreSQL server processes, for benchmarks where the server does most of the work.

Read from ``/proc``, so only when the server runs on this machine and its processes are
readable; otherwise the figures are missing (empty), never guessed.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Connection, Engine, text

__all__ = ["backend_pid", "database_cpu", "process_cpu"]


def process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` (None: not readable here)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_pid(conn: Connection) -> int | None:
    """The server process serving ``conn`` (None: not PostgreSQL)."""
    if conn.dialect.name != "postgresql":
        return None
    return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def database_cpu(engine: Engine) -> dict[int, float]:
    """CPU seconds of each client server process connected to ``engine``'s database."""
    if engine.dialect.name != "postgresql":
        return {}
    with engine.connect() as conn:
        pids = conn.scalars(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_type = 'client backend'"
            )
        ).all()
    found = {int(pid): process_cpu(int(pid)) for pid in pids}
    return {pid: cpu for pid, cpu in found.items() if cpu is not None}
