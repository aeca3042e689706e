"""The edge: timeouts, backoff and retry, and Twilio's errors translated into ours."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException

from dialer.clock import Clock
from dialer.errors import (
    CarrierAuthError,
    CarrierError,
    CarrierRejectedError,
    CarrierUnavailableError,
)

__all__ = [
    "CREATE_POLICY",
    "SAFE_POLICY",
    "Edge",
    "RetryPolicy",
    "backoff_delay",
    "call_twilio",
    "translate",
]

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Which failures are worth another attempt.

    Creating a call is not idempotent: a 500 or a timeout may mean Twilio placed the call, and a
    second attempt would ring the person twice. So creation retries only answers that say the
    request was not processed (429, 502, 503, 504); reads and updates retry every 5xx and
    network failure.
    """

    statuses: frozenset[int]
    network: bool


CREATE_POLICY = RetryPolicy(frozenset({429, 502, 503, 504}), network=False)
SAFE_POLICY = RetryPolicy(frozenset({429, *range(500, 600)}), network=True)


def backoff_delay(attempt: int, base_s: float, max_s: float) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based): doubling, capped."""
    return float(min(max_s, base_s * 2 ** (attempt - 1)))


@dataclass(frozen=True, slots=True)
class Edge:
    """How :func:`call_twilio` waits and how often it tries."""

    clock: Clock
    timeout_s: float
    max_attempts: int
    backoff_base_s: float
    backoff_max_s: float


async def call_twilio(
    op: Callable[[], Awaitable[T]], *, what: str, edge: Edge, policy: RetryPolicy
) -> T:
    """Run ``op`` with a timeout, retrying per ``policy``; raise our errors, never Twilio's."""
    attempt = 0
    while True:
        attempt += 1
        try:
            # each attempt in a task of its own, its timeout bound to it: the caller may have
            # been started eagerly inside another task (a webhook's) that goes on without it
            return await asyncio.ensure_future(_timed(op, edge.timeout_s))
        except TwilioRestException as exc:
            if exc.status not in policy.statuses or attempt >= edge.max_attempts:
                raise translate(exc, what) from exc
            reason = f"HTTP {exc.status}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            if not policy.network or attempt >= edge.max_attempts:
                raise CarrierUnavailableError(
                    f"{what}: Twilio unreachable or too slow ({type(exc).__name__})"
                ) from exc
            reason = type(exc).__name__
        except TwilioException as exc:
            raise CarrierError(f"{what}: unexpected answer from Twilio ({exc})") from exc
        delay = backoff_delay(attempt, edge.backoff_base_s, edge.backoff_max_s)
        log.warning("%s: %s, retry %d in %.2fs", what, reason, attempt, delay)
        await edge.clock.sleep(delay)


async def _timed(op: Callable[[], Awaitable[T]], seconds: float) -> T:
    async with asyncio.timeout(seconds):
        return await op()


def translate(exc: TwilioRestException, what: str) -> CarrierError:
    """Our error for a Twilio REST error (its message, never the request's credentials)."""
    code = f" {exc.code}" if exc.code else ""
    detail = f"{what}: Twilio error{code} (HTTP {exc.status}): {exc.msg}"
    if exc.status in (401, 403):
        return CarrierAuthError(f"{what}: Twilio refused the account SID / auth token")
    if exc.status == 429 or exc.status >= 500:
        return CarrierUnavailableError(detail)
    return CarrierRejectedError(detail)
