"""The engine: one asyncio loop dialing every campaign of this process, on an injected clock and
carrier (the same code in real time against Twilio and in virtual time against the simulated
world).

Each tick, per campaign: refill the hopper (lease due leads, ask the compliance gate), build the
pacing :class:`~pacing.api.Snapshot`, ask the pacer how many calls to place, re-check each lead
with the gate, write the calls (before they exist at the carrier), then originate them within the
carrier's calls-per-second budget and the campaign's lines per agent (all of it
:class:`.dialing.Dialer`, preview offers :class:`.preview.Previewer`). Carrier events drive the
call state machine; live answers go to an agent (:mod:`.routing`) or, after the 2-second grace,
get the safe-harbor message and are recorded abandoned. Agents act through :class:`.desk.Desk`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine as DbEngine
from sqlalchemy.orm import Session, sessionmaker

from compliance.api import AbandonBudget, CallLog, CallRecord, Gate
from dialer.agents.state import Agent, AgentState
from dialer.carriers.base import (
    AgentLineClosed,
    AnswerKind,
    CallAnswered,
    CallEnded,
    CallRinging,
    Carrier,
    CarrierEvent,
    EndReason,
    KeyPressed,
)
from dialer.clock import Clock
from dialer.engine.bus import CallChanged, EventBus, ScreenPop
from dialer.engine.calls import LIVE_ANSWERS, Call, CallState
from dialer.engine.campaign import CampaignConfig, CampaignRun, load_campaign
from dialer.engine.dialing import Batch, Dialer
from dialer.engine.dispositions import Rule, lead_after, opt_out_digits
from dialer.engine.hours import CampaignHours
from dialer.engine.jobs import ApsJobRunner, ClockJobRunner
from dialer.engine.leads import LeadOutcome, LeadStore
from dialer.engine.preview import Previewer
from dialer.engine.routing import LongestIdle, RoutingPolicy
from dialer.engine.store import WriteBuffer
from dialer.errors import AgentLineClosedError, CarrierError
from dialer.storage import session_factory
from pacing.api import Outcome, OutcomeKind, Pacer, Snapshot

__all__ = ["Engine", "EngineOptions", "PacerFactory"]

log = logging.getLogger(__name__)
PacerFactory = Callable[[CampaignConfig], Pacer]

_END_STATES = {
    EndReason.BUSY: CallState.BUSY,
    EndReason.NO_ANSWER: CallState.NO_ANSWER,
    EndReason.FAILED: CallState.FAILED,
    EndReason.CANCELED: CallState.CANCELED,
}
_ANSWER_STATES = {
    AnswerKind.HUMAN: CallState.ANSWERED_HUMAN,
    AnswerKind.MACHINE: CallState.ANSWERED_MACHINE,
    AnswerKind.UNKNOWN: CallState.ANSWERED_UNKNOWN,
}


@dataclass(frozen=True)
class EngineOptions:
    owner: str = "dialer-1"  # this process's id (lease owner, call owner)
    carrier_name: str = "simulated"
    tick_s: float = 1.0
    lease_s: float = 600.0
    grace_s: float = 2.0  # a live answer waits this long for an agent (47 CFR 64.1200(a)(7)(i))
    hopper_min: int = 20
    hopper_per_agent: float = 3.0
    flush_s: float = 1.0  # queued writes (transitions, lead outcomes) go out this often
    empty_retry_s: float = 30.0  # an empty lead store is asked again after this long
    denial_retry_s: float = 3600.0  # a gate that fails (not a denial) is asked again after this
    budget_refresh_s: float = 5.0  # the abandon ledger is asked this often
    claim_chunk: int = 200  # leads claimed at most per refill (beyond 4 x the calls wanted)
    flush_in_thread: bool = False  # real time: write queued rows off the event loop
    scheduler: str = "clock"  # time-based jobs: "clock", "apscheduler" (real time) or "none"


@dataclass(eq=False)
class Engine:
    """The dialing runtime of one process. Build it with :func:`dialer.engine.wiring.build`."""

    db: DbEngine
    clock: Clock
    carrier: Carrier
    gate: Gate
    budget: AbandonBudget
    call_log: CallLog
    pacer_factory: PacerFactory
    options: EngineOptions = field(default_factory=EngineOptions)
    routing: RoutingPolicy = field(default_factory=LongestIdle)
    bus: EventBus = field(default_factory=EventBus)
    #: a wall-clock timer (e.g. ``time.perf_counter``) to measure tick and routing times with;
    #: None (the default) measures nothing
    perf: Callable[[], float] | None = None

    def __post_init__(self) -> None:
        self.sessions: sessionmaker[Session] = session_factory(self.db)
        self.leads = LeadStore(self.sessions, self.options.owner, self.options.lease_s)
        self.writes = WriteBuffer(
            self.db, self.leads, loop_checkpoints=not self.options.flush_in_thread
        )
        self.campaigns: dict[int, CampaignRun] = {}
        self.agents: dict[str, Agent] = {}
        self.calls: dict[str, Call] = {}  # engine call id -> call, until final and dispositioned
        self._by_carrier: dict[str, Call] = {}
        self._early: dict[str, list[CarrierEvent]] = {}
        self._last_tick: float | None = None
        self._last_extend = 0.0
        self._last_flush = 0.0
        self._flushing: asyncio.Future[None] | None = None
        self._opt_out = opt_out_digits()
        self._tasks: set[asyncio.Task[None]] = set()
        self.started = False
        self._jobs: ClockJobRunner | ApsJobRunner | None = None
        self.tick_seconds: list[float] = []  # wall time of each tick, when measured
        self.route_seconds: list[float] = []
        self.dialing = Dialer(
            self, by_carrier=self._by_carrier, early=self._early, move=self._move, end=self._end
        )  # the calls it places (see .dialing)
        self.preview = Previewer(self)  # preview campaigns' offers (see .preview)
        self.hours = CampaignHours(self)  # campaigns outside their own calling hours

    # -- set-up ---------------------------------------------------------------------------------

    def add_campaign(self, campaign_id: int) -> CampaignRun:
        with self.sessions() as session:
            config = load_campaign(session, campaign_id)
        run = CampaignRun(config, self.pacer_factory(config))
        self.campaigns[campaign_id] = run
        return run

    async def start(self) -> None:
        from dialer.engine.recovery import recover

        await self.carrier.start(self.on_event)
        await recover(self)
        self.preview.recover()
        self._jobs = _job_runner(self)
        if self._jobs is not None:
            self._jobs.start()
        self._last_tick = self.clock.monotonic()
        self._last_extend = self._last_tick
        self.dialing.fill_bucket()
        self.started = True

    async def stop(self, drain_s: float = 3600.0) -> None:
        """Stop dialing: hang up calls not yet with an agent, let connected calls end and be
        dispositioned (at most ``drain_s``), write everything, give back undialed leads."""
        self.preview.stop()
        for run in self.campaigns.values():
            if run.claiming is not None:
                await run.claiming
            run.hopper.clear()
            for call in list(run.in_flight.values()):
                if call.carrier_call_id is not None:
                    await self._safely(self.carrier.hangup(call.carrier_call_id))
        if self._flushing is not None:
            await self._flushing
        await self._drain(drain_s)
        if self.calls:  # out of patience: hang up, close open wrap-ups
            for call in list(self.calls.values()):
                if call.carrier_call_id is not None and not call.final:
                    await self._safely(self.carrier.hangup(call.carrier_call_id))
            await self._drain(5.0)
            for call in list(self.calls.values()):
                agent = self.agents.get(call.agent_id or "")
                if call.final and agent is not None and agent.state is AgentState.WRAP_UP:
                    from dialer.engine.desk import Desk

                    Desk(self).disposition(agent.id, "wrap_timeout")
        self.writes.flush()
        self.writes.close()
        self.leads.release_all(self.clock.now())
        if self._jobs is not None:
            await self._jobs.stop()
            self._jobs = None
        await self.carrier.stop()
        self.started = False

    async def _flush_in_thread(self) -> None:
        try:
            await asyncio.to_thread(self.writes.flush_batch, self.writes.take())
        finally:
            self._flushing = None

    async def _drain(self, seconds: float) -> None:
        deadline = self.clock.monotonic() + seconds
        while self.calls and self.clock.monotonic() < deadline:
            self.writes.flush()
            await self.clock.sleep(min(1.0, self.options.tick_s))

    async def run(self, duration_s: float | None = None, stop: asyncio.Event | None = None) -> None:
        """Tick until ``duration_s`` of clock time has passed or ``stop`` is set."""
        end = None if duration_s is None else self.clock.monotonic() + duration_s
        while (end is None or self.clock.monotonic() < end) and not (stop and stop.is_set()):
            await self.tick()
            await self.clock.sleep(self.options.tick_s)

    # -- the tick -------------------------------------------------------------------------------

    async def tick(self) -> None:
        if self.perf is None:
            await self._tick()
            return
        started = self.perf()
        await self._tick()
        self.tick_seconds.append(self.perf() - started)

    async def _tick(self) -> None:
        mono = self.clock.monotonic()
        elapsed = mono - (self._last_tick if self._last_tick is not None else mono)
        self._last_tick = mono
        self.dialing.replenish(elapsed)
        now = self.clock.now()
        batch: Batch = []
        self.hours.check(now, mono)
        for run in self.campaigns.values():
            if run.config.id in self.hours.closed:  # outside its hours: no new calls
                continue
            batch.extend(self.preview.plan(run, now, mono))  # preview leads, held callbacks
            if run.config.dial_mode != "preview":
                batch.extend(self.dialing.plan(run, now, mono))
        if batch:
            await self.dialing.place(batch, now)
        if mono - self._last_flush >= self.options.flush_s and self._flushing is None:
            self._last_flush = mono
            if self.options.flush_in_thread:
                self._flushing = asyncio.ensure_future(self._flush_in_thread())
            else:
                self.writes.flush()
        if mono - self._last_extend >= self.options.lease_s / 3:
            self._last_extend = mono
            self.leads.extend(now)

    def snapshot(self, run: CampaignRun, now: datetime, mono: float) -> Snapshot:
        """What ``run``'s pacer sees now (see :meth:`.dialing.Dialer.snapshot`)."""
        return self.dialing.snapshot(run, now, mono)

    # -- carrier events -------------------------------------------------------------------------

    async def on_event(self, event: CarrierEvent) -> None:
        if isinstance(event, AgentLineClosed):
            from dialer.engine.desk import Desk

            Desk(self).line_closed(event.agent_id, event.at, event.detail)
            return
        call = self._by_carrier.get(event.call_id)
        if call is None:
            if isinstance(event, CallEnded) and event.extra.get("reference") in self.calls:
                call = self.calls[event.extra["reference"]]
            else:
                self._early.setdefault(event.call_id, []).append(event)
                return
        run = self.campaigns[call.campaign_id]
        if isinstance(event, CallRinging):
            if call.state is CallState.DIALING:
                self._move(call, CallState.RINGING, event.at)
        elif isinstance(event, CallAnswered):
            await self._answered(run, call, event)
        elif isinstance(event, KeyPressed):
            self._key(run, call, event)
        else:
            self._ended(run, call, event)

    async def _answered(self, run: CampaignRun, call: Call, event: CallAnswered) -> None:
        if call.final:
            return
        state = _ANSWER_STATES[event.kind]
        self._move(call, state, event.at)
        call.answered_by = str(event.kind)
        call.answered_at = event.at
        call.answered_mono = self.clock.monotonic()
        if state is CallState.ANSWERED_MACHINE:
            await self._machine(run, call)
            return
        run.counters.live_answers += 1
        if await self.preview.answered(run, call):  # its agent is reserved for it
            return
        started = self.perf() if self.perf is not None else 0.0
        await self._wait_for_agent(run, call)
        if self.perf is not None:
            self.route_seconds.append(self.perf() - started)

    async def _wait_for_agent(self, run: CampaignRun, call: Call) -> None:
        """Bridge a live callee to a ready agent, or keep them waiting for one until the grace
        after the answer is over (then abandoned with the message)."""
        agent = self.routing.choose(call, run.ready)
        if agent is not None:
            await self._connect(run, call, agent)
            return
        run.waiting[call.id] = call
        assert call.answered_at is not None
        lag = (self.clock.now() - call.answered_at).total_seconds()
        delay = max(0.0, self.options.grace_s - lag)
        asyncio.get_running_loop().call_later(delay, self._grace_over, run, call)

    async def _machine(self, run: CampaignRun, call: Call) -> None:
        run.counters.machines += 1
        assert call.carrier_call_id is not None
        message = run.config.voicemail_message
        if run.config.machine_action == "voicemail" and message:
            await self._safely(
                self.carrier.play_message(call.carrier_call_id, message, hangup_after=True)
            )
        else:
            await self._safely(self.carrier.hangup(call.carrier_call_id))

    async def _connect(self, run: CampaignRun, call: Call, agent: Agent) -> None:
        """Reserve ``agent``, bridge, and pop the lead on their screen."""
        self.reserve(run, call, agent)
        await self.bridge(run, call, agent)

    def reserve(self, run: CampaignRun, call: Call, agent: Agent) -> None:
        self.desk_move(agent, AgentState.RESERVED, self.clock.now(), call_id=call.id)
        run.waiting.pop(call.id, None)

    async def bridge(self, run: CampaignRun, call: Call, agent: Agent) -> None:
        """Bridge a reserved agent to the call and pop the lead on their screen."""
        assert call.carrier_call_id is not None
        if call.final:
            agent.call_id = None
            self.desk_move(agent, AgentState.READY, self.clock.now())
            return
        try:
            await self.carrier.bridge(call.carrier_call_id, agent.id)
        except CarrierError as exc:  # the callee left meanwhile, or the agent's leg failed
            call.detail = str(exc)
            agent.call_id = None
            if isinstance(exc, AgentLineClosedError):  # paused until they reconnect
                agent.line_open = False
            self.desk_move(agent, AgentState.READY, self.clock.now())
            if not call.final and call.state in LIVE_ANSWERS:  # still on the line
                if isinstance(exc, AgentLineClosedError):
                    await self._wait_for_agent(run, call)  # another agent, within the grace
                else:  # no agent comes in time, so abandoned with the message
                    run.waiting[call.id] = call
                    self._grace_over(run, call)
            return
        now = self.clock.now()
        mono = self.clock.monotonic()
        call.agent_id = agent.id
        call.bridged_mono = mono
        self._move(call, CallState.BRIDGED, now)
        run.in_flight.pop(call.id, None)
        run.counters.bridged += 1
        self.budget.record(run.config.id, now, abandoned=False)
        setup = (call.answered_mono or mono) - call.created_mono
        run.pacer.observe(Outcome(OutcomeKind.LIVE, setup_s=setup, at_s=mono))
        self.desk_move(agent, AgentState.ON_CALL, now, call_id=call.id)
        lead = call.lead
        if self.bus.wants(ScreenPop):
            self.bus.publish(
                ScreenPop(agent.id, call.id, run.config.id, lead.record, now, run.config.script)
            )

    def _grace_over(self, run: CampaignRun, call: Call) -> None:
        if run.waiting.pop(call.id, None) is None or call.state not in LIVE_ANSWERS:
            return
        now = self.clock.now()
        mono = self.clock.monotonic()
        self._move(call, CallState.ABANDONED, now)
        call.abandoned = True
        call.safe_harbor_played = True
        run.counters.abandoned += 1
        self.budget.record(run.config.id, now, abandoned=True)
        setup = (call.answered_mono or mono) - call.created_mono
        run.pacer.observe(Outcome(OutcomeKind.ABANDONED, setup_s=setup, at_s=mono))
        assert call.carrier_call_id is not None
        message = run.config.safe_harbor_message
        self._spawn(self.carrier.play_message(call.carrier_call_id, message, hangup_after=True))

    def _key(self, run: CampaignRun, call: Call, event: KeyPressed) -> None:
        """A key pressed during a message: the opt-out key puts the number on the company DNC."""
        if self._opt_out not in event.digits or call.opted_out:
            return
        call.opted_out = True
        run.counters.opt_outs += 1
        from dialer.engine.dnc import add_to_company_dnc

        add_to_company_dnc(self.sessions, call.phone, event.at, by="ivr", source="keypress")

    def _ended(self, run: CampaignRun, call: Call, event: CallEnded) -> None:
        if call.final:
            return
        if call.state in (CallState.DIALING, CallState.RINGING, CallState.CREATED):
            state = _END_STATES.get(event.reason, CallState.NO_ANSWER)
        else:
            state = CallState.COMPLETED
        call.detail = event.detail
        self._end(run, call, state, event.at)

    def _end(self, run: CampaignRun, call: Call, state: CallState, at: datetime) -> None:
        mono = self.clock.monotonic()
        was_waiting = run.waiting.pop(call.id, None) is not None
        self._move(call, state, at)
        call.ended_at = at
        call.ended_mono = mono
        run.in_flight.pop(call.id, None)
        if call.carrier_call_id is not None:
            self._by_carrier.pop(call.carrier_call_id, None)
        if call.agent_id is not None:
            talk = mono - (call.bridged_mono or mono)
            run.counters.talk_s += talk
            run.pacer.observe(Outcome(talk_s=talk, at_s=mono))
            from dialer.engine.desk import start_wrap

            start_wrap(self, run, call)
            return
        kind, disposition = self._system_outcome(call, was_waiting)
        if kind is not None:
            run.pacer.observe(Outcome(kind, setup_s=mono - call.created_mono, at_s=mono))
        if was_waiting:
            self.budget.record(run.config.id, at, abandoned=False)
        self.finalize(run, call, disposition)
        self.preview.call_over(call, disposition)

    def _system_outcome(self, call: Call, was_waiting: bool) -> tuple[OutcomeKind | None, str]:
        states = {s for s, _ in call.states}
        if call.opted_out:
            return OutcomeKind.ABANDONED, "do_not_call"
        if call.abandoned:
            return None, "abandoned"  # observed when the grace ran out
        if was_waiting:
            return OutcomeKind.ABANDONED, "abandoned"
        if CallState.ANSWERED_MACHINE in states:
            return OutcomeKind.MACHINE, "machine"
        if states & LIVE_ANSWERS:
            return OutcomeKind.ABANDONED, "abandoned"
        return {
            CallState.BUSY: (OutcomeKind.BUSY, "busy"),
            CallState.NO_ANSWER: (OutcomeKind.NO_ANSWER, "no_answer"),
            CallState.FAILED: (OutcomeKind.FAILED, "failed"),
            CallState.CANCELED: (OutcomeKind.CANCELED, "canceled"),
        }.get(call.state, (OutcomeKind.FAILED, "failed"))

    # -- final records --------------------------------------------------------------------------

    def finalize(
        self,
        run: CampaignRun,
        call: Call,
        disposition: str,
        callback_at: datetime | None = None,
    ) -> None:
        """The attempt is over (ended, and dispositioned if it reached an agent): update the lead,
        append the call to the compliance call log."""
        now = self.clock.now()
        call.disposition = disposition
        run.counters.by_outcome[disposition] = run.counters.by_outcome.get(disposition, 0) + 1
        rule = run.config.rules.get(disposition) or Rule(disposition, final=True)
        lead = call.lead
        update = lead_after(
            rule, lead.attempts + 1, now, run.config.facts.max_attempts, callback_at
        )
        self.writes.lead_outcome(
            LeadOutcome(
                lead.id,
                update.status,
                update.next_eligible_at,
                update.reason,
                disposition,
                attempts=lead.attempts + 1,
                last_attempt_at=call.created_at,
            )
        )
        try:
            self.call_log.append(self.call_record(run, call))
            call.logged_at = now
        except Exception:  # the calls row keeps the record; logged_at stays empty
            log.exception("the call log refused call %s", call.id)
        self.writes.record(call, call.state, now, f"disposition {disposition}")
        self.calls.pop(call.id, None)

    def call_record(self, run: CampaignRun, call: Call) -> CallRecord:
        return CallRecord(
            call_id=call.id,
            campaign_id=call.campaign_id,
            lead_id=call.lead_id,
            phone=call.phone,
            purpose=run.config.purpose,
            decision_id=call.decision_id,
            carrier=self.options.carrier_name,
            carrier_call_id=call.carrier_call_id,
            states=tuple((str(s), at) for s, at in call.states),
            outcome=str(call.state),
            answered_by=call.answered_by,
            agent_id=call.agent_id,
            disposition=call.disposition,
            abandoned=call.abandoned,
            safe_harbor_played=call.safe_harbor_played,
            timezones=call.timezones,
        )

    # -- helpers --------------------------------------------------------------------------------

    def _move(self, call: Call, state: CallState, at: datetime) -> None:
        call.move(state, at)
        self.writes.record(call, state, at)
        if self.bus.wants(CallChanged):
            self.bus.publish(CallChanged(call.id, call.campaign_id, str(state), at, call.agent_id))

    def desk_move(
        self,
        agent: Agent,
        state: AgentState,
        at: datetime,
        *,
        call_id: str | None = None,
        pause_code: str | None = None,
    ) -> None:
        from dialer.engine.desk import move_agent

        move_agent(self, agent, state, at, call_id=call_id, pause_code=pause_code)

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(self._safely(coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _safely(self, coro: Awaitable[None]) -> None:
        try:
            await coro
        except CarrierError as exc:
            log.info("carrier refused a request: %s", exc)


def _job_runner(engine: Engine) -> ClockJobRunner | ApsJobRunner | None:
    kind = engine.options.scheduler
    if kind == "none":
        return None
    return ApsJobRunner(engine) if kind == "apscheduler" else ClockJobRunner(engine)
