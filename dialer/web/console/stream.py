"""Live updates over server-sent events: the rendered panel, again whenever it changes.

Each event ``panel`` carries the panel's HTML (rendered by the same template as the page). The
stream re-checks the session every heartbeat (an open console counts as activity) and ends with
an ``expired`` event when the session has ended (signed out, user disabled, absolute lifetime).
It also ends when the console closes or after ``stream_max_s``; the browser's EventSource then
reconnects by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from starlette.requests import Request
from starlette.responses import StreamingResponse

from dialer.web.console.auth import session_token
from dialer.web.console.context import Console

__all__ = ["event_stream", "sse_event"]


def sse_event(name: str, data: str) -> bytes:
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"event: {name}\n{lines}\n".encode()


async def _pump(changes: AsyncIterator[object], queue: asyncio.Queue[None]) -> None:
    async for _ in changes:
        if queue.empty():
            queue.put_nowait(None)


async def _woken(queue: asyncio.Queue[None], closing: asyncio.Event, timeout: float) -> bool:
    """Wait for a change (True), the console closing or the heartbeat (False)."""
    getter = asyncio.ensure_future(queue.get())
    closer = asyncio.ensure_future(closing.wait())
    try:
        await asyncio.wait({getter, closer}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        getter.cancel()
        closer.cancel()
    return getter.done() and not getter.cancelled()


async def _events(
    console: Console,
    token: str,
    render: Callable[[], Awaitable[str]],
    changes: AsyncIterator[object],
) -> AsyncIterator[bytes]:
    queue: asyncio.Queue[None] = asyncio.Queue(maxsize=1)
    pump = asyncio.ensure_future(_pump(changes, queue))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + console.stream_max_s
    last = ""
    try:
        while not console.closing.is_set() and loop.time() < deadline:
            html = await render()
            if html != last:
                yield sse_event("panel", html)
                last = html
            if not await _woken(queue, console.closing, console.heartbeat_s):
                if console.sessions.resolve(token) is None:
                    yield sse_event("expired", "sign in again")  # empty data is never dispatched
                    return
                yield b": keep-alive\n\n"
    finally:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pump


def event_stream(
    request: Request,
    console: Console,
    render: Callable[[], Awaitable[str]],
    changes: AsyncIterator[object],
) -> StreamingResponse:
    return StreamingResponse(
        _events(console, session_token(request), render, changes),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
