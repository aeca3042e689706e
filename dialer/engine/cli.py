"""`dialer run` and `dialer demo`."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.live import Live
from sqlalchemy import Engine, select

from campaigns.enums import CampaignStatus, DialMode
from campaigns.models import Campaign
from campaigns.service import get_campaign
from dialer.agents.simulated import SimulatedAgents
from dialer.carriers.base import Carrier
from dialer.carriers.simulated import AgentSampler, SimulatedCarrier, load_world
from dialer.carriers.twilio import TwilioCarrier
from dialer.cli_support import engine_from, instant, settings_from
from dialer.clock import Clock, RealClock, VirtualClock
from dialer.engine import gc_policy
from dialer.engine.dashboard import dashboard
from dialer.engine.demo_data import demo_start
from dialer.engine.runtime import EngineOptions
from dialer.engine.simulation import ShiftConfig, run_shift
from dialer.engine.wiring import GateChoice, Runtime, build
from dialer.errors import InputError
from dialer.settings import Settings
from dialer.storage import session_factory, upgrade
from dialer.web.console.serve import LateApp, console_running

__all__ = ["demo", "run"]


def run(
    ctx: typer.Context,
    campaign: Annotated[
        list[str] | None, typer.Option(help="Campaign name or id (repeatable; default: active).")
    ] = None,
    simulate: Annotated[
        bool, typer.Option(help="Dial the simulated world in virtual time.")
    ] = False,
    speed: Annotated[
        float | None, typer.Option(help="With --simulate: N times real time (default: flat out).")
    ] = None,
    agents: Annotated[
        int, typer.Option(help="Simulated agents to log in (simulated carrier).")
    ] = 0,
    duration: Annotated[
        float | None, typer.Option(help="Seconds of (clock) time to run; default: until Ctrl-C.")
    ] = None,
    world: Annotated[str, typer.Option(help="Simulated world: high or low contact.")] = "high",
    seed: Annotated[int, typer.Option(help="Seed of the simulated world.")] = 7,
    start: Annotated[
        str | None,
        typer.Option(help="With --simulate: when virtual time starts (ISO 8601; default: now)."),
    ] = None,
    console: Annotated[
        bool, typer.Option(help="Serve the agent console and supervisor view (web_listen).")
    ] = False,
) -> None:
    """Run campaigns with a live dashboard: in real time with the configured carrier, or
    against the simulated world (--simulate)."""
    settings = settings_from(ctx)
    if (speed is not None or start is not None) and not simulate:
        raise InputError("--speed and --start need --simulate")
    if speed is not None and speed <= 0:
        raise InputError("--speed must be positive")
    if agents and not (simulate or settings.carrier == "simulated"):
        raise InputError("--agents logs in simulated agents: it needs the simulated carrier")
    if simulate and duration is None and speed is None:
        duration = 8 * 3600.0
    db = engine_from(ctx)
    try:
        ids = _campaign_ids(db, campaign)
    except BaseException:
        db.dispose()
        raise
    clock: Clock = VirtualClock(instant(start, "--start"), speed=speed) if simulate else RealClock()
    gate: GateChoice = "compliance"
    try:
        clock.run(
            _run(settings, clock, db, ids, gate, simulate, agents, duration, world, seed, console)
        )
    finally:
        if isinstance(clock, VirtualClock):
            clock.close()
        db.dispose()


def _campaign_ids(db: Engine, names: list[str] | None) -> list[int]:
    with session_factory(db)() as session:
        if names:
            ids = [get_campaign(session, name).id for name in names]
        else:
            active = select(Campaign.id).where(Campaign.status == CampaignStatus.ACTIVE)
            ids = list(session.scalars(active))
    if not ids:
        raise InputError("no campaign to run: name one with --campaign, or activate one")
    return ids


async def _run(
    settings: Settings,
    clock: Clock,
    db: Engine,
    ids: list[int],
    gate: GateChoice,
    simulate: bool,
    agents: int,
    duration: float | None,
    world_name: str,
    seed: int,
    web: bool = False,
) -> None:
    world = load_world(world_name)
    slot = LateApp() if web else None
    async with _carrier(settings, clock, simulate, world_name, seed, slot) as carrier:
        runtime = build(
            settings,
            clock=clock,
            carrier=carrier,
            gate=gate,
            db=db,
            options=EngineOptions(
                owner=settings.dialer_id or "dialer-1",
                scheduler="clock" if simulate else "apscheduler",
                flush_in_thread=not simulate,
                carrier_name="simulated" if simulate else settings.carrier,
            ),
        )
        engine = runtime.engine
        for cid in ids:
            engine.add_campaign(cid)
        await engine.start()
        if agents and isinstance(carrier, SimulatedCarrier):
            sim = SimulatedAgents(
                runtime.desk,
                carrier,
                AgentSampler(world.agents, np.random.default_rng(seed)),
                rng=np.random.default_rng([seed, 1]),  # their preview decisions
            )
            await sim.login([f"agent-{i + 1}" for i in range(agents)], ids)
        if not simulate:  # real time: no tick waits on a full garbage collection
            gc_policy.settle()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, stop.set)
            loop.add_signal_handler(signal.SIGTERM, stop.set)
        mounted = slot if isinstance(carrier, TwilioCarrier) else None
        async with console_running(runtime, clock, settings, enabled=web, mounted=mounted) as url:
            if url is not None:
                typer.echo(f"agent console and supervisor view: {url}")
            show = asyncio.ensure_future(_show(runtime, clock, stop))
            try:
                await engine.run(duration_s=duration, stop=stop)
            finally:
                stop.set()
                await show
                await engine.stop(drain_s=60.0)
        typer.echo(_summary(runtime))


@asynccontextmanager
async def _carrier(
    settings: Settings,
    clock: Clock,
    simulate: bool,
    world: str,
    seed: int,
    console: LateApp | None = None,
) -> AsyncIterator[Carrier]:
    if simulate or settings.carrier == "simulated":
        yield SimulatedCarrier(
            clock, load_world(world), seed=seed, max_cps=max(settings.carrier_cps, 100.0)
        )
        return
    from dialer.web.server import twilio_runtime

    async with twilio_runtime(settings, clock, console=console) as (carrier, _server):
        yield carrier


async def _show(runtime: Runtime, clock: Clock, stop: asyncio.Event) -> None:
    engine = runtime.engine
    started = clock.monotonic()
    console = Console()
    with Live(console=console, auto_refresh=False, transient=False) as live:
        while not stop.is_set():
            elapsed = clock.monotonic() - started
            label = clock.now().strftime("%Y-%m-%d %H:%M:%S UTC")
            live.update(dashboard(list(engine.campaigns.values()), elapsed, label), refresh=True)
            await clock.sleep(1.0 if isinstance(clock, RealClock) else 60.0)
    console.line()


def _summary(runtime: Runtime) -> str:
    lines = []
    for run in runtime.engine.campaigns.values():
        c = run.counters
        rate = c.abandoned / c.live_answers if c.live_answers else 0.0
        lines.append(
            f"{run.config.name}: {c.attempts} attempts, {c.bridged} connected, "
            f"{c.abandoned} abandoned ({rate:.2%}), {c.denied} denied by compliance"
        )
    return "\n".join(lines)


def demo(
    ctx: typer.Context,
    agents: Annotated[int, typer.Option(help="Simulated agents.")] = 20,
    hours: Annotated[float, typer.Option(help="Length of the shift (virtual hours).")] = 1.0,
    dial_mode: Annotated[DialMode, typer.Option(help="Pacing mode.")] = DialMode.PREDICTIVE,
    seed: Annotated[int, typer.Option(help="Seed of the simulated world and agents.")] = 7,
    world: Annotated[str, typer.Option(help="Simulated world: high or low contact.")] = "high",
) -> None:
    """Create a demo survey campaign with generated leads, run a simulated shift on the real
    engine in virtual time, and print what happened."""
    if agents < 1 or not 0 < hours <= 12:
        raise InputError("--agents must be at least 1 and --hours between 0 and 12")
    if world not in ("high", "low"):
        raise InputError("--world must be high or low")
    settings = settings_from(ctx)
    db = engine_from(ctx, require_schema=False)
    try:
        upgrade(db)
        with session_factory(db)() as session:
            taken = set(session.scalars(select(Campaign.name)))
    finally:
        db.dispose()
    name = next(n for n in (f"Demo survey {i}" for i in range(1, 10_000)) if n not in taken)
    gate: GateChoice = "compliance"
    start = demo_start(RealClock().now())
    typer.echo(
        f"campaign {name!r}: {agents} simulated agents, {hours:g} h from "
        f"{start:%Y-%m-%d %H:%M} UTC, {dial_mode} pacing, {world} contact world"
    )
    result = run_shift(
        ShiftConfig(
            agents=agents,
            hours=hours,
            world=world,
            seed=seed,
            pacer=str(dial_mode),
            database_url=settings.database_url,
            gate=gate,
            start=start,
            campaign_name=name,
            settings=settings,
        )
    )
    typer.echo(result.summary())
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(result.by_outcome.items()))
    typer.echo(f"dispositions: {outcomes}")
    typer.echo(
        f"ran {hours:g} virtual hours in {result.wall_s:.1f} s; "
        f"`dialer campaign show {name!r}` shows the leads"
    )
