"""The REAL engine on the simulated carrier, in virtual time running ``speed`` times faster than
real time, with the console mounted: what the end-to-end browser tests drive."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine as DbEngine
from sqlalchemy import update
from starlette.types import ASGIApp

from campaigns.enums import DialMode
from campaigns.models import Campaign, Lead
from dialer.access.roles import Role
from dialer.access.sessions import SessionStore
from dialer.access.users import add_user
from dialer.carriers.simulated import SimulatedCarrier, load_world
from dialer.clock import VirtualClock
from dialer.engine.demo_data import DemoSpec, create_demo_campaign
from dialer.engine.runtime import EngineOptions
from dialer.engine.wiring import Runtime, build
from dialer.settings import Settings
from dialer.storage import make_engine, session_factory, upgrade
from dialer.web.app import build_app
from dialer.web.console import Console, console_app
from dialer.web.console.engine_backend import EngineBackend
from tests.dialer.web.console.live_server import LiveServer

START = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)  # a Monday, 09:00 in New York
PASSWORD = "correct horse battery"
SCRIPT = "Hello, this is Open Energy about your renewal. Is now a good time?"
CARRIER_SEED = 11  # the simulated callees' fates


@dataclass
class World:
    server: LiveServer
    db: DbEngine
    campaign_id: int
    runtime: Runtime | None = None
    console: Console | None = None


def _seed(db: DbEngine, dial_mode: DialMode = DialMode.PROGRESSIVE) -> int:
    upgrade(db)
    with session_factory(db).begin() as session:
        for name, role in (("alice", Role.AGENT), ("sue", Role.SUPERVISOR)):
            add_user(session, name, role, PASSWORD, START, display_name=name.title())
        cid = create_demo_campaign(
            session,
            DemoSpec(name="Spring renewals", dial_mode=dial_mode, leads=60),
            START,
        )
        session.execute(update(Campaign).where(Campaign.id == cid).values(script=SCRIPT))
        session.execute(
            update(Lead)
            .where(Lead.campaign_id == cid)
            .values(custom={"Policy": "HX-2231", "Renewal": "2026-06-01"})
        )
    return cid


@contextmanager
def engine_world(
    database_url: str,
    speed: float = 10.0,
    dial_mode: DialMode = DialMode.PROGRESSIVE,
    prepare: Callable[[DbEngine, int], None] | None = None,
) -> Iterator[World]:
    """The world; ``prepare(db, campaign_id)`` runs on the seeded database before the engine."""
    db = make_engine(database_url)
    cid = _seed(db, dial_mode)
    if prepare is not None:
        prepare(db, cid)
    clock = VirtualClock(START, speed=speed)
    holder: list[World] = []

    @asynccontextmanager
    async def setup() -> AsyncIterator[ASGIApp]:
        carrier = SimulatedCarrier(clock, load_world("high"), seed=CARRIER_SEED, shift_start=START)
        runtime = build(
            Settings(database_url=database_url),
            clock=clock,
            carrier=carrier,
            gate="allow_all",  # fictitious callees in a simulated world
            options=EngineOptions(owner="e2e", tick_s=1.0),
            persistent_ledgers=False,
            db=db,
        )
        runtime.engine.add_campaign(cid)
        await runtime.engine.start()
        console = Console(
            EngineBackend(runtime.engine, runtime.desk),
            SessionStore(session_factory(db), clock),
            heartbeat_s=5.0,
        )
        holder[0].runtime, holder[0].console = runtime, console
        stop = asyncio.Event()
        dialing = asyncio.ensure_future(runtime.engine.run(stop=stop))
        try:
            yield build_app(None, console_app(console))
        finally:
            console.close()
            stop.set()
            await dialing
            await runtime.engine.stop(drain_s=5.0)

    server = LiveServer(setup, loop=clock.loop)
    holder.append(World(server, db, cid))
    try:
        with server:
            yield holder[0]
    finally:
        db.dispose()
