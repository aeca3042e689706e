"""Dialing: turning a pacing decision into gated, persisted, originated calls.

Per campaign and tick (:meth:`Dialer.plan`): build the pacing :class:`~pacing.api.Snapshot`, ask
the pacer how many calls to place, cut that to the carrier's calls-per-second budget (a token
bucket, :meth:`Dialer.replenish`), refill the hopper (lease due leads, ask the compliance gate),
re-check each lead with the gate right before dialing, and create the calls. :meth:`Dialer.place`
writes them (before they exist at the carrier), then originates them. Preview offers
(:mod:`.preview`) go through the same gate, call creation and budget.

A lead the gate denies is rescheduled or set aside (:meth:`Dialer.judge`); a gate that fails
denies (fail closed) and the lead is asked again after ``denial_retry_s``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from campaigns.enums import LeadStatus
from compliance.api import Decision
from dialer.agents.state import AgentState
from dialer.carriers.base import CarrierEvent, OriginateRequest
from dialer.engine.calls import LIVE_ANSWERS, Call, CallState
from dialer.engine.campaign import CampaignRun
from dialer.engine.denials import denial_reason
from dialer.engine.leads import ClaimedLead, LeadOutcome
from dialer.engine.store import CallMeta
from dialer.errors import CarrierError
from pacing.api import AgentState as PaceAgent
from pacing.api import AgentView, CallStage, CallView, Snapshot

if TYPE_CHECKING:
    from dialer.engine.runtime import Engine

__all__ = ["Batch", "Dialer"]

log = logging.getLogger(__name__)
Batch = list[tuple[CampaignRun, Call]]
Mover = Callable[[Call, CallState, datetime], None]
Ender = Callable[[CampaignRun, Call, CallState, datetime], None]

_PACE_STATES = {
    AgentState.READY: PaceAgent.READY,
    AgentState.RESERVED: PaceAgent.RESERVED,
    AgentState.PREVIEW: PaceAgent.RESERVED,  # busy with a preview lead (see .preview)
    AgentState.ON_CALL: PaceAgent.ON_CALL,
    AgentState.WRAP_UP: PaceAgent.WRAP_UP,
    AgentState.PAUSED: PaceAgent.PAUSED,
}


class Dialer:
    """The dialing side of one engine: the calls it places, and its calls-per-second budget.

    It shares the engine's call tables (``calls``, ``by_carrier``, ``early``: events that came
    before their origination returned) and is told how to move a call and how to end one; the
    gate, the abandon budget and the carrier are read from the engine when used (tests swap
    them)."""

    def __init__(
        self,
        engine: Engine,
        *,
        by_carrier: dict[str, Call],
        early: dict[str, list[CarrierEvent]],
        move: Mover,
        end: Ender,
    ) -> None:
        self.engine = engine
        self.options = engine.options
        self.clock = engine.clock
        self.leads = engine.leads
        self.writes = engine.writes
        self.calls = engine.calls
        self._by_carrier = by_carrier
        self._early = early
        self._move = move
        self._end = end
        self._token = secrets.token_hex(3)
        self._seq = 0
        self.tokens = 0.0  # originations allowed now (carrier calls per second)

    # -- the calls-per-second budget --------------------------------------------------------

    def fill_bucket(self) -> None:
        """A full bucket: the engine starts."""
        self.tokens = self.engine.carrier.max_cps * max(self.options.tick_s, 1.0)

    def replenish(self, elapsed: float) -> None:
        """``elapsed`` seconds more of the carrier's calls per second (at most one tick's)."""
        cps = self.engine.carrier.max_cps
        self.tokens = min(cps * max(self.options.tick_s, 1.0), self.tokens + cps * elapsed)

    def affordable(self, wanted: int) -> int:
        """``wanted`` cut to the originations the budget allows now."""
        return min(wanted, int(self.tokens))

    def spend(self, placed: int) -> None:
        self.tokens -= placed

    # -- the paced plan ---------------------------------------------------------------------

    def plan(self, run: CampaignRun, now: datetime, mono: float) -> Batch:
        """The calls the pacer wants for ``run`` now, gated and created (not yet written)."""
        if not run.agents:
            return []
        wanted = run.pacer.decide(self.snapshot(run, now, mono))
        wanted = min(wanted, int(self.tokens))
        if wanted <= 0:
            return []
        self.refill(run, wanted, now, mono)
        leads = [run.hopper.popleft() for _ in range(min(wanted, len(run.hopper)))]
        calls: Batch = []
        for lead, decided in zip(leads, self._decide_many(run, leads, now), strict=True):
            decision = self.judge(run, lead, decided, now)  # again, right before dialing
            if decision is not None:
                calls.append((run, self.new_call(run, lead, decision, now, mono)))
        self.tokens -= len(calls)
        return calls

    def snapshot(self, run: CampaignRun, now: datetime, mono: float) -> Snapshot:
        agents = tuple(
            AgentView(_PACE_STATES[a.state], mono - a.since_mono)
            for a in run.agents.values()
            if a.state in _PACE_STATES
        )
        calls = tuple(
            CallView(_stage(c), mono - c.created_mono)
            for c in run.in_flight.values()
            if c.state is not CallState.ANSWERED_MACHINE and c.state is not CallState.ABANDONED
        )
        staffed = sum(1 for a in agents if a.state is not PaceAgent.PAUSED)
        facts = run.config.facts
        return Snapshot(
            now_s=mono,
            agents=agents,
            calls=calls,
            abandon_target=facts.abandon_target,
            abandon_budget=self._budget(run, now, mono),
            max_lines=math.floor(run.config.max_lines_per_agent * staffed),
        )

    def _budget(self, run: CampaignRun, now: datetime, mono: float) -> float:
        """The abandon budget, asked again every ``budget_refresh_s``; in between, each abandon
        since the last answer is taken off it (never optimistic)."""
        if run.budget_at is None or mono - run.budget_at >= self.options.budget_refresh_s:
            target = run.config.facts.abandon_target
            run.budget_value = self.engine.budget.remaining(run.config.id, now, target)
            run.budget_at = mono
            run.budget_abandons = run.counters.abandoned
        return run.budget_value - (run.counters.abandoned - run.budget_abandons)

    # -- the hopper -------------------------------------------------------------------------

    def refill(self, run: CampaignRun, wanted: int, now: datetime, mono: float) -> None:
        """Lease more leads into ``run``'s hopper if it runs low (the gate's allowed only)."""
        size = max(self.options.hopper_min, int(self.options.hopper_per_agent * len(run.agents)))
        if len(run.hopper) >= max(wanted, size // 2) or mono < run.exhausted_until:
            return
        want = min(size - len(run.hopper), max(4 * wanted, self.options.claim_chunk))
        if not self.options.flush_in_thread:
            self._fill(
                run,
                want,
                self.leads.claim(run.config.id, want, now, run.config.facts.country),
                now,
                mono,
            )
        elif run.claiming is None:  # real time: claim off the event loop, fill when done
            run.claiming = asyncio.ensure_future(self._claim_in_thread(run, want, now, mono))

    async def _claim_in_thread(
        self, run: CampaignRun, want: int, now: datetime, mono: float
    ) -> None:
        try:
            claimed = await asyncio.to_thread(self.leads.claim, run.config.id, want, now)
            self._fill(run, want, claimed, self.clock.now(), mono)
        finally:
            run.claiming = None

    def _fill(
        self, run: CampaignRun, want: int, claimed: list[ClaimedLead], now: datetime, mono: float
    ) -> None:
        if len(claimed) < want:
            run.exhausted_until = mono + self.options.empty_retry_s
        for lead, decision in zip(claimed, self._decide_many(run, claimed, now), strict=True):
            if self.judge(run, lead, decision, now) is not None:
                run.hopper.append(lead)

    # -- the compliance gate ----------------------------------------------------------------

    def _decide_many(
        self, run: CampaignRun, leads: list[ClaimedLead], now: datetime
    ) -> list[Decision | Exception]:
        """The gate's decisions for a batch (one call when the gate can batch)."""
        check_many = getattr(self.engine.gate, "check_many", None)
        if check_many is None or not leads:
            return [self.decide(run, lead, now) for lead in leads]
        try:
            decisions: list[Decision] = check_many([x.facts for x in leads], run.config.facts, now)
            return list(decisions)
        except Exception as exc:  # fail closed
            log.exception("compliance gate failed for a batch of %d leads", len(leads))
            return [exc for _ in leads]

    def decide(self, run: CampaignRun, lead: ClaimedLead, now: datetime) -> Decision | Exception:
        """The gate's decision for ``lead`` now (the exception if the gate failed)."""
        try:
            return self.engine.gate.check(lead.facts, run.config.facts, now)
        except Exception as exc:  # fail closed: a rule that cannot be evaluated denies
            log.exception("compliance gate failed for lead %s", lead.id)
            return exc

    def judge(
        self, run: CampaignRun, lead: ClaimedLead, decision: Decision | Exception, now: datetime
    ) -> Decision | None:
        """The decision if it allows; else reschedule the lead (or set it aside) and None."""
        if isinstance(decision, Decision) and decision.allowed:
            return decision
        run.counters.denied += 1
        if isinstance(decision, Exception):
            retry = now + timedelta(seconds=self.options.denial_retry_s)
            reason = denial_reason(decision)
            self.writes.lead_outcome(LeadOutcome(lead.id, lead.status, retry, reason))
            return None
        reason = denial_reason(decision)
        if decision.next_allowed_at is not None:
            outcome = LeadOutcome(lead.id, lead.status, decision.next_allowed_at, reason)
        else:
            outcome = LeadOutcome(lead.id, LeadStatus.NOT_DIALABLE, None, reason)
        self.writes.lead_outcome(outcome)
        return None

    # -- the calls --------------------------------------------------------------------------

    def new_call(
        self, run: CampaignRun, lead: ClaimedLead, decision: Decision, now: datetime, mono: float
    ) -> Call:
        """A call to ``lead``, in flight from now (written and originated by :meth:`place`)."""
        self._seq += 1
        call = Call(
            id=f"{self.options.owner}-{self._token}-{self._seq}",
            campaign_id=run.config.id,
            lead_id=lead.id,
            phone=lead.phone,
            created_at=now,
            created_mono=mono,
            lead=lead,
            decision_id=decision.id,
            timezones=lead.facts.timezones,
            callback_agent=lead.callback_agent,
        )
        run.in_flight[call.id] = call
        self.calls[call.id] = call
        run.counters.attempts += 1
        return call

    async def place(self, batch: Batch, now: datetime) -> None:
        """Write the calls of ``batch``, then originate them."""
        self._persist_new(batch, now)
        await self._originate(batch)

    def _persist_new(self, batch: Batch, now: datetime) -> None:
        metas = {
            run.config.id: CallMeta(
                run.config.purpose, None, self.options.owner, self.options.carrier_name
            )
            for run, _ in batch
        }
        rows = [(call, metas[run.config.id]) for run, call in batch]
        dialing = [(call.lead.id, call.lead.attempts + 1) for _, call in batch]
        self.writes.insert_calls(rows, dialing, now)

    async def _originate(self, batch: Batch) -> None:
        carrier = self.engine.carrier
        for run, call in batch:
            config = run.config
            self._move(call, CallState.DIALING, self.clock.now())
            request = OriginateRequest(
                to=call.phone,
                caller_id=config.caller_id,
                ring_timeout_s=config.ring_timeout_s,
                reference=call.id,
                campaign_id=config.id,
            )
            try:
                carrier_id = await carrier.originate(request)
            except CarrierError as exc:
                call.detail = str(exc)
                self._end(run, call, CallState.FAILED, self.clock.now())
                continue
            call.carrier_call_id = carrier_id
            self._by_carrier[carrier_id] = call
            for event in self._early.pop(carrier_id, ()):
                await self.engine.on_event(event)


def _stage(call: Call) -> CallStage:
    if call.state in LIVE_ANSWERS:
        return CallStage.WAITING_AGENT
    if call.state is CallState.RINGING:
        return CallStage.RINGING
    return CallStage.DIALING
