"""The public simulation API: a shift of the REAL engine in virtual time against the simulated
world, with simulated agents, for benchmarks and the demo.

    from dialer.engine.simulation import ShiftConfig, run_shift

    result = run_shift(ShiftConfig(agents=100, hours=8, world="high", seed=7,
                                   pacer="predictive"))
    print(result.talk_minutes_per_agent_hour, result.abandon_rate)

``ShiftConfig`` (every field has a default):

* ``agents`` simulated agents, logged in at the start, for ``hours`` of virtual time;
* ``world`` ``"high"`` or ``"low"`` contact, ``variants`` (``drift``, ``imperfect_amd``,
  ``breaks``, ``abandon_cap``), ``seed`` (callees' fates, agents' draws);
* ``pacer``: a dial mode name (``preview``, ``progressive``, ``power``, ``predictive``) or any
  zero-argument callable returning a :class:`pacing.api.Pacer` (e.g. a benchmark baseline);
* ``abandon_target`` (default: the world's ``abandon_cap``, else 0.03), ``leads`` (default:
  enough for the shift), ``database_url`` (default: an in-memory SQLite database; the engine's
  own tables and migrations either way), ``tick_s``, ``flush_s`` (how often queued writes go
  out; call rows are always written before they are dialed), ``max_lines_per_agent``, ``max_cps``,
  ``gate`` (``"allow_all"``: the simulated callees are fictitious; ``"compliance"`` uses the real
  gate), ``start`` (a Monday 9:00 in New York by default).

``ShiftResult`` holds the figures (talk minutes per agent-hour, abandon rate over live answers,
attempts, live answers, abandons, machines, connects per hour, agent utilisation, outcomes by
disposition, wall time, p99 tick time) and the engine's counters. The signature is stable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np

from campaigns.enums import DialMode, Purpose
from dialer.agents.simulated import SimulatedAgents
from dialer.carriers.simulated import AgentSampler, SimulatedCarrier, load_world
from dialer.clock import VirtualClock
from dialer.engine.campaign import CampaignConfig, Counters
from dialer.engine.demo_data import DemoSpec, create_demo_campaign
from dialer.engine.runtime import EngineOptions
from dialer.engine.wiring import GateChoice, Runtime, build, campaign_pacer
from dialer.settings import Settings
from dialer.storage import make_engine, session_factory, upgrade
from pacing.api import Pacer

__all__ = ["ShiftConfig", "ShiftResult", "run_shift"]

DEFAULT_START = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York


@dataclass(frozen=True)
class ShiftConfig:
    agents: int = 20
    hours: float = 1.0
    world: str = "high"
    variants: tuple[str, ...] = ()
    seed: int = 7
    pacer: str | Callable[[], Pacer] = "progressive"
    abandon_target: float | None = None
    leads: int | None = None
    database_url: str = "sqlite://"
    tick_s: float = 1.0
    flush_s: float = 15.0
    max_lines_per_agent: float = 6.0
    max_cps: float = 1000.0
    max_wrap_s: float = 900.0
    gate: GateChoice = "allow_all"
    start: datetime = DEFAULT_START
    campaign_name: str | None = None  # default: "shift-<seed>"
    settings: Settings | None = None  # for the real gate's data (default: Settings())
    purpose: Purpose = Purpose.SURVEY


@dataclass(frozen=True)
class ShiftResult:
    config: ShiftConfig
    campaign_id: int
    wall_s: float
    attempts: int
    live_answers: int
    bridged: int
    abandoned: int
    machines: int
    opt_outs: int
    talk_minutes_per_agent_hour: float
    abandon_rate: float  # abandons / live answers
    connects_per_hour: float
    utilisation: float  # (talk + wrap) / logged-in agent time
    by_outcome: dict[str, int] = field(default_factory=dict)
    p99_tick_ms: float = 0.0
    calls_in_db: int = 0
    cpu_s: float = 0.0  # CPU time of the shift (the machine may be shared)

    def summary(self) -> str:
        return (
            f"{self.attempts} attempts, {self.live_answers} live answers, {self.bridged} "
            f"connected, {self.abandoned} abandoned ({self.abandon_rate:.2%}), "
            f"{self.talk_minutes_per_agent_hour:.1f} talk min per agent-hour, "
            f"utilisation {self.utilisation:.0%}, {self.connects_per_hour:.0f} connects/hour"
        )


def run_shift(config: ShiftConfig) -> ShiftResult:
    """Run one shift (see the module docstring) and return its figures."""
    world = load_world(config.world, config.variants)
    target = config.abandon_target or world.abandon_cap or 0.03
    leads = config.leads or int(config.agents * config.hours * 110) + 200
    db = make_engine(config.database_url)
    try:
        upgrade(db)
        with session_factory(db).begin() as session:
            campaign_id = create_demo_campaign(
                session,
                DemoSpec(
                    name=config.campaign_name or f"shift-{config.seed}",
                    purpose=config.purpose,
                    dial_mode=DialMode(config.pacer)
                    if isinstance(config.pacer, str)
                    else DialMode.PREDICTIVE,
                    leads=leads,
                    max_wrap_s=config.max_wrap_s,
                    abandon_target=target,
                ),
                config.start,
            )
        with VirtualClock(config.start) as clock:
            carrier = SimulatedCarrier(
                clock,
                world,
                seed=config.seed,
                max_cps=config.max_cps,
                shift_start=config.start,
                call_id_prefix="sim-",
            )
            runtime = build(
                replace(config.settings or Settings(), database_url=config.database_url),
                clock=clock,
                carrier=carrier,
                gate=config.gate,
                pacer_factory=_pacers(config.pacer),
                options=EngineOptions(owner="sim", tick_s=config.tick_s, flush_s=config.flush_s),
                persistent_ledgers=config.gate == "compliance",
                db=db,
            )
            sampler = AgentSampler(world.agents, np.random.default_rng(config.seed))
            wall, cpu = time.perf_counter(), time.process_time()
            clock.run(_shift(runtime, carrier, sampler, campaign_id, config))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        counters = runtime.engine.campaigns[campaign_id].at_end or Counters()
        ticks = runtime.engine.tick_seconds
        from sqlalchemy import func, select

        from dialer.engine.models import CallRow

        with session_factory(db)() as session:
            in_db = int(session.scalar(select(func.count()).select_from(CallRow)) or 0)
        return replace(_result(config, campaign_id, counters, wall, ticks, in_db), cpu_s=cpu)
    finally:
        db.dispose()


def _pacers(pacer: str | Callable[[], Pacer]) -> Callable[[CampaignConfig], Pacer]:
    if isinstance(pacer, str):
        mode = pacer

        def by_mode(config: CampaignConfig) -> Pacer:
            return campaign_pacer()(replace(config, dial_mode=mode))

        return by_mode
    return lambda _config: pacer()


async def _shift(
    runtime: Runtime,
    carrier: SimulatedCarrier,
    sampler: AgentSampler,
    campaign_id: int,
    config: ShiftConfig,
) -> None:
    engine = runtime.engine
    engine.add_campaign(campaign_id)
    await engine.start()
    rng = np.random.default_rng([config.seed, 1])  # their preview decisions
    agents = SimulatedAgents(runtime.desk, carrier, sampler, rng=rng)
    await agents.login([f"agent-{i + 1}" for i in range(config.agents)], [campaign_id])
    engine.perf = time.perf_counter
    await engine.run(duration_s=config.hours * 3600)
    run = engine.campaigns[campaign_id]
    run.at_end = replace(run.counters, by_outcome=dict(run.counters.by_outcome))
    await engine.stop()


def _result(
    config: ShiftConfig,
    campaign_id: int,
    c: Counters,
    wall: float,
    ticks: list[float],
    in_db: int,
) -> ShiftResult:
    agent_hours = max(config.agents * config.hours, 1e-9)
    return ShiftResult(
        config=config,
        campaign_id=campaign_id,
        wall_s=wall,
        attempts=c.attempts,
        live_answers=c.live_answers,
        bridged=c.bridged,
        abandoned=c.abandoned,
        machines=c.machines,
        opt_outs=c.opt_outs,
        talk_minutes_per_agent_hour=c.talk_s / 60 / agent_hours,
        abandon_rate=c.abandoned / c.live_answers if c.live_answers else 0.0,
        connects_per_hour=c.bridged / max(config.hours, 1e-9),
        utilisation=(c.talk_s + c.wrap_s) / (agent_hours * 3600),
        by_outcome=dict(c.by_outcome),
        p99_tick_ms=float(np.percentile(ticks, 99)) * 1000 if ticks else 0.0,
        calls_in_db=in_db,
    )
