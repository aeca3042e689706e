"""A Twilio world for tests: the fake Twilio, our webhook server, the carrier, and a stand-in
for the engine that bridges, abandons and hangs up the way the real one will."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from dialer.carriers.base import (
    AnswerKind,
    CallAnswered,
    CallEnded,
    CarrierEvent,
    KeyPressed,
)
from dialer.carriers.twilio import TwilioCarrier
from dialer.clock import RealClock
from dialer.settings import Settings
from dialer.web import twilio_runtime
from tests.fakes.twilio_fake import FakeTwilio, running_fake

ACCOUNT_SID = "AC" + "1f" * 16
AUTH_TOKEN = "tok-3f9a1c5e7b2d4068"
CALLER_ID = "+14155550100"
AGENT_CALLER_ID = "+14155550199"
SAFE_HARBOR = "Sorry we missed you. This was Acme. Press 9 to stop our calls."
VOICEMAIL = "Hello, this is Acme calling about your order."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class EngineStandIn:
    """Plays the engine's part: handles CallAnswered inside the sink call."""

    carrier: TwilioCarrier
    free_agents: list[str] = field(default_factory=list)
    machine_action: str = "hangup"
    events: list[CarrierEvent] = field(default_factory=list)
    bridged: dict[str, str] = field(default_factory=dict)
    abandoned: list[str] = field(default_factory=list)
    opted_out: list[str] = field(default_factory=list)

    async def __call__(self, event: CarrierEvent) -> None:
        self.events.append(event)
        if isinstance(event, CallAnswered):
            await self._answered(event)
        elif isinstance(event, KeyPressed):
            self.opted_out.append(event.call_id)
        elif isinstance(event, CallEnded) and event.call_id in self.bridged:
            self.free_agents.append(self.bridged[event.call_id])

    async def _answered(self, event: CallAnswered) -> None:
        if event.kind is AnswerKind.MACHINE:
            if self.machine_action == "voicemail":
                await self.carrier.play_message(event.call_id, VOICEMAIL, hangup_after=True)
            else:
                await self.carrier.hangup(event.call_id)
        elif self.free_agents:
            agent = self.free_agents.pop(0)
            self.bridged[event.call_id] = agent
            await self.carrier.bridge(event.call_id, agent)
        else:
            self.abandoned.append(event.call_id)
            await self.carrier.play_message(event.call_id, SAFE_HARBOR, hangup_after=True)

    def ended(self, call_id: str) -> CallEnded | None:
        return next((e for e in self.of(call_id) if isinstance(e, CallEnded)), None)

    def of(self, call_id: str) -> list[CarrierEvent]:
        return [e for e in self.events if getattr(e, "call_id", None) == call_id]

    def kinds(self, call_id: str) -> list[str]:
        return [type(e).__name__ for e in self.of(call_id)]


@dataclass
class World:
    fake: FakeTwilio
    carrier: TwilioCarrier
    engine: EngineStandIn
    public_url: str

    async def until_ended(self, call_id: str, timeout: float = 5.0) -> CallEnded:
        """Wait for the engine to hear that ``call_id`` ended."""
        await self.fake.wait(lambda: self.engine.ended(call_id) is not None, timeout)
        ended = self.engine.ended(call_id)
        assert ended is not None
        return ended


@asynccontextmanager
async def twilio_world(**config: object) -> AsyncIterator[World]:
    """Everything running on 127.0.0.1; fails the test if any request broke the contract."""
    async with running_fake(ACCOUNT_SID, AUTH_TOKEN) as (fake, api_base):
        fake.numbers.add(CALLER_ID)
        port = free_port()
        settings = Settings(
            carrier="twilio",
            public_url=f"http://127.0.0.1:{port}",
            twilio_account_sid=ACCOUNT_SID,
            twilio_auth_token=AUTH_TOKEN,
            twilio_api_base=api_base,
            twilio_agent_caller_id=AGENT_CALLER_ID,
            carrier_cps=50.0,
            web_listen=f"127.0.0.1:{port}",
        )
        tuning = {"backoff_base_s": 0.01, **config}
        async with twilio_runtime(settings, RealClock(), **tuning) as (carrier, _):
            engine = EngineStandIn(carrier)
            await carrier.start(engine)
            try:
                yield World(fake, carrier, engine, settings.public_url)
            finally:
                await carrier.stop()
        assert fake.violations == []
