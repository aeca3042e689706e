"""Serving the console beside a running engine (``dialer run --console``).

With Twilio the console is mounted into the webhook server, which starts with the carrier and so
before the engine exists: :class:`LateApp` holds its place and answers 503 until the console is
attached. With the simulated carrier the console gets a server of its own on ``web_listen``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.orm import sessionmaker
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from dialer.access.sessions import SessionStore
from dialer.clock import Clock
from dialer.engine.wiring import Runtime
from dialer.settings import Settings
from dialer.web.app import build_app
from dialer.web.console.app import console_app
from dialer.web.console.context import Console
from dialer.web.console.engine_backend import EngineBackend
from dialer.web.server import parse_listen, serving

__all__ = ["LateApp", "console_running", "make_console"]


class LateApp:
    """An ASGI app whose inner app is attached later; 503 until then."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    def attach(self, app: ASGIApp | None) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is None:
            response = PlainTextResponse("the console is not running", status_code=503)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def make_console(runtime: Runtime, clock: Clock, settings: Settings) -> Console:
    return Console(
        EngineBackend(runtime.engine, runtime.desk),
        SessionStore(sessionmaker(runtime.db, expire_on_commit=False), clock),
        secure_cookies=settings.public_url.startswith("https://"),
    )


@asynccontextmanager
async def console_running(
    runtime: Runtime,
    clock: Clock,
    settings: Settings,
    *,
    enabled: bool = True,
    mounted: LateApp | None = None,
) -> AsyncIterator[str | None]:
    """Serve the console while the block runs; yields its URL (None when not ``enabled``)."""
    if not enabled:
        yield None
        return
    console = make_console(runtime, clock, settings)
    app = console_app(console)
    if mounted is not None:
        mounted.attach(app)
        try:
            yield f"{settings.public_url.rstrip('/')}/console/"
        finally:
            console.close()
            mounted.attach(None)
        return
    host, port = parse_listen(settings.web_listen)
    async with serving(build_app(None, app), host, port) as srv:
        try:
            yield f"http://{host}:{srv.port}/console/"
        finally:
            console.close()
