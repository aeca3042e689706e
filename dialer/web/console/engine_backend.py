"""The console's backend on the real engine: the agent API (:class:`~dialer.engine.desk.Desk`),
the engine's live state and its event bus, and the campaigns' call records.

The engine's bus events (screen pop, agent and call changes) become change notifications for the
console's live streams. A supervisor's pause holds the campaign's pacer at zero new calls (calls
already placed go on); start lets it dial again, loading the campaign into the engine if needed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from campaigns.enums import CampaignStatus, DialMode
from campaigns.models import Campaign
from dialer.agents.state import Agent
from dialer.agents.state import AgentState as EngineAgentState
from dialer.engine.bus import ScreenPop
from dialer.engine.calls import Call, CallState
from dialer.engine.campaign import CampaignRun
from dialer.engine.desk import Desk
from dialer.engine.dispositions import system_rules
from dialer.engine.dnc import add_to_company_dnc
from dialer.engine.runtime import Engine
from dialer.errors import ConflictError, InputError, NotFoundError
from dialer.web.console.backend import (
    AgentFigures,
    AgentState,
    AgentView,
    CallInfo,
    CampaignChoice,
    CampaignFigures,
    DispositionChoice,
    DispositionInput,
    LeadCard,
    PreviewInfo,
    SupervisorSnapshot,
)
from dialer.web.console.callback_window import callback_window, check_callback
from dialer.web.console.changes import Changes
from dialer.web.console.figures import AbandonRates
from pacing.api import Outcome, Pacer, Snapshot

__all__ = ["PAUSE_CODES", "EngineBackend"]

SUPERVISORS = "supervisors"
PAUSE_CODES = ("break", "lunch", "meeting", "training", "technical")
_STATES = {
    EngineAgentState.LOGGED_OUT: AgentState.LOGGED_OUT,
    EngineAgentState.READY: AgentState.READY,
    EngineAgentState.PAUSED: AgentState.PAUSED,
    EngineAgentState.PREVIEW: AgentState.PREVIEW,
    EngineAgentState.RESERVED: AgentState.RESERVED,
    EngineAgentState.ON_CALL: AgentState.IN_CALL,
    EngineAgentState.WRAP_UP: AgentState.WRAP_UP,
}
_FIELDS = (
    ("email", "Email"),
    ("address", "Address"),
    ("city", "City"),
    ("state", "State"),
    ("zip", "ZIP"),
    ("attempts", "Attempts"),
    ("last_disposition", "Last disposition"),
)


class _Held:
    """A paused campaign's pacer: no new calls; what finishes still teaches the real pacer."""

    def __init__(self, inner: Pacer) -> None:
        self.inner = inner

    def observe(self, outcome: Outcome) -> None:
        self.inner.observe(outcome)

    def decide(self, snapshot: Snapshot) -> int:
        return 0


def _zone(call: Call) -> str:
    return _first_zone(call.timezones)


def _first_zone(timezones: Sequence[str]) -> str:
    for name in timezones:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return name
    return "UTC"


def _label(code: str) -> str:
    return code.replace("_", " ").capitalize()


def lead_card(record: dict[str, Any], zone: str) -> LeadCard:
    """The screen pop of an engine lead record (:func:`dialer.engine.leads.screen_record`)."""
    name = " ".join(str(record[k]) for k in ("first_name", "last_name") if record.get(k))
    fields = tuple(
        (label, str(record[k])) for k, label in _FIELDS if record.get(k) not in (None, "")
    )
    custom = tuple((str(k), str(v)) for k, v in sorted((record.get("custom") or {}).items()))
    return LeadCard(int(record["id"]), str(record["phone"]), name, fields, custom, zone)


class EngineBackend:
    """:class:`~dialer.web.console.backend.ConsoleBackend` on a running engine."""

    def __init__(self, engine: Engine, desk: Desk, *, supervisor_interval_s: float = 1.0) -> None:
        self.engine = engine
        self.desk = desk
        self.supervisor_interval_s = supervisor_interval_s
        self.changes = Changes()
        self.rates = AbandonRates(engine.sessions)
        self._pops: dict[str, ScreenPop] = {}
        self._seen: dict[int, float] = {}  # campaign id -> monotonic time first seen running
        engine.bus.subscribe(object, self._on_event)

    # -- events ---------------------------------------------------------------------------------

    def _on_event(self, event: object) -> None:
        if isinstance(event, ScreenPop):
            self._pops[event.agent_id] = event
        agent_id = getattr(event, "agent_id", None)
        if agent_id is not None:
            self.changes.notify(agent_id)
        self.changes.notify(SUPERVISORS)

    def agent_events(self, agent_id: str) -> AsyncIterator[object]:
        return self.changes.watch(agent_id)

    async def supervisor_events(self) -> AsyncIterator[object]:
        """At most one wake-up per ``supervisor_interval_s`` of engine time: a busy engine changes
        something many times a second, and every wake-up re-renders the figures."""
        async for change in self.changes.watch(SUPERVISORS):
            yield change
            await self.engine.clock.sleep(self.supervisor_interval_s)

    # -- the agent's side -----------------------------------------------------------------------

    def _campaigns(self) -> tuple[CampaignChoice, ...]:
        return tuple(
            CampaignChoice(
                run.config.id,
                run.config.name,
                run.config.dial_mode,
                not isinstance(run.pacer, _Held),
            )
            for run in self.engine.campaigns.values()
        )

    async def agent_view(self, agent_id: str) -> AgentView:
        now = self.engine.clock.now()
        agent = self.engine.agents.get(agent_id)
        if agent is None or agent.state is EngineAgentState.LOGGED_OUT:
            return AgentView(agent_id, AgentState.LOGGED_OUT, now, now, self._campaigns())
        call = self.engine.calls.get(agent.call_id or "")
        run = self.engine.campaigns.get(call.campaign_id) if call is not None else None
        preview, dialing = self._preview(agent)
        return AgentView(
            agent_id=agent_id,
            state=AgentState.DIALING if dialing else _STATES[agent.state],
            state_since=agent.since or now,
            now=now,
            campaigns=self._campaigns(),
            joined=tuple(sorted(agent.campaign_ids)),
            pause_code=agent.pause_code,
            pause_codes=PAUSE_CODES,
            call=self._call_info(agent, call, run, now),
            wrap_up_limit_s=run.config.max_wrap_s if run is not None else None,
            preview=preview,
            notice=self.engine.preview.notices.get(agent_id),
        )

    def _preview(self, agent: Agent) -> tuple[PreviewInfo | None, bool]:
        """The preview lead on the agent's screen, and whether its call is being placed."""
        previews = self.engine.preview
        offer = previews.offers.get(agent.id)
        dialing = offer is not None and offer.dial_requested
        if offer is None and agent.state is EngineAgentState.RESERVED:
            offer = previews.offers_dialed.get(agent.call_id or "")
            dialing = offer is not None
        run = self.engine.campaigns.get(offer.campaign_id) if offer is not None else None
        if offer is None or run is None:
            return None, False
        card = lead_card(offer.lead.record, _first_zone(offer.lead.facts.timezones))
        return PreviewInfo(run.config.id, run.config.name, card, run.config.script or ""), dialing

    def _call_info(
        self, agent: Agent, call: Call | None, run: CampaignRun | None, now: datetime
    ) -> CallInfo | None:
        if call is None or run is None or agent.state is EngineAgentState.RESERVED:
            return None
        bridged = next((at for state, at in call.states if state is CallState.BRIDGED), now)
        system = system_rules()
        choices = tuple(
            DispositionChoice(name, _label(name), name in system, rule.callback)
            for name, rule in run.config.rules.items()
            if rule.agent and not rule.dnc  # do-not-call is the form's own check box
        )
        zone = _zone(call)
        return CallInfo(
            call_id=call.id,
            campaign_id=run.config.id,
            campaign_name=run.config.name,
            lead=lead_card(call.lead.record, zone),
            script=run.config.script or "",
            bridged_at=bridged,
            ended_at=call.ended_at if agent.state is EngineAgentState.WRAP_UP else None,
            dispositions=choices,
            callback_hours=callback_window(call.lead.facts, run.config.facts, zone, now)[0],
        )

    async def agent_login(self, agent_id: str, campaign_ids: Sequence[int]) -> None:
        await self.desk.login(agent_id, campaign_ids, ready=False)

    async def agent_ready(self, agent_id: str) -> None:
        await self.desk.reconnect(agent_id)  # reopens the agent's line first if it dropped

    async def agent_pause(self, agent_id: str, code: str) -> None:
        self.desk.pause(agent_id, code)

    async def agent_logout(self, agent_id: str) -> None:
        await self.desk.logout(agent_id)

    def _own_call(self, agent_id: str, call_id: str) -> Agent:
        agent = self.engine.agents.get(agent_id)
        if agent is None or agent.call_id != call_id:
            raise ConflictError(f"call {call_id} is not {agent_id}'s call")
        return agent

    async def hang_up(self, agent_id: str, call_id: str) -> None:
        self._own_call(agent_id, call_id)
        await self.desk.hangup(agent_id)

    async def disposition(self, agent_id: str, call_id: str, choice: DispositionInput) -> None:
        self._own_call(agent_id, call_id)
        call = self.engine.calls[call_id]
        phone = call.phone
        if choice.callback_at is not None:
            run = self.engine.campaigns[call.campaign_id]
            zone = _zone(call)
            _, spec = callback_window(call.lead.facts, run.config.facts, zone, choice.callback_at)
            check_callback(spec, choice.callback_at, zone)
        self.desk.disposition(agent_id, choice.code, callback_at=choice.callback_at)
        if choice.dnc_request:  # on the company list at once, whatever the outcome was
            add_to_company_dnc(
                self.engine.sessions, phone, self.engine.clock.now(), by=agent_id, source="agent"
            )

    async def preview_dial(self, agent_id: str, lead_id: int) -> None:
        self.desk.dial(agent_id, lead_id)
        self.changes.notify(agent_id)  # dialing now (the engine places it on its next tick)

    async def preview_skip(self, agent_id: str, lead_id: int) -> None:
        self.desk.skip(agent_id, lead_id)

    # -- the supervisor's side ------------------------------------------------------------------

    async def supervisor_snapshot(self) -> SupervisorSnapshot:
        now, mono = self.engine.clock.now(), self.engine.clock.monotonic()
        figures = [self._figures(run, now, mono) for run in self.engine.campaigns.values()]
        figures.extend(self._idle_campaigns())
        agents = tuple(
            AgentFigures(
                a.id,
                _STATES[a.state],
                a.since or now,
                tuple(
                    self.engine.campaigns[c].config.name
                    for c in sorted(a.campaign_ids)
                    if c in self.engine.campaigns
                ),
                a.pause_code,
            )
            for a in sorted(self.engine.agents.values(), key=lambda a: a.id)
            if a.state is not EngineAgentState.LOGGED_OUT
        )
        return SupervisorSnapshot(now, tuple(figures), agents)

    def _figures(self, run: CampaignRun, now: datetime, mono: float) -> CampaignFigures:
        cfg, c = run.config, run.counters
        since = self._seen.setdefault(cfg.id, mono)
        hours = max(mono - since, 1.0) / 3600
        staffed = sum(1 for a in run.agents.values() if a.state is not EngineAgentState.PAUSED)
        today, month = self.rates.rates(cfg.id, now)
        held = isinstance(run.pacer, _Held)
        return CampaignFigures(
            id=cfg.id,
            name=cfg.name,
            status=str(CampaignStatus.PAUSED if held else CampaignStatus.ACTIVE),
            dial_mode=cfg.dial_mode,
            dial_level=len(run.in_flight) / staffed if staffed else 0.0,
            calls_in_flight=len(run.in_flight),
            live_answers=c.live_answers,
            abandon_rate_today=today,
            abandon_rate_30d=month,
            abandon_cap=cfg.facts.abandon_target,
            connects_per_hour=c.bridged / hours,
            hopper_size=len(run.hopper),
        )

    def _idle_campaigns(self) -> list[CampaignFigures]:
        """Campaigns in the database this engine does not run (they can be started)."""
        with self.engine.sessions() as session:
            rows = session.scalars(
                select(Campaign).where(
                    Campaign.status != CampaignStatus.ARCHIVED,
                    Campaign.id.not_in(list(self.engine.campaigns) or [-1]),
                )
            ).all()
            return [
                CampaignFigures(
                    c.id,
                    c.name,
                    "stopped",
                    str(c.dial_mode),
                    0.0,
                    0,
                    0,
                    0.0,
                    0.0,
                    c.abandon_target,
                    0.0,
                    0,
                )
                for c in rows
            ]

    def _set_status(self, campaign_id: int, status: CampaignStatus) -> None:
        with self.engine.sessions.begin() as session:
            campaign = session.get(Campaign, campaign_id)
            if campaign is None:
                raise NotFoundError(f"campaign {campaign_id} does not exist")
            campaign.status = status
            campaign.updated_at = self.engine.clock.now()

    async def set_campaign_running(self, campaign_id: int, running: bool) -> None:
        self._set_status(campaign_id, CampaignStatus.ACTIVE if running else CampaignStatus.PAUSED)
        run = self.engine.campaigns.get(campaign_id)
        if running:
            if run is None:
                self.engine.add_campaign(campaign_id)
            elif isinstance(run.pacer, _Held):
                run.pacer = run.pacer.inner
        elif run is not None and not isinstance(run.pacer, _Held):
            run.pacer = _Held(run.pacer)
            self.engine.preview.withdraw_campaign(campaign_id, "the campaign was paused")
        self.changes.notify(SUPERVISORS)

    async def set_dial_mode(self, campaign_id: int, mode: str) -> None:
        try:
            dial_mode = DialMode(mode)
        except ValueError as exc:
            raise InputError(f"unknown dial mode {mode!r}") from exc
        with self.engine.sessions.begin() as session:
            campaign = session.get(Campaign, campaign_id)
            if campaign is None:
                raise NotFoundError(f"campaign {campaign_id} does not exist")
            campaign.dial_mode = dial_mode
            campaign.updated_at = self.engine.clock.now()
        run = self.engine.campaigns.get(campaign_id)
        if run is not None:
            config = replace(
                run.config,
                dial_mode=str(dial_mode),
                facts=replace(run.config.facts, dial_mode=mode),
            )
            pacer = self.engine.pacer_factory(config)
            run.config = config
            if dial_mode is not DialMode.PREVIEW:
                self.engine.preview.withdraw_campaign(campaign_id, f"the campaign went {mode}")
            if isinstance(run.pacer, _Held):
                run.pacer.inner = pacer
            else:
                run.pacer = pacer
        self.changes.notify(SUPERVISORS)
