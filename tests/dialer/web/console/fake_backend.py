"""An in-process stand-in for the engine, implementing the console's backend protocol.

Tests drive it directly (``connect`` a call to an agent, ``end`` it, ``offer`` a preview lead) and
check what the console asked of it (``dispositions``, ``hangups``, ``modes``...).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time

from dialer.errors import ConflictError, InputError, NotFoundError
from dialer.web.console.backend import (
    AgentFigures,
    AgentState,
    AgentView,
    CallbackHours,
    CallInfo,
    CampaignChoice,
    CampaignFigures,
    DispositionChoice,
    DispositionInput,
    LeadCard,
    PreviewInfo,
    SupervisorSnapshot,
)
from dialer.web.console.changes import Changes

PAUSE_CODES = ("break", "lunch", "training")
DISPOSITIONS = (
    DispositionChoice("callback", "Callback", system=True, callback=True),
    DispositionChoice("no_interest", "Not interested", system=True),
    DispositionChoice("wrong_number", "Wrong number", system=True),
    DispositionChoice("sale", "Sale", system=False),
    DispositionChoice("info_sent", "Info sent", system=False),
)
SUPERVISORS = "supervisors"


@dataclass
class _Agent:
    state: AgentState
    since: datetime
    joined: tuple[int, ...] = ()
    pause_code: str | None = None
    call: CallInfo | None = None
    preview: PreviewInfo | None = None


@dataclass
class FakeBackend:
    now: datetime
    campaigns: dict[int, CampaignFigures] = field(default_factory=dict)
    agents: dict[str, _Agent] = field(default_factory=dict)
    dispositions: list[tuple[str, str, DispositionInput]] = field(default_factory=list)
    hangups: list[tuple[str, str]] = field(default_factory=list)
    previews: list[tuple[str, int, str]] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)
    _calls: int = 0

    # -- test controls ------------------------------------------------------------------------

    def add_campaign(self, cid: int, name: str, mode: str = "predictive") -> None:
        self.campaigns[cid] = CampaignFigures(
            cid, name, "paused", mode, 1.0, 0, 0, 0.0, 0.0, 0.03, 0.0, 120
        )

    def _set(self, agent_id: str, **changes: object) -> None:
        agent = self.agents[agent_id]
        for name, value in changes.items():
            setattr(agent, name, value)
        if "state" in changes:
            agent.since = self.now
        self.changes.notify(agent_id)
        self.changes.notify(SUPERVISORS)

    def connect(self, agent_id: str, lead: LeadCard, campaign_id: int = 1) -> str:
        """Bridge a new call to a ready agent (what the engine does on a live answer)."""
        if self.agents[agent_id].state is not AgentState.READY:
            raise ConflictError(f"{agent_id} is not ready")
        self._calls += 1
        call = CallInfo(
            call_id=f"call-{self._calls}",
            campaign_id=campaign_id,
            campaign_name=self.campaigns[campaign_id].name,
            lead=lead,
            script=f"Hello {lead.name}, this is a call about your account.",
            bridged_at=self.now,
            ended_at=None,
            dispositions=DISPOSITIONS,
            callback_hours=CallbackHours(lead.timezone, time(8), time(21), "TCPA hours"),
        )
        c = self.campaigns[campaign_id]
        self.campaigns[campaign_id] = replace(c, live_answers=c.live_answers + 1)
        self._set(agent_id, state=AgentState.IN_CALL, call=call)
        return call.call_id

    def end(self, agent_id: str) -> None:
        call = self.agents[agent_id].call
        assert call is not None
        self._set(agent_id, state=AgentState.WRAP_UP, call=replace(call, ended_at=self.now))

    def offer(self, agent_id: str, lead: LeadCard, campaign_id: int = 1) -> None:
        preview = PreviewInfo(campaign_id, self.campaigns[campaign_id].name, lead, "Preview script")
        self._set(agent_id, state=AgentState.PREVIEW, preview=preview)

    def _agent(self, agent_id: str) -> _Agent:
        agent = self.agents.get(agent_id)
        if agent is None:
            raise ConflictError("sign on to a campaign first")
        return agent

    # -- the protocol ---------------------------------------------------------------------------

    async def agent_view(self, agent_id: str) -> AgentView:
        agent = self.agents.get(agent_id) or _Agent(AgentState.LOGGED_OUT, self.now)
        choices = tuple(
            CampaignChoice(c.id, c.name, c.dial_mode, c.status == "active")
            for c in self.campaigns.values()
        )
        return AgentView(
            agent_id=agent_id,
            state=agent.state,
            state_since=agent.since,
            now=self.now,
            campaigns=choices,
            joined=agent.joined,
            pause_code=agent.pause_code,
            pause_codes=PAUSE_CODES,
            call=agent.call,
            preview=agent.preview,
            wrap_up_limit_s=60.0,
        )

    async def agent_login(self, agent_id: str, campaign_ids: Sequence[int]) -> None:
        if any(cid not in self.campaigns for cid in campaign_ids):
            raise NotFoundError("no such campaign")
        self.agents[agent_id] = _Agent(AgentState.PAUSED, self.now, tuple(campaign_ids), "login")
        self._set(agent_id)

    async def agent_ready(self, agent_id: str) -> None:
        if self._agent(agent_id).state is not AgentState.PAUSED:
            raise ConflictError("only a paused agent can become ready")
        self._set(agent_id, state=AgentState.READY, pause_code=None)

    async def agent_pause(self, agent_id: str, code: str) -> None:
        if self._agent(agent_id).state is not AgentState.READY:
            raise ConflictError("only a ready agent can pause")
        self._set(agent_id, state=AgentState.PAUSED, pause_code=code)

    async def agent_logout(self, agent_id: str) -> None:
        if self._agent(agent_id).call is not None:
            raise ConflictError("finish the call first")
        del self.agents[agent_id]
        self.changes.notify(agent_id)
        self.changes.notify(SUPERVISORS)

    async def hang_up(self, agent_id: str, call_id: str) -> None:
        self.hangups.append((agent_id, call_id))
        self.end(agent_id)

    async def disposition(self, agent_id: str, call_id: str, choice: DispositionInput) -> None:
        agent = self._agent(agent_id)
        if agent.state is not AgentState.WRAP_UP or agent.call is None:
            raise ConflictError("the call has not ended")
        self.dispositions.append((agent_id, call_id, choice))
        self._set(agent_id, state=AgentState.READY, call=None)

    async def preview_dial(self, agent_id: str, lead_id: int) -> None:
        self.previews.append((agent_id, lead_id, "dial"))
        self._set(agent_id, state=AgentState.DIALING)

    async def preview_skip(self, agent_id: str, lead_id: int) -> None:
        self.previews.append((agent_id, lead_id, "skip"))
        self._set(agent_id, state=AgentState.READY, preview=None)

    async def supervisor_snapshot(self) -> SupervisorSnapshot:
        agents = tuple(
            AgentFigures(
                aid,
                a.state,
                a.since,
                tuple(self.campaigns[c].name for c in a.joined),
                a.pause_code,
            )
            for aid, a in sorted(self.agents.items())
        )
        return SupervisorSnapshot(self.now, tuple(self.campaigns.values()), agents)

    async def set_campaign_running(self, campaign_id: int, running: bool) -> None:
        c = self.campaigns[campaign_id]
        self.campaigns[campaign_id] = replace(c, status="active" if running else "paused")
        self.changes.notify(SUPERVISORS)

    async def set_dial_mode(self, campaign_id: int, mode: str) -> None:
        if mode not in ("preview", "progressive", "power", "predictive"):
            raise InputError(f"unknown dial mode {mode!r}")
        self.campaigns[campaign_id] = replace(self.campaigns[campaign_id], dial_mode=mode)
        self.changes.notify(SUPERVISORS)

    def agent_events(self, agent_id: str) -> AsyncIterator[object]:
        return self.changes.watch(agent_id)

    def supervisor_events(self) -> AsyncIterator[object]:
        return self.changes.watch(SUPERVISORS)
