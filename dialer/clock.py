"""Injected time. Domain code asks a :class:`Clock`; it never reads the wall clock itself.

Two worlds, one engine:

* :class:`RealClock` - wall-clock time, on uvloop's event loop where it is installed (as
  uvicorn picks it: the webhook server's sockets cost about a fifth less CPU), else asyncio's.
* :class:`VirtualClock` - virtual time on :class:`VirtualTimeLoop`, an ordinary asyncio selector
  loop whose ``time()`` is virtual. Whenever every task is waiting on a timer, the loop jumps
  straight to the next timer instead of sleeping (simpy's trick, done at the event-loop level), so
  ``asyncio.sleep``, ``call_later`` and ``asyncio.timeout`` all run in virtual time, as fast as the
  CPU allows. With ``speed=N`` it sleeps for real, N times faster than virtual time.
"""

from __future__ import annotations

import asyncio
import selectors
import time
from collections.abc import Coroutine, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

__all__ = ["Clock", "RealClock", "VirtualClock", "VirtualTimeLoop"]

T = TypeVar("T")


class Clock(Protocol):
    """Where the engine gets time from."""

    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a monotonic scale, for durations and ages."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Suspend the calling task for ``seconds`` of this clock's time."""
        ...

    def run(self, main: Coroutine[Any, Any, T]) -> T:
        """Run ``main`` to completion on an event loop that keeps this clock's time."""
        ...


class RealClock:
    """Wall-clock time. ``loop``: ``"auto"`` (uvloop if installed), ``"uvloop"`` or
    ``"asyncio"``."""

    def __init__(self, loop: str = "auto") -> None:
        if loop not in ("auto", "uvloop", "asyncio"):
            raise ValueError(f"unknown event loop {loop!r}")
        self.loop = loop

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def run(self, main: Coroutine[Any, Any, T]) -> T:
        if self.loop != "asyncio":
            try:
                import uvloop
            except ImportError:
                if self.loop == "uvloop":
                    raise
            else:
                return uvloop.run(main)
        return asyncio.run(main)


class _VirtualSelector(selectors.BaseSelector):
    """Wraps a real selector; a timed wait with no I/O ready advances virtual time instead."""

    def __init__(self, speed: float | None) -> None:
        self._real = selectors.DefaultSelector()
        self._speed = speed
        self.now = 0.0

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._real.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.modify(fileobj, events, data)

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return self._real.get_map()

    def close(self) -> None:
        self._real.close()

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is None:  # nothing scheduled: only real I/O (another thread) can wake us
            return self._real.select(None)
        if timeout <= 0:
            return self._real.select(0)
        if self._speed is None:
            events = self._real.select(0)
            if not events:
                self.now += timeout
            return events
        started = time.monotonic()
        events = self._real.select(timeout / self._speed)
        self.now += timeout if not events else (time.monotonic() - started) * self._speed
        return events


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An asyncio loop whose clock is virtual (see the module docstring)."""

    def __init__(self, speed: float | None = None) -> None:
        self._virtual = _VirtualSelector(speed)
        super().__init__(self._virtual)

    def time(self) -> float:
        return self._virtual.now


class VirtualClock:
    """Virtual time starting at ``start``; ``speed=None`` runs as fast as possible."""

    def __init__(self, start: datetime, speed: float | None = None) -> None:
        if start.tzinfo is None:
            raise ValueError("VirtualClock needs a timezone-aware start")
        self.start = start.astimezone(UTC)
        self.loop = VirtualTimeLoop(speed)

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.loop.time())

    def monotonic(self) -> float:
        return self.loop.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def run(self, main: Coroutine[Any, Any, T]) -> T:
        """Run ``main`` on this clock's loop; the loop stays usable for later runs."""
        return self.loop.run_until_complete(main)

    def close(self) -> None:
        self.loop.close()

    def __enter__(self) -> VirtualClock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
