"""The Twilio carrier in the carrier contract suite (tests/dialer/carriers/test_contract.py).

The carrier runs on the real clock against the fake Twilio, with our webhook server in between,
all on 127.0.0.1. A number's behaviour is a :class:`Callee` script given to the fake; carrier
time passes ``SCALE`` times faster than the contract's seconds (the fake's rings and pauses are
scaled alike). Every request the carrier sent must be one Twilio's OpenAPI spec allows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from dialer.carriers.twilio import TwilioCarrier, TwilioConfig
from dialer.clock import RealClock
from dialer.web import build_app, serving
from tests.dialer.carriers.twilio.harness import (
    ACCOUNT_SID,
    AGENT_CALLER_ID,
    AUTH_TOKEN,
    free_port,
)
from tests.fakes.twilio_fake import Callee, FakeTwilio, serving_fake

__all__ = ["SCALE", "TwilioHarness", "twilio_harness"]

T = TypeVar("T")
#: Real seconds per second of carrier time the contract asks to wait.
SCALE = 0.01

#: Behaviour (by its value, see tests/dialer/carriers/harness.py) -> what the callee does. Calls
#: last a second at least, so a call is still up right after it was placed (on a loaded machine).
CALLEES = {
    "human": Callee(outcome="human", ring_s=0.1, talk_s=1.5),
    "human_opts_out": Callee(outcome="human", ring_s=0.1, talk_s=5.0, press="9"),
    "machine": Callee(outcome="machine", ring_s=0.1, talk_s=1.5),
    "no_answer": Callee(outcome="no-answer", ring_s=0.8),
    "busy": Callee(outcome="busy", ring_s=0.8, answer_s=0.2),
    "failed": Callee(outcome="failed", ring_s=0.8, answer_s=0.2),
}


class TwilioHarness:
    """Owns the fake Twilio, the carrier and the ports they and our webhook server listen on."""

    def __init__(self) -> None:
        self.fake = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN)
        self._api_port, self._web_port = free_port(), free_port()
        config = TwilioConfig(
            account_sid=ACCOUNT_SID,
            auth_token=AUTH_TOKEN,
            public_url=f"http://127.0.0.1:{self._web_port}",
            api_base=f"http://127.0.0.1:{self._api_port}",
            cps=50.0,
            agent_caller_id=AGENT_CALLER_ID,
            backoff_base_s=0.01,
        )
        self.carrier = TwilioCarrier(config, RealClock())
        self._numbers = 0

    def number(self, behaviour: Any) -> str:
        self._numbers += 1
        number = f"+1415555{self._numbers:04d}"
        self.fake.callees[number] = CALLEES[str(behaviour.value)]
        return number

    def run(self, main: Coroutine[Any, Any, T]) -> T:
        return asyncio.run(self._serve(main))

    async def _serve(self, main: Coroutine[Any, Any, T]) -> T:
        app = build_app(self.carrier.webhooks)
        async with (
            serving_fake(self.fake, self._api_port),
            serving(app, "127.0.0.1", self._web_port),
        ):
            try:
                return await main
            finally:
                await self.carrier.stop()

    async def wait(self, seconds: float) -> None:
        await asyncio.sleep(seconds * SCALE)


@contextmanager
def twilio_harness() -> Iterator[TwilioHarness]:
    harness = TwilioHarness()
    yield harness
    assert harness.fake.violations == []
