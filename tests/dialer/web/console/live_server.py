"""A real uvicorn server on a loopback port, in a thread with its own event loop, for tests that
drive the console from a real client (a browser, an SSE reader) in the test's own thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

from starlette.types import ASGIApp

from dialer.web.server import serving

T = TypeVar("T")
Setup = Callable[[], AbstractAsyncContextManager[ASGIApp]]


class LiveServer:
    """``with LiveServer(setup) as server:`` serves the app ``setup`` yields until the block ends.

    ``loop`` lets the caller choose the event loop (a VirtualClock's loop for virtual time)."""

    def __init__(self, setup: Setup, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._setup = setup
        self.loop = loop or asyncio.new_event_loop()
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self.port = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        try:
            self.loop.run_until_complete(self._main())
        except BaseException as exc:  # reported to the test thread
            self._error = exc
            self._started.set()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        async with self._setup() as app, serving(app, "127.0.0.1", 0) as srv:
            self.port = srv.port
            self._started.set()
            await self._stop.wait()

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        """Run ``coro`` on the server's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        self._started.wait(30)
        if self._error is not None:
            raise self._error
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)
        if not self.loop.is_closed():
            self.loop.close()
        if self._error is not None:
            raise self._error
