"""Time-based jobs (dead leases, callbacks, list recycling), each firing claimed in the database.

Every job runs on a fixed interval; a firing is the slot ``floor(clock / interval)``. Before it
runs, a process inserts ``(job, slot)`` into ``job_claims`` (unique): with several dialer
processes on one PostgreSQL database, exactly one runs each firing. :class:`ApsJobRunner` drives
the jobs with APScheduler in real time; :class:`ClockJobRunner` drives the same jobs on the
engine's clock (virtual time, where APScheduler's wall-clock reads do not apply).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from campaigns.enums import LeadStatus
from campaigns.models import Lead
from dialer.agents.state import AgentState
from dialer.engine.dispositions import callback_grace_s, recycling, system_rules
from dialer.engine.models import CallbackRow, JobClaimRow

if TYPE_CHECKING:
    from dialer.engine.runtime import Engine

__all__ = ["ApsJobRunner", "ClockJobRunner", "Job", "claim_slot", "engine_jobs"]


@dataclass(frozen=True)
class Job:
    name: str
    every_s: float
    run: Callable[[datetime], int]  # returns how many things it changed


def claim_slot(
    sessions: sessionmaker[Session], owner: str, job: str, slot: datetime, now: datetime
) -> bool:
    """True if this process won the firing ``(job, slot)``."""
    try:
        with sessions.begin() as session:
            session.execute(
                insert(JobClaimRow).values(job=job, slot=slot, owner=owner, claimed_at=now)
            )
        return True
    except IntegrityError:
        return False


def slot_of(now: datetime, every_s: float) -> datetime:
    seconds = math.floor(now.timestamp() / every_s) * every_s
    return datetime.fromtimestamp(seconds, UTC)


def engine_jobs(engine: Engine) -> list[Job]:
    lost = timedelta(seconds=system_rules()["lost"].retry_after_s or 0)
    return [
        Job("reclaim_leases", 60.0, lambda now: engine.leads.reclaim_expired(now, lost)),
        Job("callbacks", 60.0, lambda now: release_callbacks(engine, now)),
        Job("recycle_lists", 3600.0, lambda now: recycle_leads(engine.sessions, now)),
    ]


def release_callbacks(engine: Engine, now: datetime) -> int:
    """Due callbacks are marked done once their lead is being dialed; a callback promised to an
    agent who is not logged in by its grace time goes to anyone."""
    late = now - timedelta(seconds=callback_grace_s())
    present = {a.id for a in engine.agents.values() if a.state is not AgentState.LOGGED_OUT}
    with engine.sessions.begin() as session:
        rows = session.execute(
            select(
                CallbackRow.id, CallbackRow.lead_id, CallbackRow.agent_id, CallbackRow.due_at
            ).where(CallbackRow.status == "pending", CallbackRow.due_at <= now)
        ).all()
        freed = 0
        for cb_id, lead_id, agent_id, due_at in rows:
            if agent_id is not None and agent_id not in present:
                if due_at > late:
                    continue
                session.execute(update(Lead).where(Lead.id == lead_id).values(callback_agent=None))
                freed += 1
            session.execute(update(CallbackRow).where(CallbackRow.id == cb_id).values(status="due"))
        return freed


def recycle_leads(sessions: sessionmaker[Session], now: datetime) -> int:
    """Finished leads whose last disposition is recyclable, old enough: callable again."""
    rule = recycling()
    before = now - timedelta(days=rule.after_days)
    with sessions.begin() as session:
        result = session.execute(
            update(Lead)
            .where(
                Lead.status == LeadStatus.DONE,
                Lead.last_disposition.in_(rule.dispositions),
                Lead.last_attempt_at <= before,
                or_(Lead.lease_owner.is_(None), and_(Lead.lease_expires_at < now)),
            )
            .values(
                status=LeadStatus.RETRY, attempts=0, next_eligible_at=now, status_reason="recycled"
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _fire(engine: Engine, job: Job) -> int:
    now = engine.clock.now()
    if not claim_slot(
        engine.sessions, engine.options.owner, job.name, slot_of(now, job.every_s), now
    ):
        return 0
    return job.run(now)


class ClockJobRunner:
    """Runs the jobs on the engine's clock (virtual or real)."""

    def __init__(self, engine: Engine, jobs: list[Job] | None = None) -> None:
        self.engine = engine
        self.jobs = jobs if jobs is not None else engine_jobs(engine)
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.ensure_future(self._loop(job)) for job in self.jobs]

    async def _loop(self, job: Job) -> None:
        while True:
            _fire(self.engine, job)
            await self.engine.clock.sleep(job.every_s)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


class ApsJobRunner:
    """Runs the jobs with APScheduler's asyncio scheduler (real time)."""

    def __init__(self, engine: Engine, jobs: list[Job] | None = None) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self.engine = engine
        self.jobs = jobs if jobs is not None else engine_jobs(engine)
        self.scheduler: Any = AsyncIOScheduler(timezone=UTC)

    def start(self) -> None:
        for job in self.jobs:
            self.scheduler.add_job(
                _fire,
                "interval",
                seconds=job.every_s,
                args=(self.engine, job),
                id=job.name,
                next_run_time=self.engine.clock.now(),
                max_instances=1,
                coalesce=True,
            )
        self.scheduler.start()

    async def stop(self) -> None:
        self.scheduler.shutdown(wait=False)
