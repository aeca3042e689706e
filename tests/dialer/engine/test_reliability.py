"""Reliability: ``kill -9`` of the engine mid-run then a restart; two engines on one PostgreSQL
database. The engines are real ``dialer run --simulate`` processes (virtual time, sped up)."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from campaigns.enums import LeadStatus
from campaigns.models import Lead
from dialer.engine.demo_data import DemoSpec, create_demo_campaign
from dialer.engine.dispositions import system_rules
from dialer.engine.models import CallRow
from dialer.storage import make_engine, session_factory, upgrade

ROOT = Path(__file__).resolve().parents[3]
RULES = system_rules()


def _seed(url: str, leads: int = 400) -> None:
    db = make_engine(url)
    upgrade(db)
    with session_factory(db).begin() as s:
        create_demo_campaign(
            s, DemoSpec(name="Reliable", leads=leads), datetime(2026, 3, 9, tzinfo=UTC)
        )
    db.dispose()


#: When the engines' virtual time starts: a Tuesday, 11:00 in New York (the leads' zone).
DAYTIME = "2026-03-10T15:00:00+00:00"


def _engine_process(url: str, owner: str, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DIALER_DATABASE_URL": url,
        "DIALER_CONFIG": "/nonexistent/dialer.toml",
        "DIALER_ID": owner,
    }
    command = [sys.executable, "-m", "cli", "run", "--campaign", "Reliable", "--simulate"]
    command += ["--start", DAYTIME, *args]  # the real gate: inside the leads' calling hours
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _calls(db: Engine) -> list[CallRow]:
    with session_factory(db)() as s:
        return list(s.scalars(select(CallRow).order_by(CallRow.created_at)))


def _wait_for_calls(
    db: Engine, n: int, proc: subprocess.Popen[bytes], limit_s: float = 120
) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        with session_factory(db)() as s:
            if (s.scalar(select(func.count()).select_from(CallRow)) or 0) >= n:
                return
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.2)
    pytest.fail(f"the engine did not place {n} calls in {limit_s} s")


def _assert_retry_policy_kept(calls: list[CallRow]) -> None:
    """No lead was dialed again before its previous attempt's retry delay had passed."""
    by_lead: dict[int, list[CallRow]] = defaultdict(list)
    for call in calls:
        assert call.lead_id is not None
        by_lead[call.lead_id].append(call)
    for lead_calls in by_lead.values():
        for before, after in itertools.pairwise(lead_calls):
            rule = RULES.get(before.disposition or "")
            assert rule is not None, before.disposition
            assert rule.retry_after_s is not None, (before.disposition, after.id)
            assert after.created_at >= before.created_at + timedelta(seconds=rule.retry_after_s)


def test_kill_9_mid_run_then_restart_loses_nothing(db_url: str) -> None:
    _seed(db_url)
    db = make_engine(db_url)
    first = _engine_process(db_url, "dialer-a", "--agents", "5", "--speed", "50")
    try:
        _wait_for_calls(db, 30, first)
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate()
    before = _calls(db)
    unfinished = {c.id for c in before if not c.final}
    assert unfinished, "the crash should leave calls in flight"

    second = _engine_process(
        db_url, "dialer-a", "--agents", "5", "--speed", "50", "--duration", "120"
    )
    _, err = second.communicate(timeout=300)
    assert second.returncode == 0, err.decode()

    after = _calls(db)
    assert {c.id for c in before} <= {c.id for c in after}  # no call record lost
    assert all(c.final for c in after)
    reconciled = {c.id for c in after if c.detail == "reconciled after restart"}
    assert unfinished <= reconciled  # the calls in flight at the crash were closed
    _assert_retry_policy_kept(after)
    with session_factory(db)() as s:  # nothing is left claimed or in progress
        held = s.scalar(
            select(func.count()).where(
                (Lead.lease_owner.is_not(None)) | (Lead.status == LeadStatus.IN_PROGRESS)
            )
        )
        assert held == 0
    db.dispose()


@pytest.mark.postgres
def test_two_engines_on_one_postgres_database_never_dial_the_same_lead(pg_url: str) -> None:
    _seed(pg_url, leads=300)
    procs = [
        _engine_process(pg_url, owner, "--agents", "6", "--speed", "40", "--duration", "300")
        for owner in ("dialer-a", "dialer-b")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    db = make_engine(pg_url)
    calls = _calls(db)
    owners = {c.owner for c in calls}
    assert owners == {"dialer-a", "dialer-b"}
    _assert_retry_policy_kept(calls)
    db.dispose()
