"""Carriers: the one interface to telephony (simulated by default, Twilio by configuration)."""

from dialer.carriers.base import (
    AgentLineClosed,
    AnswerKind,
    CallAnswered,
    CallEnded,
    CallRinging,
    Carrier,
    CarrierEvent,
    EndReason,
    EventSink,
    KeyPressed,
    OriginateRequest,
)

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
