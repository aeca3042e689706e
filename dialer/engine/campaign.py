"""One campaign as the engine runs it: its settings (read once from the database) and its live
state (hopper, calls in flight, agents, counters)."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from campaigns.models import Campaign
from compliance.api import CampaignFacts
from compliance.facts import campaign_facts, campaign_setup
from compliance.preflight import require_ready
from dialer.agents.state import Agent
from dialer.engine.calls import Call
from dialer.engine.dispositions import Rule, rules_for
from dialer.engine.leads import ClaimedLead
from dialer.errors import NotFoundError
from pacing.api import Pacer

__all__ = ["CampaignConfig", "CampaignRun", "Counters", "load_campaign"]

DEFAULT_SAFE_HARBOR = (
    "Sorry we missed you. We will try again later. Press 9 to be placed on our do not call list."
)


@dataclass(frozen=True, slots=True)
class CampaignConfig:
    id: int
    name: str
    purpose: str
    dial_mode: str
    caller_id: str
    facts: CampaignFacts
    ring_timeout_s: int
    lines_per_agent: float
    max_lines_per_agent: float
    max_wrap_s: float
    machine_action: str  # "hangup" or "voicemail"
    safe_harbor_message: str
    voicemail_message: str | None
    script: str | None
    rules: dict[str, Rule]


def load_campaign(session: Session, campaign_id: int) -> CampaignConfig:
    c = session.get(Campaign, campaign_id)
    if c is None:
        raise NotFoundError(f"campaign {campaign_id} does not exist")
    require_ready(campaign_setup(c))  # start-up checks: caller ID, safe-harbor message, rules
    facts = campaign_facts(c)
    overrides: dict[str, Any] = dict(c.retry_rules or {})
    return CampaignConfig(
        id=c.id,
        name=c.name,
        purpose=str(c.purpose),
        dial_mode=str(c.dial_mode),
        caller_id=c.caller_id,
        facts=facts,
        ring_timeout_s=c.ring_timeout_s,
        lines_per_agent=c.lines_per_agent,
        max_lines_per_agent=c.max_lines_per_agent,
        max_wrap_s=c.max_wrap_s,
        machine_action=c.machine_action,
        safe_harbor_message=c.safe_harbor_message or DEFAULT_SAFE_HARBOR,
        voicemail_message=c.voicemail_message,
        script=c.script,
        rules=rules_for(tuple(c.dispositions or ()), overrides),
    )


@dataclass
class Counters:
    """Running totals of one campaign (the dashboard and simulation results read them)."""

    attempts: int = 0
    denied: int = 0
    live_answers: int = 0
    abandoned: int = 0
    bridged: int = 0
    machines: int = 0
    opt_outs: int = 0
    talk_s: float = 0.0
    wrap_s: float = 0.0
    by_outcome: dict[str, int] = field(default_factory=dict)


@dataclass(eq=False)
class CampaignRun:
    config: CampaignConfig
    pacer: Pacer
    hopper: deque[ClaimedLead] = field(default_factory=deque)
    in_flight: dict[str, Call] = field(default_factory=dict)  # placed, not yet with an agent
    waiting: dict[str, Call] = field(default_factory=dict)  # live answers waiting for an agent
    agents: dict[str, Agent] = field(default_factory=dict)  # logged in to this campaign
    ready: dict[str, Agent] = field(default_factory=dict)
    counters: Counters = field(default_factory=Counters)
    at_end: Counters | None = None  # the counters when dialing stopped (simulations)
    exhausted_until: float = 0.0
    budget_value: float = 0.0
    budget_at: float | None = None
    budget_abandons: int = 0
    claiming: asyncio.Future[None] | None = None  # a claim running off the loop (real time)
