"""Simulated agents: they use the engine's agent API (:class:`~dialer.engine.desk.Desk`) exactly
as the console does for real agents. After each call they wrap up for the time the simulated world
gives that callee, pick its disposition, and (``breaks`` variant) take their breaks."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import timedelta

from dialer.agents.state import AgentState
from dialer.carriers.simulated import AgentSampler, SimulatedCarrier
from dialer.engine.bus import AgentChanged
from dialer.engine.desk import Desk
from dialer.errors import DialerError

__all__ = ["SimulatedAgents"]


class SimulatedAgents:
    def __init__(
        self,
        desk: Desk,
        carrier: SimulatedCarrier,
        sampler: AgentSampler,
        *,
        callback_after_s: float = 7200.0,
    ) -> None:
        self.desk = desk
        self.carrier = carrier
        self.sampler = sampler
        self.callback_after = timedelta(seconds=callback_after_s)
        self._next_break: dict[str, float] = {}
        desk.engine.bus.subscribe(AgentChanged, self._on_agent)

    async def login(self, agent_ids: Iterable[str], campaign_ids: Iterable[int]) -> None:
        ids = tuple(campaign_ids)
        clock = self.desk.engine.clock
        for agent_id in agent_ids:
            await self.desk.login(agent_id, ids, simulated=True)
            first = self.sampler.first_break_s()
            if first is not None:
                self._next_break[agent_id] = clock.monotonic() + first

    def _on_agent(self, event: AgentChanged) -> None:
        if event.state != AgentState.WRAP_UP or event.call_id is None:
            return
        call = self.desk.engine.calls.get(event.call_id)
        if call is None or call.carrier_call_id is None:
            return
        after = self.carrier.after_call(call.carrier_call_id)
        loop = asyncio.get_running_loop()
        loop.call_later(
            after.wrap_up_s, self._dispose, event.agent_id, event.call_id, after.disposition
        )

    def _dispose(self, agent_id: str, call_id: str, disposition: str) -> None:
        engine = self.desk.engine
        agent = engine.agents.get(agent_id)
        if agent is None or agent.state is not AgentState.WRAP_UP or agent.call_id != call_id:
            return  # the wrap time ran out first
        mono = engine.clock.monotonic()
        due = self._next_break.get(agent_id)
        on_break = due is not None and mono >= due
        callback_at = engine.clock.now() + self.callback_after
        try:
            self.desk.disposition(
                agent_id,
                disposition,
                callback_at=callback_at,
                callback_mine=False,
                then=AgentState.PAUSED if on_break else AgentState.READY,
                pause_code="break" if on_break else None,
            )
        except DialerError:
            return
        breaks = self.sampler.params.breaks
        if on_break and breaks is not None and due is not None:
            self._next_break[agent_id] = due + breaks.every_s
            asyncio.get_running_loop().call_later(breaks.length_s, self._back, agent_id)

    def _back(self, agent_id: str) -> None:
        agent = self.desk.engine.agents.get(agent_id)
        if agent is not None and agent.state is AgentState.PAUSED:
            self.desk.ready(agent_id)
