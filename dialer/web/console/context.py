"""The console's shared parts, kept on the Starlette app's state."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request
from starlette.templating import Jinja2Templates

from dialer.access.sessions import SessionStore
from dialer.web.console.backend import ConsoleBackend
from dialer.web.console.render import make_templates

__all__ = ["Console", "console_of"]

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class Console:
    backend: ConsoleBackend
    sessions: SessionStore
    prefix: str = "/console"
    secure_cookies: bool = False
    heartbeat_s: float = 10.0  # keep-alive and session re-check of the live streams
    stream_max_s: float = 600.0  # a stream then ends; the browser reconnects by itself
    templates: Jinja2Templates = field(default_factory=lambda: make_templates(TEMPLATES))
    closing: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str) -> str:
        return f"{self.prefix}{path}"

    def close(self) -> None:
        """End every live stream (before the server stops)."""
        self.closing.set()


def console_of(request: Request) -> Console:
    console: Console = request.app.state.console
    return console
