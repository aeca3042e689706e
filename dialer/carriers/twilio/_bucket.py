"""A calls-per-second token bucket on the injected clock."""

from __future__ import annotations

import asyncio

from dialer.clock import Clock

__all__ = ["TokenBucket", "refill", "wait_for_token"]


def refill(tokens: float, elapsed_s: float, rate: float, capacity: float) -> float:
    """Tokens after ``elapsed_s`` seconds at ``rate`` per second, never above ``capacity``."""
    return min(capacity, tokens + max(0.0, elapsed_s) * rate)


def wait_for_token(tokens: float, rate: float) -> float:
    """Seconds until one whole token is available (0 if there is one already)."""
    return 0.0 if tokens >= 1.0 else (1.0 - tokens) / rate


class TokenBucket:
    """At most ``capacity`` back-to-back takes, then ``rate`` per second; waiters queue in order."""

    def __init__(self, clock: Clock, rate: float, capacity: float = 1.0) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("rate must be positive and capacity at least 1")
        self._clock = clock
        self._rate = rate
        self._capacity = capacity
        self._tokens = capacity
        self._stamp = clock.monotonic()
        self._lock = asyncio.Lock()

    @property
    def rate(self) -> float:
        return self._rate

    def _update(self) -> None:
        now = self._clock.monotonic()
        self._tokens = refill(self._tokens, now - self._stamp, self._rate, self._capacity)
        self._stamp = now

    async def take(self) -> None:
        """Wait until a token is available, then take it."""
        async with self._lock:
            self._update()
            while (wait := wait_for_token(self._tokens, self._rate)) > 0:
                await self._clock.sleep(wait)
                self._update()
            self._tokens -= 1.0
