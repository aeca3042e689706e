"""The simulated carrier's record of one call in progress."""

from __future__ import annotations

import asyncio
from enum import Enum, auto

from dialer.carriers.base import AnswerKind, OriginateRequest
from dialer.carriers.simulated.fate import Fate

__all__ = ["CallState", "SimCall"]


class CallState(Enum):
    DIALING = auto()  # network set-up, then ringing (until the answer is reported)
    ANSWERED = auto()  # answer reported; callee waits in silence for an agent or a message
    MESSAGE = auto()  # a message is playing
    BRIDGED = auto()  # connected to an agent
    ENDED = auto()


class SimCall:
    """Mutable state of one call; at most one pending timer (``timer``) at any time."""

    __slots__ = (
        "agent_id",
        "detect_machine",
        "fate",
        "id",
        "index",
        "kind",
        "message_final",
        "message_left_s",
        "opted_out",
        "reference",
        "ring_timeout_s",
        "state",
        "timer",
    )

    def __init__(self, call_id: str, index: int, fate: Fate, request: OriginateRequest) -> None:
        self.id = call_id
        self.index = index
        self.fate = fate
        self.ring_timeout_s: float = request.ring_timeout_s
        self.detect_machine = request.detect_machine
        self.reference = request.reference
        self.state = CallState.DIALING
        self.kind = AnswerKind.UNKNOWN  # as reported in CallAnswered
        self.timer: asyncio.TimerHandle | None = None
        self.agent_id: str | None = None
        self.message_final = False
        self.message_left_s = 0.0
        self.opted_out = False

    @property
    def answered(self) -> bool:
        return self.state in _ANSWERED

    def cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


_ANSWERED = frozenset({CallState.ANSWERED, CallState.MESSAGE, CallState.BRIDGED})
