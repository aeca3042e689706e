"""Preview end to end in a real headless Chromium, on the REAL engine and the simulated carrier
(virtual time, 3x real time): an agent of a preview campaign sees a lead before any dial, clicks
Dial and gets the call, then skips the next lead and is shown another one.

``DIALER_SCREENSHOT_DIR=docs`` also saves the README's screenshot of a preview lead."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, select, update

from campaigns.enums import DialMode, LeadStatus
from campaigns.models import Lead
from dialer.carriers.base import AnswerKind
from dialer.carriers.simulated import load_world
from dialer.carriers.simulated.fate import FateDrawer
from dialer.carriers.simulated.mix import Outcome
from dialer.engine.preview_models import PreviewDecisionRow
from dialer.storage import session_factory
from tests.dialer.web.console.browser import sign_in
from tests.dialer.web.console.engine_world import CARRIER_SEED, SCRIPT, World, engine_world

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


def _answered_leads_only(db: Engine, campaign_id: int) -> None:
    """Set aside the leads whose first call no person would answer (the callees' fates are
    seeded), so the call dialed in the test is answered and reaches the agent."""
    fates = FateDrawer(load_world("high"), CARRIER_SEED)
    with session_factory(db).begin() as session:
        leads = session.execute(
            select(Lead.id, Lead.phone).where(Lead.campaign_id == campaign_id)
        ).all()
        silent = [
            lead_id
            for lead_id, phone in leads
            if (fate := fates.draw(int(phone[1:]), 1)).outcome is not Outcome.LIVE
            or fate.amd_kind is not AnswerKind.HUMAN
        ]
        session.execute(update(Lead).where(Lead.id.in_(silent)).values(status=LeadStatus.DONE))
    assert len(silent) < len(leads) - 3


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'dialer.db'}"
    with engine_world(url, 3.0, DialMode.PREVIEW, _answered_leads_only) as w:
        yield w


def _lead_on_screen(page: Page) -> int:
    return int(page.locator("form:has(#preview-dial) input[name=lead_id]").input_value())


def _decisions(world: World, deadline_s: float = 10.0) -> list[tuple[str, int]]:
    end = time.monotonic() + deadline_s
    rows: list[tuple[str, int]] = []
    while time.monotonic() < end:
        with session_factory(world.db)() as session:
            rows = [
                (d, lead)
                for d, lead in session.execute(
                    select(PreviewDecisionRow.decision, PreviewDecisionRow.lead_id).order_by(
                        PreviewDecisionRow.id
                    )
                )
            ]
        if any(d == "skipped" for d, _ in rows):
            break
        time.sleep(0.2)
    return rows


def test_agent_previews_dials_then_skips(world: World, browser: Browser) -> None:
    from playwright.sync_api import expect

    base = world.server.url
    agent = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(agent, base, "alice")
    agent.check(f"input[name=campaign][value='{world.campaign_id}']")
    agent.click("#choose-campaigns button[type=submit]")
    expect(agent.locator("#agent-state")).to_have_text("paused")
    agent.click("#ready")

    # the lead comes first: on screen, nothing dialed yet
    expect(agent.locator("#agent-state")).to_have_text("preview", timeout=30_000)
    pop = agent.locator("#screen-pop")
    expect(pop).to_contain_text("HX-2231")
    expect(agent.locator(".script")).to_contain_text(SCRIPT)
    first = _lead_on_screen(agent)
    shots = os.environ.get("DIALER_SCREENSHOT_DIR")
    if shots:
        agent.screenshot(path=str(Path(shots) / "agent-preview.png"), full_page=True)
    phone = pop.locator(".phone").inner_text()
    runtime = world.runtime
    assert runtime is not None
    assert runtime.engine.campaigns[world.campaign_id].counters.attempts == 0

    # Dial: the call is placed for this agent and bridged to them on answer
    agent.click("#preview-dial")
    expect(agent.locator("#hangup")).to_be_visible(timeout=30_000)  # in call
    expect(pop).to_contain_text(phone)
    if agent.locator("#hangup").is_visible():
        agent.click("#hangup")  # (the callee may hang up first: either way, wrap-up)
    expect(agent.locator("#agent-state")).to_have_text("wrap up", timeout=30_000)
    agent.check("input[name=disposition][value=not_interested]")
    agent.click("#save-disposition")

    # the next lead; Skip shows another one, and nothing was dialed for it
    expect(agent.locator("#preview-skip")).to_be_visible(timeout=30_000)
    second = _lead_on_screen(agent)
    assert second != first
    agent.click("#preview-skip")
    expect(agent.locator("#preview-skip")).to_be_visible(timeout=30_000)
    expect(agent.locator("input[name=lead_id]").first).not_to_have_value(str(second))
    expect(agent.locator("#error")).to_be_hidden()
    assert runtime.engine.campaigns[world.campaign_id].counters.attempts == 1

    rows = _decisions(world)
    assert rows[:4] == [
        ("offered", first),
        ("dialed", first),
        ("offered", second),
        ("skipped", second),
    ]
