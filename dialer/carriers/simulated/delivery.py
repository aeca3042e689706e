"""Delivering carrier events to the engine's sink, in order, whether the sink is sync or async.

A plain function sink is called at once, inside the carrier's timer callback. An ``async`` sink
(one that returns an awaitable) is awaited in a task; events emitted meanwhile wait in a FIFO and
are delivered one after the other, so the sink never sees two events at once and never sees a
call's events out of order. A sink that raises does not stop delivery: the error goes to the
loop's exception handler and is kept in :attr:`EventPump.errors`.
"""

from __future__ import annotations

import asyncio
import inspect
from collections import deque
from collections.abc import Awaitable

from dialer.carriers.base import CarrierEvent, EventSink

__all__ = ["EventPump"]


class EventPump:
    """Calls ``sink`` with each emitted event, in emission order, one at a time."""

    def __init__(self, sink: EventSink, loop: asyncio.AbstractEventLoop) -> None:
        self._sink = sink
        self._loop = loop
        self._backlog: deque[CarrierEvent] | None = None  # not None while an await is running
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.errors: list[Exception] = []

    def emit(self, event: CarrierEvent) -> None:
        if self._closed:
            return
        if self._backlog is not None:
            self._backlog.append(event)
            return
        result = self._call(event)
        if result is not None:
            self._backlog = deque()
            self._task = self._loop.create_task(self._drain(result, event))

    async def close(self) -> None:
        """Deliver nothing more; wait for an event being delivered (unless called from it)."""
        self._closed = True
        if self._backlog is not None:
            self._backlog.clear()
        task = self._task
        if task is not None and task is not asyncio.current_task():
            await task

    async def _drain(self, pending: Awaitable[None], event: CarrierEvent) -> None:
        await self._await(pending, event)
        backlog = self._backlog
        while backlog and not self._closed:
            event = backlog.popleft()
            result = self._call(event)
            if result is not None:
                await self._await(result, event)
        self._backlog = None
        self._task = None

    def _call(self, event: CarrierEvent) -> Awaitable[None] | None:
        try:
            result = self._sink(event)
        except Exception as exc:
            self._report(exc, event)
            return None
        return result if inspect.isawaitable(result) else None

    async def _await(self, result: Awaitable[None], event: CarrierEvent) -> None:
        try:
            await result
        except Exception as exc:
            self._report(exc, event)

    def _report(self, exc: Exception, event: CarrierEvent) -> None:
        self.errors.append(exc)
        self._loop.call_exception_handler(
            {"message": f"carrier event sink failed on {event!r}", "exception": exc}
        )
