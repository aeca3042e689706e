"""The agent console and the supervisor view: server-rendered pages, live over SSE."""

from dialer.web.console.app import console_app
from dialer.web.console.backend import ConsoleBackend
from dialer.web.console.changes import Changes
from dialer.web.console.context import Console

__all__ = ["Changes", "Console", "ConsoleBackend", "console_app"]
