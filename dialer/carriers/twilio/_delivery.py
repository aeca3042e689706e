"""Delivering events to the engine's sink: one call at a time, in contract order."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable

from dialer.carriers.base import CarrierEvent, EventSink
from dialer.carriers.twilio._ledger import CallRecord, Phase, Signal, advance

__all__ = ["EventDelivery", "wait_briefly"]

log = logging.getLogger(__name__)


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


async def wait_briefly(task: asyncio.Task[bool], seconds: float) -> None:
    """Wait up to ``seconds`` for ``task``; a slower task goes on in the background."""
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        log.warning("the engine took longer than %.1fs to handle an answer", seconds)
