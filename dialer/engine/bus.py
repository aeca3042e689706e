"""An in-process event bus: the engine publishes, the agent console and simulated agents subscribe.

Handlers run synchronously, in subscription order, inside ``publish``; a handler that needs to do
I/O should hand the event to its own task or queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["AgentChanged", "CallChanged", "EngineEvent", "EventBus", "PreviewPop", "ScreenPop"]


@dataclass(frozen=True, slots=True)
class ScreenPop:
    """A live callee is being connected to ``agent_id``: show them the lead."""

    agent_id: str
    call_id: str
    campaign_id: int
    lead: dict[str, Any]
    at: datetime
    script: str | None = None


@dataclass(frozen=True, slots=True)
class PreviewPop:
    """A preview lead is on ``agent_id``'s screen, before any dial: dial or skip it."""

    agent_id: str
    campaign_id: int
    lead_id: int
    lead: dict[str, Any]
    at: datetime
    script: str | None = None


@dataclass(frozen=True, slots=True)
class AgentChanged:
    agent_id: str
    state: str
    at: datetime
    call_id: str | None = None
    pause_code: str | None = None


@dataclass(frozen=True, slots=True)
class CallChanged:
    call_id: str
    campaign_id: int
    state: str
    at: datetime
    agent_id: str | None = None


EngineEvent = ScreenPop | PreviewPop | AgentChanged | CallChanged
Handler = Callable[[Any], None]


class EventBus:
    """Subscribe to one event type (or ``object`` for all); ``subscribe`` returns the
    unsubscriber."""

    def __init__(self) -> None:
        self._handlers: dict[type, list[Handler]] = {}

    def subscribe(self, kind: type, handler: Handler) -> Callable[[], None]:
        self._handlers.setdefault(kind, []).append(handler)
        return lambda: self._handlers[kind].remove(handler)

    def publish(self, event: EngineEvent) -> None:
        for handler in self._handlers.get(type(event), ()):
            handler(event)
        for handler in self._handlers.get(object, ()):
            handler(event)

    def wants(self, kind: type) -> bool:
        return bool(self._handlers.get(kind) or self._handlers.get(object))
