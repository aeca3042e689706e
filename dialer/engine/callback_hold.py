"""Callbacks promised to one agent: the engine holds that agent shortly before the callback.

From ``hold_s`` before a pending callback's time, its agent (when logged in to the campaign in
this dialer) gets no other call: the next time they are ready, the callback's lead is claimed for
them (leased, checked by the compliance gate) and shown to them as a preview, with the time it is
due; at that time the engine dials it for them, in any dial mode (the agent may dial it earlier
or skip it). The call is bound to the agent, so an answer is bridged to them at once. An agent
who pauses or logs out meanwhile gives the lead back; the callbacks job then hands a callback
whose agent is away to anyone after its grace time, as before.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from dialer.agents.state import Agent, AgentState
from dialer.engine.dispositions import callback_grace_s
from dialer.engine.models import CallbackRow

if TYPE_CHECKING:
    from dialer.engine.campaign import CampaignRun
    from dialer.engine.preview import Previewer

__all__ = ["CallbackHolds", "Due", "due_callbacks"]


@dataclass(frozen=True, slots=True)
class Due:
    """A pending callback promised to ``agent_id``."""

    callback_id: int
    campaign_id: int
    lead_id: int
    agent_id: str
    due_at: datetime


_DUE = (
    select(
        CallbackRow.id,
        CallbackRow.campaign_id,
        CallbackRow.lead_id,
        CallbackRow.agent_id,
        CallbackRow.due_at,
    )
    .where(
        CallbackRow.status.in_(("pending", "due")),
        CallbackRow.due_at >= bindparam("since"),
        CallbackRow.due_at <= bindparam("until"),
        CallbackRow.agent_id.is_not(None),
    )
    .order_by(CallbackRow.due_at, CallbackRow.id)
)


def due_callbacks(
    sessions: sessionmaker[Session],
    agent_ids: Collection[str],
    campaign_ids: Collection[int],
    since: datetime,
    until: datetime,
) -> list[Due]:
    """Open callbacks of these agents and campaigns due between ``since`` and ``until``."""
    if not agent_ids or not campaign_ids:
        return []
    with sessions() as session:
        rows = session.execute(_DUE, {"since": since, "until": until}).all()
    return [
        Due(cid, camp, lead, str(agent), at)
        for cid, camp, lead, agent, at in rows
        if agent in agent_ids and camp in campaign_ids
    ]


class CallbackHolds:
    """Which agents are held for a callback, and offering them their callback lead."""

    def __init__(self, previewer: Previewer, hold_s: float = 120.0, poll_s: float = 30.0) -> None:
        self.previewer = previewer
        self.hold_s = hold_s
        self.poll_s = poll_s
        self.held: dict[str, Due] = {}  # agent id -> the callback they are held for
        self._polled: float | None = None

    def is_held(self, agent_id: str) -> bool:
        return agent_id in self.held

    def refresh(self, now: datetime, mono: float) -> None:
        """Every ``poll_s``: the callbacks due within ``hold_s`` of agents logged in here."""
        if self._polled is not None and mono - self._polled < self.poll_s:
            return
        self._polled = mono
        engine = self.previewer.engine
        agents = {a.id for a in engine.agents.values() if a.state is not AgentState.LOGGED_OUT}
        until = now + timedelta(seconds=self.hold_s)
        since = now - timedelta(seconds=callback_grace_s())  # then it goes to anyone
        due = due_callbacks(engine.sessions, agents, engine.campaigns.keys(), since, until)
        offered = {o.lead.id for o in self.previewer.offers.values()}
        offered |= {o.lead.id for o in self.previewer.offers_dialed.values()}
        self.held = {}
        for d in due:
            if d.agent_id not in self.held and d.lead_id not in offered:
                self.held[d.agent_id] = d

    def offer(self, run: CampaignRun, now: datetime, mono: float) -> None:
        """Show each held agent of ``run`` who is ready their callback lead."""
        for agent_id, due in list(self.held.items()):
            agent = run.ready.get(agent_id)
            if agent is not None and due.campaign_id == run.config.id:
                self.take(agent, now, mono)

    def take(self, agent: Agent, now: datetime, mono: float) -> bool:
        """If ``agent`` (just ready) is held for a callback, offer them its lead; True if so."""
        due = self.held.pop(agent.id, None)
        engine = self.previewer.engine
        run = engine.campaigns.get(due.campaign_id) if due is not None else None
        if due is None or run is None or agent.state is not AgentState.READY:
            return False
        if self.previewer.stopped:
            return False
        lead = engine.leads.claim_callback(due.lead_id, now, run.config.facts.country)
        if lead is None:
            return False
        dialer = engine.dialing
        if dialer.judge(run, lead, dialer.decide(run, lead, now), now) is None:
            return False  # e.g. outside the lead's calling window: rescheduled by the gate
        self.previewer.offer_callback(run, agent, lead, due.due_at, now, mono)
        return True
