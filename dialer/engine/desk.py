"""The agent API: log in and out, ready, pause, hang up, disposition. The agent console and the
simulated agents call these same functions (through :class:`Desk`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from dialer.agents.state import Agent, AgentState
from dialer.engine.bus import AgentChanged
from dialer.engine.callbacks import add_callback
from dialer.engine.dnc import add_to_company_dnc
from dialer.engine.models import AgentRow, AgentSessionRow
from dialer.errors import ConflictError, InputError, NotFoundError
from pacing.api import Outcome

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from dialer.engine.calls import Call
    from dialer.engine.campaign import CampaignRun
    from dialer.engine.runtime import Engine

__all__ = ["LINE_DROPPED", "Desk", "move_agent", "start_wrap"]

#: The pause code of an agent whose line dropped: they go ready again by reopening it.
LINE_DROPPED = "line_dropped"


def move_agent(
    engine: Engine,
    agent: Agent,
    state: AgentState,
    at: datetime,
    *,
    call_id: str | None = None,
    pause_code: str | None = None,
) -> None:
    """Move ``agent``, keep the campaigns' ready sets, log the stretch, tell subscribers; a
    newly ready agent takes the longest-waiting live callee of their campaigns; an agent leaving
    ``preview`` other than to dial gives their preview lead back. An agent whose line dropped
    is paused instead of ready: nothing could be bridged to them."""
    if state is AgentState.READY and not agent.line_open:
        state, pause_code = AgentState.PAUSED, LINE_DROPPED
    if agent.state is AgentState.PREVIEW and state is not AgentState.RESERVED:
        engine.preview.withdraw(agent, f"the agent went {state}")
    stretch = agent.move(state, at, engine.clock.monotonic(), pause_code)
    if call_id is not None:
        agent.call_id = call_id
    if stretch is not None:
        engine.writes.stretch(agent.session_id, stretch)
    for cid in agent.campaign_ids:
        run = engine.campaigns.get(cid)
        if run is None:
            continue
        if state is AgentState.READY:
            run.ready[agent.id] = agent
        else:
            run.ready.pop(agent.id, None)
    _announce(engine, agent, at)
    if state is AgentState.READY and not engine.preview.holds.take(agent, at, agent.since_mono):
        _take_waiting(engine, agent)  # (an agent held for a callback gets its lead instead)


def _announce(engine: Engine, agent: Agent, at: datetime) -> None:
    """Tell subscribers the agent's state (and pause code) as of ``at``."""
    if engine.bus.wants(AgentChanged):
        engine.bus.publish(
            AgentChanged(agent.id, str(agent.state), at, agent.call_id, agent.pause_code)
        )


def _take_waiting(engine: Engine, agent: Agent) -> None:
    oldest: Call | None = None
    for cid in agent.campaign_ids:
        run = engine.campaigns.get(cid)
        if run is None or not run.waiting:
            continue
        first = next(iter(run.waiting.values()))
        if oldest is None or first.created_mono < oldest.created_mono:
            oldest = first
    if oldest is not None:
        run = engine.campaigns[oldest.campaign_id]
        engine.reserve(run, oldest, agent)  # now, so no other call picks this agent meanwhile
        engine._spawn(engine.bridge(run, oldest, agent))


def start_wrap(engine: Engine, run: CampaignRun, call: Call) -> None:
    """The bridged callee hung up: the agent wraps up, for at most the campaign's wrap time."""
    agent = engine.agents.get(call.agent_id or "")
    if agent is None or agent.call_id != call.id or agent.state is not AgentState.ON_CALL:
        engine.finalize(run, call, "wrap_timeout")
        return
    move_agent(engine, agent, AgentState.WRAP_UP, engine.clock.now(), call_id=call.id)
    asyncio.get_running_loop().call_later(
        run.config.max_wrap_s, _wrap_timeout, engine, agent, call.id
    )


def _wrap_timeout(engine: Engine, agent: Agent, call_id: str) -> None:
    if agent.state is AgentState.WRAP_UP and agent.call_id == call_id:
        Desk(engine).disposition(agent.id, "wrap_timeout")


class Desk:
    """What an agent (or the console on their behalf) can do."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def login(
        self,
        agent_id: str,
        campaign_ids: Iterable[int],
        *,
        ready: bool = True,
        endpoint: str | None = None,
        simulated: bool = False,
    ) -> Agent:
        engine = self.engine
        ids = frozenset(campaign_ids)
        unknown = sorted(ids - set(engine.campaigns))
        if unknown:
            raise NotFoundError(f"campaign(s) {unknown} are not running in this dialer")
        agent = engine.agents.get(agent_id)
        if agent is not None and agent.state is not AgentState.LOGGED_OUT:
            raise ConflictError(f"agent {agent_id} is logged in already")
        now = engine.clock.now()
        with engine.sessions.begin() as session:
            if session.get(AgentRow, agent_id) is None:  # another dialer may add it meanwhile
                dialect = session.get_bind().dialect.name
                insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
                session.execute(
                    insert(AgentRow)
                    .values(
                        id=agent_id,
                        name=agent_id,
                        endpoint=endpoint,
                        simulated=simulated,
                        created_at=now,
                    )
                    .on_conflict_do_nothing(index_elements=["id"])
                )
            row = AgentSessionRow(
                agent_id=agent_id,
                owner=engine.options.owner,
                campaign_ids=sorted(ids),
                started_at=now,
                seconds_by_state={},
            )
            session.add(row)
            session.flush()
            session_id = row.id
        await engine.carrier.agent_login(agent_id, endpoint)
        agent = Agent(agent_id, ids, session_id=session_id, endpoint=endpoint)
        engine.agents[agent_id] = agent
        for cid in ids:
            engine.campaigns[cid].agents[agent_id] = agent
        move_agent(
            engine,
            agent,
            AgentState.READY if ready else AgentState.PAUSED,
            now,
            pause_code=None if ready else "login",
        )
        return agent

    def ready(self, agent_id: str) -> None:
        agent = self._agent(agent_id)
        if not agent.line_open:
            raise ConflictError(
                f"agent {agent_id}'s line dropped: reconnect it to take calls again"
            )
        move_agent(self.engine, agent, AgentState.READY, self.engine.clock.now())

    async def reconnect(self, agent_id: str) -> None:
        """Go ready, first opening the agent's line again if it dropped."""
        agent = self._agent(agent_id)
        if not agent.line_open and agent.state is AgentState.PAUSED:
            await self.engine.carrier.agent_login(agent_id, agent.endpoint)
            agent.line_open = True
        self.ready(agent_id)

    def line_closed(self, agent_id: str, at: datetime, detail: str) -> None:
        """The carrier says the agent's line ended: no call is routed to them until they
        reconnect. A ready (or previewing) agent is paused now, a paused one shows why; one on
        a call is paused after it."""
        agent = self.engine.agents.get(agent_id)
        if agent is None or agent.state is AgentState.LOGGED_OUT:
            return
        agent.line_open = False
        log.warning("agent %s's line dropped (%s); paused until they reconnect", agent_id, detail)
        if agent.state in (AgentState.READY, AgentState.PREVIEW):
            move_agent(self.engine, agent, AgentState.PAUSED, at, pause_code=LINE_DROPPED)
        elif agent.state is AgentState.PAUSED:
            agent.pause_code = LINE_DROPPED
            _announce(self.engine, agent, at)

    def pause(self, agent_id: str, code: str = "break") -> None:
        agent = self._agent(agent_id)
        move_agent(self.engine, agent, AgentState.PAUSED, self.engine.clock.now(), pause_code=code)

    def dial(self, agent_id: str, lead_id: int) -> None:
        """Preview: dial the lead on the agent's screen (placed on the engine's next tick, if the
        compliance gate allows it then)."""
        self.engine.preview.request_dial(self._agent(agent_id), lead_id)

    def skip(self, agent_id: str, lead_id: int) -> None:
        """Preview: skip the lead on the agent's screen; the next lead follows."""
        self.engine.preview.skip(self._agent(agent_id), lead_id)

    async def hangup(self, agent_id: str) -> None:
        """The agent ends the call they are on."""
        agent = self._agent(agent_id)
        call = self.engine.calls.get(agent.call_id or "")
        if agent.state is not AgentState.ON_CALL or call is None or call.carrier_call_id is None:
            raise ConflictError(f"agent {agent_id} is not on a call")
        await self.engine.carrier.hangup(call.carrier_call_id)

    def disposition(
        self,
        agent_id: str,
        disposition: str,
        *,
        callback_at: datetime | None = None,
        callback_mine: bool = True,
        then: AgentState = AgentState.READY,
        pause_code: str | None = None,
    ) -> None:
        """Close the agent's wrap-up with ``disposition``; a callback needs ``callback_at`` (the
        lead's local time, as an aware datetime), for this agent or anyone."""
        engine = self.engine
        agent = self._agent(agent_id)
        call = engine.calls.get(agent.call_id or "")
        if agent.state is not AgentState.WRAP_UP or call is None:
            raise ConflictError(f"agent {agent_id} has no call to disposition")
        run = engine.campaigns[call.campaign_id]
        rule = run.config.rules.get(disposition)
        if rule is None or not (rule.agent or disposition == "wrap_timeout"):
            known = sorted(n for n, r in run.config.rules.items() if r.agent)
            raise InputError(f"unknown disposition {disposition!r} (one of: {', '.join(known)})")
        now = engine.clock.now()
        if rule.callback:
            if callback_at is None:
                raise InputError("a callback needs a time")
            add_callback(
                engine.sessions,
                run.config.id,
                call.lead.id,
                agent_id if callback_mine else None,
                callback_at,
                now,
                agent_id,
            )
        if rule.dnc:
            add_to_company_dnc(engine.sessions, call.phone, now, by=agent_id, source="agent")
        wrap = engine.clock.monotonic() - agent.since_mono
        run.counters.wrap_s += wrap
        run.pacer.observe(Outcome(wrap_s=wrap, at_s=engine.clock.monotonic()))
        engine.finalize(run, call, disposition, callback_at if rule.callback else None)
        agent.call_id = None
        move_agent(engine, agent, then, now, pause_code=pause_code)

    async def logout(self, agent_id: str) -> None:
        engine = self.engine
        agent = self._agent(agent_id)
        if agent.state in (AgentState.ON_CALL, AgentState.RESERVED, AgentState.WRAP_UP):
            raise ConflictError(f"agent {agent_id} is {agent.state}: finish the call first")
        now = engine.clock.now()
        move_agent(engine, agent, AgentState.LOGGED_OUT, now)
        for cid in agent.campaign_ids:
            engine.campaigns[cid].agents.pop(agent_id, None)
        engine.writes.flush()
        with engine.sessions.begin() as session:
            session.execute(
                update(AgentSessionRow)
                .where(AgentSessionRow.id == agent.session_id)
                .values(ended_at=now, seconds_by_state=dict(agent.seconds_by_state))
            )
        await engine.carrier.agent_logout(agent_id)

    def _agent(self, agent_id: str) -> Agent:
        agent = self.engine.agents.get(agent_id)
        if agent is None or agent.state is AgentState.LOGGED_OUT:
            raise NotFoundError(f"agent {agent_id} is not logged in")
        return agent
