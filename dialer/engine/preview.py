"""Preview mode: the agent sees the lead first, then dials or skips it.

Each tick of a preview campaign (:meth:`Previewer.plan`, called by the engine instead of its
pacing plan):

1. offers older than the policy's ``offer_timeout_s`` that the agent has not acted on are
   released and the agent is paused (``preview_timeout``): an absent agent holds no lead;
2. leads the agents asked to dial are checked by the compliance gate, right before the call is
   placed (the gate records its decision). Denied: the lead is rescheduled or set aside as for
   any denial, the agent is told why and gets the next lead. Allowed: the call is created bound
   to that agent, who is reserved for it; the engine originates it, and bridges it to the agent
   on a live answer (:meth:`answered`) with no grace period to run out, so preview never
   abandons. A call that ends unanswered (or on a machine, handled per the campaign) frees the
   agent (:meth:`call_over`) with its outcome shown;
3. every ready agent of the campaign is offered the next lead of the hopper (claimed with a lease
   and checked by the gate as every hopper lead is): the lead is on screen (``PreviewPop``) and
   the agent is in the ``preview`` state, out of reach of other campaigns' calls.

A skip (:meth:`skip`) follows :mod:`.preview_policy`. An offer withdrawn because its agent
paused, logged out or left ``preview`` any other way goes back to the front of the hopper, still
leased, for the next agent. Every offer and how it ended is a row of ``preview_decisions``. After
a crash the leases of offered (never dialed) leads expire or are released by
:func:`~dialer.engine.recovery.recover`, and :meth:`recover` closes their open offer rows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from compliance.api import Decision
from dialer.agents.state import Agent, AgentState
from dialer.engine.bus import PreviewPop
from dialer.engine.callback_hold import CallbackHolds
from dialer.engine.denials import denial_reason
from dialer.engine.leads import ClaimedLead
from dialer.engine.preview_log import DecisionLog, OfferEnd
from dialer.engine.preview_policy import Offer, PreviewPolicy, after_skip
from dialer.errors import ConflictError
from pacing.api import AgentState as PaceAgent
from pacing.api import AgentView

if TYPE_CHECKING:
    from dialer.engine.calls import Call
    from dialer.engine.campaign import CampaignRun
    from dialer.engine.runtime import Engine

__all__ = ["TIMEOUT_PAUSE", "Previewer"]

TIMEOUT_PAUSE = "preview_timeout"  # the pause code of an agent whose offer timed out
Planned = list[tuple["CampaignRun", "Call"]]


class Previewer:
    """The preview offers of one engine: who sees which lead, and which calls they asked for."""

    def __init__(self, engine: Engine, policy: PreviewPolicy | None = None) -> None:
        self.engine = engine
        self.policy = policy or PreviewPolicy()
        self.log = DecisionLog(engine.sessions, engine.options.owner)
        self.offers: dict[str, Offer] = {}  # agent id -> the lead on their screen
        self.offers_dialed: dict[str, Offer] = {}  # call id -> the offer it was placed for
        self.notices: dict[str, str] = {}  # agent id -> what became of their last lead
        self.holds = CallbackHolds(self)  # agents held for their callbacks
        self.stopped = False  # the dialer is stopping: no new offers

    # -- the engine's tick ------------------------------------------------------------------

    def plan(self, run: CampaignRun, now: datetime, mono: float) -> Planned:
        """This tick's preview work for ``run`` (callbacks held for their agents in any dial
        mode); the calls to persist and originate."""
        preview = run.config.dial_mode == "preview"
        self.holds.refresh(now, mono)
        if self.holds.held:
            self.holds.offer(run, now, mono)
        if preview:
            self._expire(run, now, mono)
        calls = self._dial_requested(run, now, mono, paced=preview) if self.offers else []
        if preview:
            self._offer_ready(run, now, mono)
        return calls

    def _expire(self, run: CampaignRun, now: datetime, mono: float) -> None:
        limit = self.policy.offer_timeout_s
        for offer in list(self.offers.values()):
            mine = offer.campaign_id == run.config.id and offer.due_at is None
            if mine and not offer.dial_requested and mono - offer.mono >= limit:
                agent = self.engine.agents[offer.agent_id]
                self.notices[agent.id] = f"lead {offer.lead.id} released: no decision in time"
                self.withdraw(agent, "no decision in time")
                self.engine.desk_move(agent, AgentState.PAUSED, now, pause_code=TIMEOUT_PAUSE)

    def _allowed(self, run: CampaignRun, asking: list[Agent], now: datetime, mono: float) -> int:
        """How many of ``asking`` the campaign's pacer lets have a call now."""
        if not asking:
            return 0
        names = {a.id for a in asking}
        views = tuple(
            AgentView(PaceAgent.READY, mono - a.since_mono, dial_requested=True)
            if a.id in names
            else AgentView(PaceAgent.RESERVED, mono - a.since_mono)
            for a in run.agents.values()
            if a.state is not AgentState.PAUSED and a.state is not AgentState.LOGGED_OUT
        )
        snapshot = replace(self.engine.dialing.snapshot(run, now, mono), agents=views)
        return min(len(asking), max(0, run.pacer.decide(snapshot)))

    def _dial_requested(
        self, run: CampaignRun, now: datetime, mono: float, *, paced: bool
    ) -> Planned:
        engine = self.engine
        dialer = engine.dialing
        for offer in self.offers.values():  # callbacks are dialed when due
            if offer.due_at is not None and now >= offer.due_at and not offer.dial_requested:
                offer.dial_requested, offer.requested_mono = True, mono
        asking = sorted(
            (
                o
                for o in self.offers.values()
                if o.dial_requested and o.campaign_id == run.config.id
            ),
            key=lambda o: o.requested_mono,
        )
        agents = [engine.agents[o.agent_id] for o in asking]
        allowed = self._allowed(run, agents, now, mono) if paced else len(agents)
        n = dialer.affordable(allowed)
        calls: Planned = []
        for offer, agent in zip(asking[:n], agents[:n], strict=True):
            lead = offer.lead
            del self.offers[agent.id]
            decided = dialer.decide(run, lead, now)  # right before the call is placed
            decision = dialer.judge(run, lead, decided, now)
            if decision is None:
                why = denial_reason(decided)
                decision_id = decided.id if isinstance(decided, Decision) else None
                self.notices[agent.id] = f"lead {lead.id} was not dialed: {why}"
                self.log.close(offer.row_id, OfferEnd("denied", now, why, None, decision_id))
                engine.desk_move(agent, AgentState.READY, now)
                continue
            call = dialer.new_call(run, lead, decision, now, mono)
            self.offers_dialed[call.id] = offer
            self.log.close(offer.row_id, OfferEnd("dialed", now, None, call.id, decision.id))
            engine.desk_move(agent, AgentState.RESERVED, now, call_id=call.id)
            calls.append((run, call))
        dialer.spend(len(calls))
        return calls

    def _offer_ready(self, run: CampaignRun, now: datetime, mono: float) -> None:
        ready = [a for a in run.ready.values() if a.id not in self.offers]
        wanted = self._allowed(run, ready, now, mono)
        if wanted <= 0:
            return
        self.engine.dialing.refill(run, wanted, now, mono)
        for agent in sorted(ready, key=lambda a: a.since_mono)[:wanted]:
            if not run.hopper:
                return
            self._offer(run, agent, run.hopper.popleft(), now, mono)

    def offer_callback(
        self,
        run: CampaignRun,
        agent: Agent,
        lead: ClaimedLead,
        due_at: datetime,
        now: datetime,
        mono: float,
    ) -> None:
        """Hold ``agent`` for their callback: its lead on screen, dialed at ``due_at``."""
        at = due_at.strftime("%H:%M UTC")
        self.notices[agent.id] = f"your callback to lead {lead.id} is dialed at {at}"
        self._offer(run, agent, lead, now, mono, due_at)

    def _offer(
        self,
        run: CampaignRun,
        agent: Agent,
        lead: ClaimedLead,
        now: datetime,
        mono: float,
        due_at: datetime | None = None,
    ) -> None:
        row = self.log.offered(run.config.id, lead.id, agent.id, now)
        self.offers[agent.id] = Offer(agent.id, run.config.id, lead, now, mono, row, due_at=due_at)
        self.engine.desk_move(agent, AgentState.PREVIEW, now)
        if self.engine.bus.wants(PreviewPop):
            pop = PreviewPop(agent.id, run.config.id, lead.id, lead.record, now, run.config.script)
            self.engine.bus.publish(pop)

    # -- the agent's decisions (through the Desk) --------------------------------------------

    def offer_of(self, agent_id: str, lead_id: int) -> Offer:
        offer = self.offers.get(agent_id)
        if offer is None or offer.lead.id != lead_id:
            raise ConflictError(f"lead {lead_id} is not on {agent_id}'s screen")
        return offer

    def request_dial(self, agent: Agent, lead_id: int) -> None:
        """The agent pressed Dial: the call is placed on the next tick, if the gate allows."""
        offer = self.offer_of(agent.id, lead_id)
        if offer.dial_requested:
            raise ConflictError(f"lead {lead_id} is being dialed already")
        offer.dial_requested = True
        offer.requested_mono = self.engine.clock.monotonic()
        self.notices.pop(agent.id, None)

    def skip(self, agent: Agent, lead_id: int) -> None:
        """The agent pressed Skip: the lead goes back per the skip policy; the next one comes."""
        offer = self.offer_of(agent.id, lead_id)
        if offer.dial_requested:
            raise ConflictError(f"lead {lead_id} is being dialed already")
        engine = self.engine
        now = engine.clock.now()
        del self.offers[agent.id]
        self.notices.pop(agent.id, None)
        self.log.close(offer.row_id, OfferEnd("skipped", now))
        skips = self.log.skips(lead_id)
        engine.writes.lead_outcome(after_skip(offer.lead, skips, now, self.policy))
        engine.desk_move(agent, AgentState.READY, now)

    def withdraw(self, agent: Agent, why: str) -> None:
        """The agent leaves ``preview`` without deciding: their lead goes to the next agent."""
        offer = self.offers.pop(agent.id, None)
        if offer is None:
            return
        now = self.engine.clock.now()
        self.log.close(offer.row_id, OfferEnd("released", now, why))
        run = self.engine.campaigns.get(offer.campaign_id)
        if offer.due_at is not None:  # a callback: free again, callable when it is due
            with self.engine.sessions.begin() as session:
                self.engine.leads.release(session, [offer.lead.id])
        elif run is not None:
            run.hopper.appendleft(offer.lead)

    def withdraw_campaign(self, campaign_id: int, why: str) -> None:
        """Release every offer of a campaign (it stopped being a preview campaign)."""
        for offer in [o for o in self.offers.values() if o.campaign_id == campaign_id]:
            agent = self.engine.agents[offer.agent_id]
            self.withdraw(agent, why)
            self.engine.desk_move(agent, AgentState.READY, self.engine.clock.now())

    # -- the calls placed for an agent --------------------------------------------------------

    async def answered(self, run: CampaignRun, call: Call) -> bool:
        """A live answer of a preview call: bridge it to its reserved agent (True if so; else the
        engine routes it as any live answer, grace period and safe-harbor message included)."""
        offer = self.offers_dialed.pop(call.id, None)
        agent = self.engine.agents.get(offer.agent_id) if offer is not None else None
        if agent is None or agent.state is not AgentState.RESERVED or agent.call_id != call.id:
            return False
        await self.engine.bridge(run, call, agent)
        return True

    def call_over(self, call: Call, disposition: str) -> None:
        """A preview call ended before reaching its agent: the agent is free again."""
        offer = self.offers_dialed.pop(call.id, None)
        if offer is None:
            return
        self.notices[offer.agent_id] = f"lead {offer.lead.id}: {disposition.replace('_', ' ')}"
        agent = self.engine.agents.get(offer.agent_id)
        if agent is not None and agent.state is AgentState.RESERVED and agent.call_id == call.id:
            agent.call_id = None
            self.engine.desk_move(agent, AgentState.READY, self.engine.clock.now())

    # -- start and stop -----------------------------------------------------------------------

    def recover(self) -> int:
        """Close the offers a previous run of this dialer left open (their leases are freed by
        the engine's recovery)."""
        return self.log.release_open(self.engine.clock.now(), "the dialer restarted")

    def stop(self) -> None:
        """The dialer stops: every offer is released (the engine gives back the leases)."""
        self.stopped = True
        self.offers.clear()
        self.log.release_open(self.engine.clock.now(), "the dialer stopped")
