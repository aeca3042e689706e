"""The live stream over a real server: the panel comes at once and again on every change."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx

from dialer.web.app import build_app
from dialer.web.console import Console, console_app
from dialer.web.console.backend import AgentState, LeadCard
from dialer.web.console.stream import sse_event
from dialer.web.server import serving
from tests.dialer.web.console.conftest import PASSWORD, csrf_of
from tests.dialer.web.console.fake_backend import FakeBackend


def test_sse_events_are_framed_line_by_line() -> None:
    assert sse_event("panel", "<a>\n<b>") == b"event: panel\ndata: <a>\ndata: <b>\n\n"
    assert sse_event("expired", "") == b"event: expired\ndata: \n\n"


async def _panels(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    data: list[str] = []
    async for line in lines:
        if line.startswith("data: "):
            data.append(line[6:])
        elif line == "" and data:
            yield "\n".join(data)
            data = []


async def test_agent_stream_pushes_the_screen_pop(console: Console, backend: FakeBackend) -> None:
    console.heartbeat_s = 0.2
    app = build_app(None, console_app(console))
    async with serving(app, "127.0.0.1", 0) as srv:
        base = f"http://127.0.0.1:{srv.port}"
        async with httpx.AsyncClient(base_url=base, follow_redirects=True) as client:
            page = await client.get("/console/login")
            home = await client.post(
                "/console/login",
                data={"username": "alice", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
            )
            csrf = csrf_of(home.text)
            await client.post(
                "/console/agent/campaigns", data={"campaign": "1", "csrf_token": csrf}
            )
            await client.post("/console/agent/ready", data={"csrf_token": csrf})
            async with client.stream("GET", "/console/agent/events") as stream:
                assert stream.headers["content-type"].startswith("text/event-stream")
                lines = stream.aiter_lines()
                panels = _panels(lines)
                first = await asyncio.wait_for(anext(panels), 5)
                assert "Waiting for a call" in first
                backend.connect("alice", LeadCard(5, "+13125550199", "Jo Park"))
                second = await asyncio.wait_for(anext(panels), 5)
                assert "Jo Park" in second
                assert backend.agents["alice"].state is AgentState.IN_CALL
                console.sessions.sign_out(client.cookies["dialer_session"])
                # the next heartbeat finds the session gone and ends the stream
                async with asyncio.timeout(5):
                    rest = [line async for line in lines]
                assert "event: expired" in rest
        console.close()
