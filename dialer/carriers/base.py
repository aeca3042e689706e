"""The ``Carrier`` contract, the way httpx has a transport.

A carrier places outbound calls, connects answered calls to agents, plays messages and hangs up.
It reports what happens to a call as frozen events, delivered to the :data:`EventSink` the engine
registers with :meth:`Carrier.start`. The engine never learns more than a real carrier would tell
it: no future, no outcome before it happens.

Semantics every implementation honours (the carrier contract tests check them):

* ``originate`` returns the carrier's call id once the call is accepted for dialing; it raises
  :class:`dialer.errors.CarrierError` if refused. It does not wait for the call to be answered.
* Events for one call arrive in order: optionally ``CallRinging``, then optionally
  ``CallAnswered``, then exactly one ``CallEnded``. Each carries the carrier's timestamp.
* ``CallAnswered.at`` is the instant the 2-second abandonment clock starts (for a live person:
  the end of the greeting). ``kind`` says what answer detection concluded.
* ``bridge`` connects an answered call to an agent's line. ``play_message`` plays a message to
  an answered call and, if ``hangup_after``, ends it afterwards; a key press during the message
  arrives as ``KeyPressed`` (opt-out).
* ``hangup`` of a call that already ended is a no-op.
* The engine handles ``CallAnswered`` inside the sink call: when an agent is ready it calls
  ``bridge`` (or, to abandon, ``play_message``) before the sink returns, so a carrier that must
  answer a webhook at once (Twilio) can reply with the bridging TwiML directly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

__all__ = [
    "AgentLineClosed",
    "AnswerKind",
    "CallAnswered",
    "CallEnded",
    "CallRinging",
    "Carrier",
    "CarrierEvent",
    "EndReason",
    "EventSink",
    "KeyPressed",
    "OriginateRequest",
]


class AnswerKind(StrEnum):
    HUMAN = "human"
    MACHINE = "machine"
    UNKNOWN = "unknown"


class EndReason(StrEnum):
    COMPLETED = "completed"  # answered, then hung up by either side
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    FAILED = "failed"  # invalid number, SIT tone, network failure
    CANCELED = "canceled"  # we hung up before it was answered


@dataclass(frozen=True, slots=True)
class OriginateRequest:
    """One outbound call to place."""

    to: str  # E.164
    caller_id: str  # E.164
    ring_timeout_s: int = 25
    detect_machine: bool = True
    reference: str = ""  # our own call id, echoed in events for correlation
    campaign_id: int | None = None


@dataclass(frozen=True, slots=True)
class CallRinging:
    call_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CallAnswered:
    call_id: str
    at: datetime
    kind: AnswerKind = AnswerKind.UNKNOWN


@dataclass(frozen=True, slots=True)
class KeyPressed:
    call_id: str
    at: datetime
    digits: str


@dataclass(frozen=True, slots=True)
class CallEnded:
    call_id: str
    at: datetime
    reason: EndReason
    sip_code: int | None = None
    detail: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AgentLineClosed:
    """An agent's own line ended without ``agent_logout``: they hung up, or their phone or
    network dropped it. Bridging to them fails until ``agent_login`` opens it again."""

    agent_id: str
    at: datetime
    detail: str = ""


CarrierEvent = CallRinging | CallAnswered | KeyPressed | CallEnded | AgentLineClosed
EventSink = Callable[[CarrierEvent], Awaitable[None] | None]


class Carrier(Protocol):
    """What the engine needs from telephony."""

    #: Calls per second the carrier accepts; the engine paces originations under it.
    max_cps: float

    async def start(self, sink: EventSink) -> None:
        """Begin delivering events to ``sink``."""
        ...

    async def stop(self) -> None:
        """Stop delivering events and release resources."""
        ...

    async def originate(self, request: OriginateRequest) -> str:
        """Place a call; return the carrier's call id."""
        ...

    async def bridge(self, call_id: str, agent_id: str) -> None:
        """Connect an answered call to an agent's line (``AgentLineClosedError`` if the line is
        not open)."""
        ...

    async def play_message(self, call_id: str, message: str, *, hangup_after: bool) -> None:
        """Play a message (safe-harbor, voicemail) to an answered call."""
        ...

    async def hangup(self, call_id: str) -> None:
        """End a call (cancels it if not yet answered)."""
        ...

    async def agent_login(self, agent_id: str, endpoint: str | None) -> None:
        """Open the agent's line (Twilio: dial the agent's phone or client into the agent's own
        conference, so bridging a callee is one join). The simulated carrier only notes it.
        If the line ends other than by ``agent_logout``, the sink hears ``AgentLineClosed``."""
        ...

    async def agent_logout(self, agent_id: str) -> None:
        """Close the agent's line."""
        ...

    async def active_calls(self) -> list[str]:
        """Ids of calls the carrier still has up (used to reconcile after a crash)."""
        ...
