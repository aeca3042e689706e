"""Serving the app with uvicorn inside the caller's event loop, and the Twilio runtime.

``dialer run`` (with ``carrier = "twilio"``) and ``dialer serve`` both use :func:`twilio_runtime`:
it builds the :class:`TwilioCarrier`, serves its webhooks, and yields the carrier; the caller
then ``start``\\ s it with the engine's sink.
"""

from __future__ import annotations

import asyncio
import importlib.util
import socket
from collections.abc import AsyncIterator, Generator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, Literal

import uvicorn
from starlette.types import ASGIApp

from dialer.carriers.twilio import TwilioCarrier, TwilioConfig
from dialer.clock import Clock
from dialer.errors import ConfigError
from dialer.settings import Settings
from dialer.web.app import WebhooksFirst, build_app

__all__ = ["Serving", "parse_listen", "serving", "twilio_runtime"]


def parse_listen(listen: str) -> tuple[str, int]:
    """``host:port`` (port 0 picks a free one) into its parts."""
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ConfigError(f"listen address must be host:port, not {listen!r}")
    return host.strip("[]"), int(port)


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to its host (``capture_signals`` off)."""

    def __init__(self, config: uvicorn.Config, *, own_signals: bool) -> None:
        super().__init__(config)
        self._own_signals = own_signals

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        if self._own_signals:
            with super().capture_signals():
                yield
        else:
            yield


class Serving:
    """A running server: where it listens, and a way to wait for it to stop."""

    def __init__(self, server: uvicorn.Server, task: asyncio.Task[None], port: int) -> None:
        self.server = server
        self.port = port
        self._task = task

    async def wait(self) -> None:
        """Return when the server has stopped (a signal, when it owns them)."""
        await self._task


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.set_inheritable(True)
    return sock


def _protocol(app: ASGIApp) -> type[asyncio.Protocol] | Literal["auto"]:
    """Twilio's webhook paths on the fast path when the app has them and httptools is there."""
    if not isinstance(app, WebhooksFirst) or importlib.util.find_spec("httptools") is None:
        return "auto"
    from dialer.web.fastpath import webhook_protocol

    return webhook_protocol(app.webhooks)


@asynccontextmanager
async def serving(
    app: ASGIApp,
    host: str,
    port: int,
    *,
    own_signals: bool = False,
    protocol: type[asyncio.Protocol] | None = None,
) -> AsyncIterator[Serving]:
    """Serve ``app`` on ``host:port`` while the block runs; stop gracefully after it.
    ``protocol`` is the HTTP protocol class (by default, Twilio's webhooks on the fast path
    when the app has them: :mod:`dialer.web.fastpath`)."""
    sock = _bind(host, port)
    # proxy_headers off: the app reads X-Forwarded-* itself where it matters (signatures);
    # no access log and no Server header: less work per webhook, nothing said about the stack
    config = uvicorn.Config(
        app,
        http=protocol or _protocol(app),
        log_level="warning",
        access_log=False,
        lifespan="off",
        proxy_headers=False,
        server_header=False,
    )
    server = _EmbeddedServer(config, own_signals=own_signals)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise ConfigError(f"the web server on {host}:{port} did not start")
            await asyncio.sleep(0.005)
        yield Serving(server, task, sock.getsockname()[1])
    finally:
        server.should_exit = True
        await task
        sock.close()


@asynccontextmanager
async def twilio_runtime(
    settings: Settings,
    clock: Clock,
    *,
    listen: str | None = None,
    own_signals: bool = False,
    console: ASGIApp | None = None,
    **tuning: Any,
) -> AsyncIterator[tuple[TwilioCarrier, Serving]]:
    """A Twilio carrier with its webhook server listening; the caller starts the carrier (and
    may stop it: it is stopped on the way out anyway, so its connections are closed).
    ``console`` is mounted under ``/console`` (see :mod:`dialer.web.console.serve`); ``tuning``
    overrides :class:`TwilioConfig` fields (timeouts, backoff, hold, ...)."""
    carrier = TwilioCarrier(TwilioConfig.from_settings(settings, **tuning), clock)
    host, port = parse_listen(listen or settings.web_listen)
    try:
        app = build_app(carrier.webhooks, console)
        async with serving(app, host, port, own_signals=own_signals) as srv:
            yield carrier, srv
    finally:
        await carrier.stop()
