"""The console in a real headless Chromium, against the fake engine: sign-in, ready, screen pop,
hang up, callback disposition; the supervisor's page follows live."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.types import ASGIApp

from dialer.web.app import build_app
from dialer.web.console import Console, console_app
from dialer.web.console.backend import AgentState
from tests.dialer.web.console.browser import sign_in
from tests.dialer.web.console.fake_backend import FakeBackend
from tests.dialer.web.console.live_server import LiveServer
from tests.dialer.web.console.test_api import LEAD

if False:  # pragma: no cover - typing only
    from playwright.sync_api import Browser


@pytest.fixture
def live(console: Console) -> Iterator[LiveServer]:
    console.heartbeat_s = 1.0

    @asynccontextmanager
    async def setup() -> AsyncIterator[ASGIApp]:
        try:
            yield build_app(None, console_app(console))
        finally:
            console.close()  # ends the live streams, so the server can stop

    with LiveServer(setup) as server:
        yield server


def test_agent_takes_a_call_and_the_supervisor_watches(
    live: LiveServer, backend: FakeBackend, browser: Browser
) -> None:
    from playwright.sync_api import expect

    shots = os.environ.get("DIALER_SCREENSHOT_DIR")
    agent = browser.new_page(viewport={"width": 1280, "height": 860})
    sup = browser.new_page(viewport={"width": 1280, "height": 600})
    sign_in(agent, live.url, "alice")
    expect(agent.locator("#choose-campaigns")).to_be_visible()
    agent.check("input[name=campaign][value='1']")
    agent.click("#choose-campaigns button[type=submit]")
    expect(agent.locator("#agent-state")).to_have_text("paused")
    agent.click("#ready")
    expect(agent.locator("#agent-state")).to_have_text("ready")

    sign_in(sup, live.url, "sue")
    row = sup.locator("#agents tr[data-agent=alice]")
    expect(row).to_contain_text("ready")
    expect(sup.locator("#campaigns tr[data-campaign='1'] .live-answers")).to_have_text("0")

    # the engine bridges a call: the screen pop arrives over the live stream, no reload
    live.call(_connect(backend))
    pop = agent.locator("#screen-pop")
    expect(pop).to_contain_text("Maria Lopez")
    expect(pop).to_contain_text("HX-2231")
    expect(agent.locator(".script")).to_contain_text("Hello Maria Lopez")
    expect(agent.locator("#call-timer")).to_be_visible()
    expect(row).to_contain_text("in call")
    expect(sup.locator("#campaigns tr[data-campaign='1'] .live-answers")).to_have_text("1")
    if shots:
        agent.screenshot(path=str(Path(shots) / "agent-console-call.png"), full_page=True)

    agent.click("#hangup")
    expect(agent.locator("#agent-state")).to_have_text("wrap up")
    expect(agent.locator("#callback-row")).to_be_hidden()
    agent.check("input[name=disposition][value=callback]")
    expect(agent.locator("#callback-row")).to_be_visible()
    expect(agent.locator("#callback-row")).to_contain_text("America/Chicago")
    agent.fill("#callback-local", "2026-05-05T23:00")
    agent.click("#save-disposition")
    expect(agent.locator("#error")).to_contain_text("between 08:00 and 21:00")
    agent.fill("#callback-local", "2026-05-05T10:30")
    if shots:
        agent.screenshot(path=str(Path(shots) / "agent-console.png"), full_page=True)
    agent.click("#save-disposition")
    expect(agent.locator("#agent-state")).to_have_text("ready")
    [(who, _call, choice)] = backend.dispositions
    assert who == "alice"
    assert choice.code == "callback"
    assert choice.callback_at == datetime(2026, 5, 5, 15, 30, tzinfo=UTC)
    assert backend.agents["alice"].state is AgentState.READY
    expect(row).to_contain_text("ready")
    if shots:
        sup.screenshot(path=str(Path(shots) / "supervisor.png"), full_page=True)

    # the supervisor pauses the campaign and changes its dial mode from the page
    sup.locator("#campaigns tr[data-campaign='1'] button").click()
    expect(sup.locator("#campaigns tr[data-campaign='1']")).to_contain_text("active")
    sup.select_option("select[aria-label='Dial mode of Spring renewals']", "power")
    expect(sup.locator("select[aria-label='Dial mode of Spring renewals']")).to_have_value("power")
    # the select shows the choice at once; the server applies it when the form's POST lands
    deadline = time.monotonic() + 15
    while backend.campaigns[1].dial_mode != "power" and time.monotonic() < deadline:
        sup.wait_for_timeout(50)
    assert backend.campaigns[1].dial_mode == "power"


async def _connect(backend: FakeBackend) -> None:
    backend.connect("alice", LEAD)


def test_a_session_ended_elsewhere_sends_the_page_to_sign_in(
    live: LiveServer, console: Console, browser: Browser
) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    sign_in(page, live.url, "carl")
    expect(page.locator("#campaigns")).to_contain_text("Spring renewals")
    expect(page.locator("#campaigns button")).to_have_count(0)  # compliance: read only
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "dialer_session")
    console.sessions.sign_out(str(token))
    expect(page).to_have_url(f"{live.url}/console/login", timeout=10_000)
