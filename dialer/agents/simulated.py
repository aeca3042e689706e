"""Simulated agents: they use the engine's agent API (:class:`~dialer.engine.desk.Desk`) exactly
as the console does for real agents. After each call they wrap up for the time the simulated world
gives that callee, pick its disposition, and (``breaks`` variant) take their breaks. Shown a
preview lead, they read it for about ``review_s`` (uniform between half and one and a half times
it), then skip it with probability ``skip_share`` or dial it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from dialer.agents.state import AgentState
from dialer.carriers.simulated import AgentSampler, SimulatedCarrier
from dialer.engine.bus import AgentChanged, PreviewPop
from dialer.engine.desk import Desk
from dialer.errors import DialerError

__all__ = ["PreviewHabits", "SimulatedAgents"]


@dataclass(frozen=True, slots=True)
class PreviewHabits:
    """How simulated agents treat preview leads."""

    review_s: float = 8.0
    skip_share: float = 0.1


class SimulatedAgents:
    def __init__(
        self,
        desk: Desk,
        carrier: SimulatedCarrier,
        sampler: AgentSampler,
        *,
        callback_after_s: float = 7200.0,
        preview: PreviewHabits | None = None,
        rng: np.random.Generator | None = None,
    ) -> None:
        self.desk = desk
        self.carrier = carrier
        self.sampler = sampler
        self.callback_after = timedelta(seconds=callback_after_s)
        self.preview = preview or PreviewHabits()
        self._rng = rng if rng is not None else np.random.default_rng(0)
        self._next_break: dict[str, float] = {}
        desk.engine.bus.subscribe(AgentChanged, self._on_agent)
        desk.engine.bus.subscribe(PreviewPop, self._on_preview)

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

    def _on_preview(self, event: PreviewPop) -> None:
        review = self.preview.review_s * float(self._rng.uniform(0.5, 1.5))
        skip = bool(self._rng.random() < self.preview.skip_share)
        loop = asyncio.get_running_loop()
        loop.call_later(review, self._decide, event.agent_id, event.lead_id, skip)

    def _decide(self, agent_id: str, lead_id: int, skip: bool) -> None:
        try:
            if skip:
                self.desk.skip(agent_id, lead_id)
            else:
                self.desk.dial(agent_id, lead_id)
        except DialerError:
            return  # the lead was taken back meanwhile (timeout, pause)

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
        if agent is not None and agent.state is AgentState.PAUSED and agent.line_open:
            self.desk.ready(agent_id)
