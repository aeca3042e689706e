"""Every seam of the engine is wired here, and only here: database, clock, carrier, compliance
gate, abandon budget, call log, pacer.

The in-memory stand-ins below are named for what they are and used only when the caller asks for
them: :class:`AllowAllGate` (``gate="allow_all"``, simulations of fictitious callees, never for a
real carrier) and the in-memory ledger and log (``persistent_ledgers=False``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Engine as DbEngine
from sqlalchemy.orm import Session, sessionmaker

from compliance.abandonment import AbandonmentLedger
from compliance.api import (
    AbandonBudget,
    CallLog,
    CallRecord,
    CampaignFacts,
    Decision,
    Gate,
    LeadFacts,
    Reason,
)
from compliance.audit import open_call_log
from compliance.gate import build_gate
from dialer.carriers.base import Carrier
from dialer.clock import Clock, RealClock
from dialer.engine.campaign import CampaignConfig
from dialer.engine.desk import Desk
from dialer.engine.history import SqlCallHistory
from dialer.engine.runtime import Engine, EngineOptions, PacerFactory
from dialer.settings import Settings
from dialer.storage import make_engine, session_factory
from pacing.api import Pacer
from pacing.factory import make_pacer

__all__ = [
    "AllowAllGate",
    "GateChoice",
    "MemoryAbandonBudget",
    "MemoryCallLog",
    "Runtime",
    "build",
    "campaign_pacer",
    "make_budget",
    "make_call_log",
    "make_gate",
]

GateChoice = Literal["compliance", "allow_all"]
ABANDON_WINDOW = timedelta(days=30)  # 47 CFR 64.1200(a)(7)(i): measured over a 30-day period


class AllowAllGate:
    """Allows every number. Only for simulations of fictitious callees, when asked for."""

    def check(self, lead: LeadFacts, campaign: CampaignFacts, at: datetime) -> Decision:
        reason = Reason("allow_all", "simulation", "no compliance checks (simulated callees)", True)
        return Decision(True, (reason,), at)


@dataclass
class MemoryAbandonBudget:
    """The abandonment ledger in memory (one process), over a sliding 30-day window."""

    window: timedelta = ABANDON_WINDOW
    _answers: dict[int, deque[tuple[datetime, bool]]] = field(default_factory=dict)
    _abandons: dict[int, int] = field(default_factory=dict)

    def record(self, campaign_id: int, at: datetime, *, abandoned: bool) -> None:
        self._answers.setdefault(campaign_id, deque()).append((at, abandoned))
        self._abandons[campaign_id] = self._abandons.get(campaign_id, 0) + abandoned

    def remaining(self, campaign_id: int, at: datetime, target: float) -> float:
        answers = self._answers.get(campaign_id)
        if not answers:
            return float("inf") if target > 0 else 0.0
        while answers and answers[0][0] < at - self.window:
            _, was_abandoned = answers.popleft()
            self._abandons[campaign_id] -= was_abandoned
        return target * len(answers) - self._abandons.get(campaign_id, 0)


@dataclass
class MemoryCallLog:
    """Call records kept in memory (tests, simulations)."""

    records: list[CallRecord] = field(default_factory=list)

    def append(self, record: CallRecord) -> None:
        self.records.append(record)


def make_gate(choice: GateChoice, db: DbEngine, settings: Settings) -> Gate:
    """The compliance gate over the DNC data in ``settings.data_dir`` and this database's call
    history; ``"allow_all"`` only when asked for."""
    if choice == "allow_all":
        return AllowAllGate()
    sessions = session_factory(db)
    return build_gate(sessions, settings, SqlCallHistory(sessions))


def make_budget(sessions: sessionmaker[Session], *, persistent: bool) -> AbandonBudget:
    """The abandonment ledger in the database (``compliance.abandonment``), or in memory for
    simulations that ask for it."""
    return AbandonmentLedger(sessions) if persistent else MemoryAbandonBudget()


def make_call_log(sessions: sessionmaker[Session], *, persistent: bool) -> CallLog:
    """The hash-chained audit log (``compliance.audit``), or in memory for simulations that ask
    for it."""
    return open_call_log(sessions=sessions) if persistent else MemoryCallLog()


def campaign_pacer(**params: Any) -> PacerFactory:
    """A pacer per campaign from its dial mode (power mode gets its lines per agent)."""

    def factory(config: CampaignConfig) -> Pacer:
        extra = dict(params)
        if config.dial_mode == "power":
            extra.setdefault("lines_per_agent", config.lines_per_agent)
        return make_pacer(config.dial_mode, **extra)

    return factory


@dataclass(eq=False)
class Runtime:
    """A wired engine and what it was built from."""

    engine: Engine
    desk: Desk
    db: DbEngine
    settings: Settings

    def close(self) -> None:
        self.engine.writes.close()
        self.db.dispose()


def build(
    settings: Settings,
    *,
    clock: Clock,
    carrier: Carrier,
    gate: GateChoice = "compliance",
    pacer_factory: PacerFactory | None = None,
    options: EngineOptions | None = None,
    persistent_ledgers: bool = True,
    db: DbEngine | None = None,
) -> Runtime:
    """Build the runtime: the database from ``settings``, the given clock and carrier, the
    compliance gate (``"compliance"`` or, for simulations only, ``"allow_all"``)."""
    db = db or make_engine(settings.database_url)
    sessions = session_factory(db)
    owner = settings.dialer_id or "dialer-1"
    scheduler = "apscheduler" if isinstance(clock, RealClock) else "clock"
    opts = options or EngineOptions(owner=owner, carrier_name=settings.carrier, scheduler=scheduler)
    engine = Engine(
        db=db,
        clock=clock,
        carrier=carrier,
        gate=make_gate(gate, db, settings),
        budget=make_budget(sessions, persistent=persistent_ledgers),
        call_log=make_call_log(sessions, persistent=persistent_ledgers),
        pacer_factory=pacer_factory or campaign_pacer(),
        options=opts,
    )
    return Runtime(engine, Desk(engine), db, settings)
