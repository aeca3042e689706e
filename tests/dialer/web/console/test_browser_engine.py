"""End to end in a real headless Chromium, on the REAL engine and the simulated carrier (virtual
time, 10x real time): an agent signs in, goes ready, gets a call the engine placed, sees the
screen pop, hangs up and records a callback; the supervisor's figures change meanwhile.

``DIALER_SCREENSHOT_DIR=docs`` also saves the README's screenshots."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from campaigns.enums import LeadStatus
from campaigns.models import Lead
from dialer.storage import session_factory
from tests.dialer.web.console.browser import sign_in
from tests.dialer.web.console.engine_world import SCRIPT, World, engine_world

if False:  # pragma: no cover - typing only
    from playwright.sync_api import Browser


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with engine_world(f"sqlite:///{tmp_path / 'dialer.db'}") as w:
        yield w


def _callback_lead(world: World, deadline_s: float = 10.0) -> Lead | None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        with session_factory(world.db)() as session:
            lead = session.scalars(select(Lead).where(Lead.status == LeadStatus.CALLBACK)).first()
        if lead is not None:
            return lead
        time.sleep(0.2)
    return None


def test_agent_takes_an_engine_call_and_records_a_callback(world: World, browser: Browser) -> None:
    from playwright.sync_api import expect

    shots = os.environ.get("DIALER_SCREENSHOT_DIR")
    base = world.server.url
    sup = browser.new_page(viewport={"width": 1280, "height": 520})
    sign_in(sup, base, "sue")
    campaign = sup.locator(f"#campaigns tr[data-campaign='{world.campaign_id}']")
    expect(campaign).to_contain_text("Spring renewals")
    expect(campaign.locator(".live-answers")).to_have_text("0")
    expect(sup.locator("#agents")).to_contain_text("No agent is signed on")

    agent = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(agent, base, "alice")
    agent.check(f"input[name=campaign][value='{world.campaign_id}']")
    agent.click("#choose-campaigns button[type=submit]")
    expect(agent.locator("#agent-state")).to_have_text("paused")
    expect(sup.locator("#agents tr[data-agent=alice]")).to_contain_text("paused")
    agent.click("#ready")

    # the engine dials for the ready agent; the live answer is bridged and pops on screen
    pop = agent.locator("#screen-pop")
    expect(pop).to_be_visible(timeout=30_000)
    expect(pop).to_contain_text("HX-2231")
    expect(pop).to_contain_text("America/New_York")
    expect(agent.locator(".script")).to_contain_text(SCRIPT)
    expect(campaign.locator(".live-answers")).not_to_have_text("0")
    if agent.locator("#hangup").is_visible():
        expect(sup.locator("#agents tr[data-agent=alice]")).to_contain_text("in call")
        if shots:
            sup.screenshot(path=str(Path(shots) / "supervisor.png"), full_page=True)
        agent.click("#hangup")  # (the callee may hang up first: either way, wrap-up)
    expect(agent.locator("#agent-state")).to_have_text("wrap up", timeout=30_000)

    agent.check("input[name=disposition][value=callback]")
    expect(agent.locator("#callback-row")).to_contain_text("Tue ")  # the next days' hours
    agent.fill("#callback-local", "2026-03-10T10:30")
    agent.fill("input[name=note]", "call after her meeting")
    if shots:
        agent.screenshot(path=str(Path(shots) / "agent-console.png"), full_page=True)
    agent.click("#save-disposition")
    expect(agent.locator("#error")).to_be_hidden()
    expect(agent.locator("#disposition")).to_have_count(0)

    lead = _callback_lead(world)
    assert lead is not None, "the callback disposition did not reach the lead"
    assert lead.next_eligible_at == datetime(2026, 3, 10, 14, 30, tzinfo=UTC)  # 10:30 EDT
    assert lead.last_disposition == "callback"
    expect(sup.locator("#agents tr[data-agent=alice]")).not_to_contain_text("wrap up")
