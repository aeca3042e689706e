"""What the console needs from the engine: one small protocol and the values it exchanges.

The engine's adapter (:mod:`dialer.web.console.engine_backend`) implements it on the real engine;
tests also run the console against an in-process fake. Every method takes the agent's id from the
signed-in session, never from the browser, and acts on that agent's own call only.

Errors: an action that the agent's or campaign's state forbids raises
:class:`dialer.errors.ConflictError`; an unknown campaign, call or lead raises
:class:`dialer.errors.NotFoundError`. The console shows their message to the user.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from typing import Protocol

__all__ = [
    "AgentFigures",
    "AgentState",
    "AgentView",
    "CallInfo",
    "CallbackHours",
    "CampaignChoice",
    "CampaignFigures",
    "ConsoleBackend",
    "DispositionChoice",
    "DispositionInput",
    "LeadCard",
    "PreviewInfo",
    "SupervisorSnapshot",
]


class AgentState(StrEnum):
    LOGGED_OUT = "logged_out"
    PAUSED = "paused"
    READY = "ready"
    PREVIEW = "preview"  # looking at a preview lead, deciding to dial or skip
    DIALING = "dialing"  # a preview call is ringing
    RESERVED = "reserved"  # a live answer is being connected to the agent
    IN_CALL = "in_call"  # bridged to a lead
    WRAP_UP = "wrap_up"  # the call ended, the disposition is due


@dataclass(frozen=True, slots=True)
class CampaignChoice:
    id: int
    name: str
    dial_mode: str
    running: bool


@dataclass(frozen=True, slots=True)
class LeadCard:
    """The screen pop: the lead's fields and custom fields, labelled for display."""

    lead_id: int
    phone: str
    name: str
    fields: tuple[tuple[str, str], ...] = ()
    custom: tuple[tuple[str, str], ...] = ()
    timezone: str = "UTC"  # the zone callback times are entered in


@dataclass(frozen=True, slots=True)
class DispositionChoice:
    code: str
    label: str
    system: bool  # a system disposition (as opposed to one the campaign defines)
    callback: bool = False  # needs a callback date and time


@dataclass(frozen=True, slots=True)
class CallbackHours:
    """When a callback may be scheduled, in the lead's local time."""

    timezone: str
    local_start: time
    local_end: time
    note: str = ""  # e.g. the rule or campaign hours these come from

    def allows(self, local: time) -> bool:
        return self.local_start <= local <= self.local_end


@dataclass(frozen=True, slots=True)
class CallInfo:
    """The agent's current (or just ended) call."""

    call_id: str
    campaign_id: int
    campaign_name: str
    lead: LeadCard
    script: str
    bridged_at: datetime
    ended_at: datetime | None
    dispositions: tuple[DispositionChoice, ...]
    callback_hours: CallbackHours


@dataclass(frozen=True, slots=True)
class PreviewInfo:
    campaign_id: int
    campaign_name: str
    lead: LeadCard
    script: str


@dataclass(frozen=True, slots=True)
class AgentView:
    """Everything the agent console shows, as of ``now`` (the engine's clock)."""

    agent_id: str
    state: AgentState
    state_since: datetime
    now: datetime
    campaigns: tuple[CampaignChoice, ...]
    joined: tuple[int, ...] = ()
    pause_code: str | None = None
    pause_codes: tuple[str, ...] = ()
    call: CallInfo | None = None
    preview: PreviewInfo | None = None
    wrap_up_limit_s: float | None = None
    notice: str | None = None  # what became of the agent's last preview lead, e.g. a denial


@dataclass(frozen=True, slots=True)
class DispositionInput:
    code: str
    callback_at: datetime | None = None  # UTC
    dnc_request: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class CampaignFigures:
    id: int
    name: str
    status: str
    dial_mode: str
    dial_level: float  # lines per ready agent the pacer currently dials
    calls_in_flight: int
    live_answers: int  # answered by a person today
    abandon_rate_today: float
    abandon_rate_30d: float
    abandon_cap: float
    connects_per_hour: float
    hopper_size: int

    @property
    def over_cap(self) -> bool:
        return max(self.abandon_rate_30d, self.abandon_rate_today) > self.abandon_cap


@dataclass(frozen=True, slots=True)
class AgentFigures:
    agent_id: str
    state: AgentState
    since: datetime
    campaigns: tuple[str, ...] = ()
    pause_code: str | None = None


@dataclass(frozen=True, slots=True)
class SupervisorSnapshot:
    now: datetime
    campaigns: tuple[CampaignFigures, ...]
    agents: tuple[AgentFigures, ...] = field(default=())
    dial_modes: tuple[str, ...] = ("preview", "progressive", "power", "predictive")


class ConsoleBackend(Protocol):
    """The engine as the console sees it."""

    async def agent_view(self, agent_id: str) -> AgentView:
        """The agent's state, call, preview lead and choices (LOGGED_OUT if not signed on)."""
        ...

    async def agent_login(self, agent_id: str, campaign_ids: Sequence[int]) -> None:
        """Sign the agent on to these campaigns, paused."""
        ...

    async def agent_ready(self, agent_id: str) -> None: ...

    async def agent_pause(self, agent_id: str, code: str) -> None: ...

    async def agent_logout(self, agent_id: str) -> None: ...

    async def hang_up(self, agent_id: str, call_id: str) -> None:
        """End the agent's own call ``call_id``."""
        ...

    async def disposition(self, agent_id: str, call_id: str, choice: DispositionInput) -> None:
        """Record the outcome of the agent's own call; the agent leaves wrap-up."""
        ...

    async def preview_dial(self, agent_id: str, lead_id: int) -> None: ...

    async def preview_skip(self, agent_id: str, lead_id: int) -> None: ...

    async def supervisor_snapshot(self) -> SupervisorSnapshot: ...

    async def set_campaign_running(self, campaign_id: int, running: bool) -> None: ...

    async def set_dial_mode(self, campaign_id: int, mode: str) -> None: ...

    def agent_events(self, agent_id: str) -> AsyncIterator[object]:
        """Yields (anything) whenever the agent's view may have changed."""
        ...

    def supervisor_events(self) -> AsyncIterator[object]:
        """Yields (anything) whenever the supervisor figures may have changed."""
        ...
