"""What we know about each call, and the pure rule that keeps its events in contract order.

Twilio retries webhooks, may send them twice, and may deliver them out of order (``completed``
before ``ringing``). :func:`advance` turns any such stream into at most one ``CallRinging``,
then at most one ``CallAnswered``, then exactly one ``CallEnded``, in that order.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from enum import Enum

from dialer.carriers.base import EndReason

__all__ = [
    "TERMINAL_STATUSES",
    "CallLedger",
    "CallRecord",
    "Phase",
    "Signal",
    "advance",
    "end_reason",
    "signal_for_status",
]


class Phase(Enum):
    NEW = "new"  # created, nothing heard yet
    RINGING = "ringing"  # CallRinging delivered
    LIVE = "live"  # Twilio says answered; CallAnswered not delivered yet (waiting for AMD)
    ANSWERED = "answered"  # CallAnswered delivered
    ENDED = "ended"  # CallEnded delivered


class Signal(Enum):
    RINGING = "ringing"  # status callback: ringing
    LIVE = "live"  # status callback: in-progress (answered)
    ANSWER = "answer"  # answer webhook (no AMD) or AMD result: deliver CallAnswered
    END = "end"  # a terminal status


_EMITS = {Signal.RINGING: True, Signal.LIVE: False, Signal.ANSWER: True, Signal.END: True}
_FROM: dict[Signal, frozenset[Phase]] = {
    Signal.RINGING: frozenset({Phase.NEW}),
    Signal.LIVE: frozenset({Phase.NEW, Phase.RINGING}),
    Signal.ANSWER: frozenset({Phase.NEW, Phase.RINGING, Phase.LIVE}),
    Signal.END: frozenset({Phase.NEW, Phase.RINGING, Phase.LIVE, Phase.ANSWERED}),
}
_TO = {
    Signal.RINGING: Phase.RINGING,
    Signal.LIVE: Phase.LIVE,
    Signal.ANSWER: Phase.ANSWERED,
    Signal.END: Phase.ENDED,
}


def advance(phase: Phase, signal: Signal) -> tuple[Phase, bool]:
    """The phase after ``signal`` and whether the engine must hear of it (late or repeated
    signals change nothing)."""
    if phase not in _FROM[signal]:
        return phase, False
    return _TO[signal], _EMITS[signal]


TERMINAL_STATUSES: dict[str, EndReason] = {
    "completed": EndReason.COMPLETED,
    "busy": EndReason.BUSY,
    "no-answer": EndReason.NO_ANSWER,
    "failed": EndReason.FAILED,
    "canceled": EndReason.CANCELED,
}


_STATUS_SIGNALS = {
    "ringing": Signal.RINGING,
    "in-progress": Signal.LIVE,
    **dict.fromkeys(TERMINAL_STATUSES, Signal.END),
}


def signal_for_status(status: str) -> Signal | None:
    """The signal a ``CallStatus`` value carries (``queued``/``initiated`` carry none)."""
    return _STATUS_SIGNALS.get(status)


def end_reason(status: str) -> EndReason:
    return TERMINAL_STATUSES.get(status, EndReason.FAILED)


@dataclass
class CallRecord:
    """One outbound call, by Twilio call SID."""

    sid: str
    phase: Phase = Phase.NEW
    amd: bool | None = None  # machine detection requested (None: not known to this process)
    replying: bool = False  # a TwiML webhook for this call is waiting on the engine
    reply: str | None = None  # TwiML the engine chose during that wait
    served: str | None = None  # the last TwiML the call was given
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def ended(self) -> bool:
        return self.phase is Phase.ENDED


class CallLedger:
    """Records by SID. Ended calls are kept (up to ``keep_ended``) to absorb late callbacks."""

    def __init__(self, keep_ended: int = 10_000) -> None:
        self._records: dict[str, CallRecord] = {}
        self._keep_ended = keep_ended
        self._ended: deque[CallRecord] = deque()  # oldest end first

    def get(self, sid: str) -> CallRecord:
        """The record of ``sid``, created if this is the first we hear of it."""
        record = self._records.get(sid)
        if record is None:
            record = self._records[sid] = CallRecord(sid)
        return record

    def known(self, sid: str) -> CallRecord | None:
        return self._records.get(sid)

    def mark_ended(self, record: CallRecord) -> None:
        """Count an ended call; forget the ones that ended longest ago beyond the limit (in
        constant time: a dialer ends tens of thousands of calls a day)."""
        self._ended.append(record)
        while len(self._ended) > self._keep_ended:
            old = self._ended.popleft()
            if self._records.get(old.sid) is old:
                del self._records[old.sid]

    def active(self) -> list[str]:
        return [sid for sid, record in self._records.items() if not record.ended]
