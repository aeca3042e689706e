"""A carrier whose events the test sends itself (the engine's tiny fake carrier)."""

from __future__ import annotations

import inspect
from datetime import datetime

from sqlalchemy import Engine

from dialer.carriers.base import (
    AgentLineClosed,
    AnswerKind,
    CallAnswered,
    CallEnded,
    CarrierEvent,
    EndReason,
    EventSink,
    KeyPressed,
    OriginateRequest,
)
from dialer.clock import VirtualClock
from dialer.engine.runtime import EngineOptions
from dialer.engine.wiring import Runtime, build
from dialer.errors import AgentLineClosedError, CarrierError
from dialer.settings import Settings


class ScriptedCarrier:
    max_cps = 100.0

    def __init__(self) -> None:
        self.sink: EventSink | None = None
        self.placed: list[OriginateRequest] = []
        self.actions: list[tuple[str, str, str]] = []  # (action, call id, detail)
        self.up: set[str] = set()
        self.refuse_bridges = False  # the agent's leg fails: bridge raises
        self.closed_lines: set[str] = set()  # agents whose line dropped: bridge refuses them
        self.logins: list[str] = []

    async def start(self, sink: EventSink) -> None:
        self.sink = sink

    async def stop(self) -> None:
        self.sink = None

    async def originate(self, request: OriginateRequest) -> str:
        self.placed.append(request)
        call_id = f"c{len(self.placed)}"
        self.up.add(call_id)
        return call_id

    async def bridge(self, call_id: str, agent_id: str) -> None:
        if self.refuse_bridges:
            raise CarrierError(f"agent {agent_id}'s leg failed")
        if agent_id in self.closed_lines:
            raise AgentLineClosedError(f"agent {agent_id}'s line is not open")
        self.actions.append(("bridge", call_id, agent_id))

    async def play_message(self, call_id: str, message: str, *, hangup_after: bool) -> None:
        self.actions.append(("message", call_id, message))

    async def hangup(self, call_id: str) -> None:
        self.actions.append(("hangup", call_id, ""))

    async def agent_login(self, agent_id: str, endpoint: str | None) -> None:
        self.logins.append(agent_id)
        self.closed_lines.discard(agent_id)

    async def agent_logout(self, agent_id: str) -> None: ...

    async def active_calls(self) -> list[str]:
        return sorted(self.up)

    async def send(self, event: CarrierEvent) -> None:
        assert self.sink is not None
        result = self.sink(event)
        if inspect.isawaitable(result):
            await result
        if isinstance(event, CallEnded):
            self.up.discard(event.call_id)

    async def answer(self, call_id: str, at: datetime, kind: AnswerKind = AnswerKind.HUMAN) -> None:
        await self.send(CallAnswered(call_id, at, kind))

    async def end(
        self, call_id: str, at: datetime, reason: EndReason = EndReason.COMPLETED
    ) -> None:
        await self.send(CallEnded(call_id, at, reason))

    async def press(self, call_id: str, at: datetime, digits: str) -> None:
        await self.send(KeyPressed(call_id, at, digits))

    async def drop_line(self, agent_id: str, at: datetime) -> None:
        """The agent's line ends on its own; the engine hears of it."""
        self.closed_lines.add(agent_id)
        await self.send(AgentLineClosed(agent_id, at, "the agent hung up"))


def scripted_runtime(
    db: Engine,
    clock: VirtualClock,
    carrier: ScriptedCarrier,
    *,
    owner: str | None = None,
    persistent: bool = False,
) -> Runtime:
    """The real engine on ``db`` with every lead allowed, driven by ``carrier`` and ``clock``;
    with an ``owner``, no scheduled jobs (the test drives everything itself)."""
    options = EngineOptions() if owner is None else EngineOptions(owner=owner, scheduler="none")
    return build(
        Settings(),
        clock=clock,
        carrier=carrier,
        gate="allow_all",
        db=db,
        persistent_ledgers=persistent,
        options=options,
    )
