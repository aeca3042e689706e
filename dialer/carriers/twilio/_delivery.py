"""Delivering events to the engine's sink: one call at a time, in contract order."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Coroutine, Generator
from typing import Any, TypeVar

from dialer.carriers.base import CarrierEvent, EventSink
from dialer.carriers.twilio._ledger import CallRecord, Phase, Signal, advance

__all__ = ["EventDelivery", "start_eagerly", "wait_briefly"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class EventDelivery:
    """Applies a signal to a call and, if the engine must hear of it, awaits the sink.

    Each call's lock is held while its event is delivered, so a ``completed`` callback that
    arrives while the engine is still handling ``CallAnswered`` waits its turn.
    """

    def __init__(self) -> None:
        self.sink: EventSink | None = None

    async def signal(
        self, record: CallRecord, signal: Signal, make_event: Callable[[], CarrierEvent]
    ) -> bool:
        """Advance ``record`` by ``signal``; deliver the event if one is due. True if delivered."""
        async with record.lock:
            record.phase, emit = advance(record.phase, signal)
            if emit:
                await self._send(make_event())
            return emit

    async def key_pressed(self, record: CallRecord, make_event: Callable[[], CarrierEvent]) -> bool:
        """Deliver a key press if the call is answered and not over."""
        async with record.lock:
            if record.phase is not Phase.ANSWERED:
                return False
            await self._send(make_event())
            return True

    async def send(self, event: CarrierEvent) -> None:
        """Deliver an event that belongs to no call (an agent's line closed)."""
        await self._send(event)

    async def _send(self, event: CarrierEvent) -> None:
        if self.sink is None:
            log.info("no engine attached; event dropped: %s", event)
            return
        try:
            result = self.sink(event)
            if inspect.isawaitable(result):
                await result
        except Exception:
            log.exception("the engine's event sink failed on %s", event)


def start_eagerly(coro: Coroutine[Any, Any, T]) -> asyncio.Future[T]:
    """Run ``coro`` at once up to its first real suspension (Python 3.12's eager tasks, on 3.11).

    An engine that handles an answer without waiting (the usual case) is done before this
    returns: the webhook replies in the same step of the event loop, not after every other
    request of a burst has had its turn. Otherwise a task goes on from where ``coro`` stopped.
    """
    loop = asyncio.get_running_loop()
    try:
        pending = coro.send(None)
    except StopIteration as stop:
        done: asyncio.Future[T] = loop.create_future()
        done.set_result(stop.value)
        return done
    except asyncio.CancelledError:
        done = loop.create_future()
        done.cancel()
        return done
    except Exception as exc:
        done = loop.create_future()
        done.set_exception(exc)
        return done
    return loop.create_task(_finish(coro, pending))


class _Resumed:
    """Awaiting this goes on with a coroutine that yielded ``pending`` to its caller."""

    def __init__(self, coro: Coroutine[Any, Any, T], pending: Any) -> None:
        self._coro = coro
        self._pending = pending

    def __await__(self) -> Generator[Any, None, Any]:
        pending = self._pending
        while True:
            try:
                yield pending
            except BaseException as exc:  # the task was cancelled: pass it on
                try:
                    pending = self._coro.throw(exc)
                except StopIteration as stop:
                    return stop.value
                continue
            try:
                pending = self._coro.send(None)
            except StopIteration as stop:
                return stop.value


async def _finish(coro: Coroutine[Any, Any, T], pending: Any) -> T:
    result: T = await _Resumed(coro, pending)
    return result


async def wait_briefly(task: asyncio.Future[bool], seconds: float) -> None:
    """Wait up to ``seconds`` for ``task``; a slower task goes on in the background."""
    if task.done():
        return
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        log.warning("the engine took longer than %.1fs to handle an answer", seconds)
