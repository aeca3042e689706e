"""The console's backend on the REAL engine and the simulated carrier, in virtual time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import Engine as DbEngine
from sqlalchemy import select

from campaigns.enums import CampaignStatus, LeadStatus
from campaigns.models import Campaign, Lead
from compliance.dnc.models import DncEntry
from dialer.carriers.simulated import SimulatedCarrier, load_world
from dialer.clock import VirtualClock
from dialer.engine.runtime import EngineOptions
from dialer.engine.wiring import Runtime, build
from dialer.errors import ConflictError, InputError
from dialer.settings import Settings
from dialer.storage import make_engine, session_factory
from dialer.web.console.backend import AgentState, DispositionInput
from dialer.web.console.engine_backend import EngineBackend
from tests.dialer.web.console.engine_world import SCRIPT, START, _seed


@dataclass
class Rig:
    clock: VirtualClock
    runtime: Runtime
    backend: EngineBackend
    db: DbEngine
    campaign_id: int

    async def until(self, check: Callable[[], Awaitable[bool]], limit_s: float = 900) -> None:
        engine = self.runtime.engine
        end = self.clock.monotonic() + limit_s
        while not await check():
            assert self.clock.monotonic() < end, "timed out (virtual time)"
            await engine.tick()
            await self.clock.sleep(1.0)

    async def state(self, agent: str) -> AgentState:
        return (await self.backend.agent_view(agent)).state


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    url = f"sqlite:///{tmp_path / 'dialer.db'}"
    db = make_engine(url)
    cid = _seed(db)
    with VirtualClock(START) as clock:
        carrier = SimulatedCarrier(clock, load_world("high"), seed=3, shift_start=START)
        runtime = build(
            Settings(database_url=url),
            clock=clock,
            carrier=carrier,
            gate="allow_all",
            options=EngineOptions(owner="t", tick_s=1.0),
            persistent_ledgers=False,
            db=db,
        )
        runtime.engine.add_campaign(cid)
        clock.run(runtime.engine.start())
        yield Rig(clock, runtime, EngineBackend(runtime.engine, runtime.desk), db, cid)
        clock.run(runtime.engine.stop(drain_s=5))
    db.dispose()


def test_an_agent_call_from_ready_to_callback(rig: Rig) -> None:
    async def scenario() -> None:
        b = rig.backend
        assert await rig.state("alice") is AgentState.LOGGED_OUT
        await b.agent_login("alice", [rig.campaign_id])
        assert await rig.state("alice") is AgentState.PAUSED
        await b.agent_ready("alice")
        await rig.until(lambda: _in(rig, "alice", AgentState.IN_CALL))
        view = await b.agent_view("alice")
        call = view.call
        assert call is not None
        assert dict(call.lead.custom) == {"Policy": "HX-2231", "Renewal": "2026-06-01"}
        assert call.lead.timezone == "America/New_York"
        assert call.script == SCRIPT
        assert call.ended_at is None
        codes = {d.code: d for d in call.dispositions}
        assert codes["callback"].callback
        assert codes["callback"].system
        assert "do_not_call" not in codes  # the form's check box says that
        assert "wrap_timeout" not in codes
        snap = await b.supervisor_snapshot()
        [figures] = snap.campaigns
        assert figures.live_answers >= 1
        assert [(a.agent_id, a.state) for a in snap.agents] == [("alice", AgentState.IN_CALL)]

        await b.agent_login("bob", [rig.campaign_id])
        with pytest.raises(ConflictError):
            await b.hang_up("bob", call.call_id)
        with pytest.raises(ConflictError):
            await b.disposition("bob", call.call_id, DispositionInput("sale"))

        await b.hang_up("alice", call.call_id)
        await rig.until(lambda: _in(rig, "alice", AgentState.WRAP_UP))
        ended = (await b.agent_view("alice")).call
        assert ended is not None
        assert ended.ended_at is not None
        night = datetime(2026, 3, 11, 4, 0, tzinfo=UTC)  # midnight in New York
        hours = ended.callback_hours
        assert (hours.local_start, hours.local_end) == (time(8), time(21))  # survey calls, NY
        assert hours.note.startswith("Mon 08:00-21:00 · Tue")
        with pytest.raises(InputError, match="next allowed time is Wed 2026-03-11 08:00"):
            await b.disposition("alice", call.call_id, DispositionInput("callback", night))
        at = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
        await b.disposition("alice", call.call_id, DispositionInput("callback", callback_at=at))
        assert await rig.state("alice") in (
            AgentState.READY,
            AgentState.RESERVED,
            AgentState.IN_CALL,
        )
        rig.runtime.engine.writes.flush()
        with session_factory(rig.db)() as session:
            lead = session.get(Lead, call.lead.lead_id)
            assert lead is not None
            assert lead.status is LeadStatus.CALLBACK
            assert lead.next_eligible_at == at

    rig.clock.run(scenario())


def test_a_do_not_call_request_lists_the_number(rig: Rig) -> None:
    async def scenario() -> None:
        b = rig.backend
        await b.agent_login("alice", [rig.campaign_id])
        await b.agent_ready("alice")
        await rig.until(lambda: _in(rig, "alice", AgentState.IN_CALL))
        call = (await b.agent_view("alice")).call
        assert call is not None
        await b.hang_up("alice", call.call_id)
        await rig.until(lambda: _in(rig, "alice", AgentState.WRAP_UP))
        await b.disposition(
            "alice", call.call_id, DispositionInput("not_interested", dnc_request=True)
        )
        with session_factory(rig.db)() as session:
            listed = session.scalars(select(DncEntry.phone)).all()
        assert listed == [call.lead.phone]

    rig.clock.run(scenario())


def test_pause_start_and_dial_mode(rig: Rig) -> None:
    async def scenario() -> None:
        b, engine, cid = rig.backend, rig.runtime.engine, rig.campaign_id
        await b.set_campaign_running(cid, False)
        await b.agent_login("alice", [cid])
        await b.agent_ready("alice")
        for _ in range(60):
            await engine.tick()
            await rig.clock.sleep(1.0)
        assert engine.campaigns[cid].counters.attempts == 0  # paused: nothing dialed
        [figures] = (await b.supervisor_snapshot()).campaigns
        assert figures.status == "paused"
        await b.set_campaign_running(cid, True)
        await rig.until(lambda: _attempted(rig))
        await b.set_dial_mode(cid, "power")
        assert engine.campaigns[cid].config.dial_mode == "power"
        with pytest.raises(InputError):
            await b.set_dial_mode(cid, "turbo")
        with session_factory(rig.db)() as session:
            campaign = session.get(Campaign, cid)
            assert campaign is not None
            assert (campaign.status, str(campaign.dial_mode)) == (CampaignStatus.ACTIVE, "power")
        with pytest.raises(ConflictError):
            await b.preview_dial("alice", 1)

    rig.clock.run(scenario())


async def _in(rig: Rig, agent: str, state: AgentState) -> bool:
    return await rig.state(agent) is state


async def _attempted(rig: Rig) -> bool:
    return rig.runtime.engine.campaigns[rig.campaign_id].counters.attempts > 0


def test_a_campaign_the_engine_does_not_run_can_be_started(rig: Rig) -> None:
    from campaigns.enums import Purpose
    from campaigns.service import CampaignSpec, create_campaign

    with session_factory(rig.db).begin() as session:
        other = create_campaign(
            session, "Autumn", CampaignSpec(Purpose.SURVEY, "+14155552671"), START
        ).id

    async def scenario() -> None:
        b = rig.backend
        rows = {c.id: c for c in (await b.supervisor_snapshot()).campaigns}
        assert rows[other].status == "stopped"
        assert rows[rig.campaign_id].status == "active"
        await b.set_campaign_running(other, True)
        assert other in rig.runtime.engine.campaigns
        rows = {c.id: c for c in (await b.supervisor_snapshot()).campaigns}
        assert rows[other].status == "active"
        choices = {c.id for c in (await b.agent_view("alice")).campaigns}
        assert choices == {rig.campaign_id, other}

    rig.clock.run(scenario())


async def _previewing(rig: Rig, agent: str) -> bool:
    view = await rig.backend.agent_view(agent)
    return view.state is AgentState.PREVIEW and view.preview is not None


def test_preview_dial_and_skip_on_the_engine(rig: Rig) -> None:
    async def scenario() -> None:
        b, engine, cid = rig.backend, rig.runtime.engine, rig.campaign_id
        await b.set_dial_mode(cid, "preview")
        await b.agent_login("alice", [cid])
        await b.agent_ready("alice")
        await rig.until(lambda: _previewing(rig, "alice"))
        view = await b.agent_view("alice")
        assert view.preview is not None
        assert view.call is None
        first = view.preview.lead
        assert dict(first.custom) == {"Policy": "HX-2231", "Renewal": "2026-06-01"}
        assert first.timezone == "America/New_York"
        assert view.preview.script == SCRIPT
        assert engine.campaigns[cid].counters.attempts == 0  # nothing dialed before Dial
        with pytest.raises(ConflictError):
            await b.preview_dial("alice", first.lead_id + 1000)  # not the lead on screen

        await b.preview_dial("alice", first.lead_id)
        assert await rig.state("alice") is AgentState.DIALING
        await engine.tick()
        assert engine.campaigns[cid].counters.attempts == 1
        dialing = await b.agent_view("alice")
        assert dialing.preview is not None
        assert dialing.preview.lead.lead_id == first.lead_id  # still on screen while it rings
        await rig.until(lambda: _either(rig, "alice"))
        if await rig.state("alice") is AgentState.IN_CALL:
            call = (await b.agent_view("alice")).call
            assert call is not None
            assert call.lead.lead_id == first.lead_id
            await b.hang_up("alice", call.call_id)
            await rig.until(lambda: _in(rig, "alice", AgentState.WRAP_UP))
            await b.disposition("alice", call.call_id, DispositionInput("not_interested"))
        else:  # unanswered: the outcome is shown with the next lead
            assert (await b.agent_view("alice")).notice is not None
        await rig.until(lambda: _previewing(rig, "alice"))
        second = (await b.agent_view("alice")).preview
        assert second is not None
        assert second.lead.lead_id != first.lead_id
        await b.preview_skip("alice", second.lead.lead_id)
        await rig.until(lambda: _previewing(rig, "alice"))
        third = (await b.agent_view("alice")).preview
        assert third is not None
        assert third.lead.lead_id not in (first.lead_id, second.lead.lead_id)
        assert engine.campaigns[cid].counters.attempts == 1  # a skip is not a call

        await b.set_dial_mode(cid, "progressive")  # the lead on screen is given back
        assert (await b.agent_view("alice")).preview is None
        assert await rig.state("alice") in (AgentState.READY, AgentState.RESERVED)

    rig.clock.run(scenario())


async def _on_call(rig: Rig, agent: str) -> bool:
    return await rig.state(agent) is AgentState.IN_CALL


async def _either(rig: Rig, agent: str) -> bool:
    return await _previewing(rig, agent) or await _on_call(rig, agent)


def test_pausing_with_a_preview_lead_gives_it_to_the_next_agent(rig: Rig) -> None:
    async def scenario() -> None:
        b, cid = rig.backend, rig.campaign_id
        await b.set_dial_mode(cid, "preview")
        await b.agent_login("alice", [cid])
        await b.agent_ready("alice")
        await rig.until(lambda: _previewing(rig, "alice"))
        lead = (await b.agent_view("alice")).preview
        assert lead is not None
        await b.agent_pause("alice", "break")
        assert (await b.agent_view("alice")).preview is None
        await b.agent_login("bob", [cid])
        await b.agent_ready("bob")
        await rig.until(lambda: _previewing(rig, "bob"))
        taken = (await b.agent_view("bob")).preview
        assert taken is not None
        assert taken.lead.lead_id == lead.lead.lead_id
        await b.agent_logout("bob")  # leaving with a lead on screen gives it back too
        assert rig.runtime.engine.preview.offers == {}

    rig.clock.run(scenario())


def test_an_agent_whose_line_dropped_reconnects_with_ready(rig: Rig) -> None:
    """The real engine hears the simulated carrier's ``AgentLineClosed``; the console's ready
    opens the line again."""

    async def scenario() -> None:
        b = rig.backend
        carrier = rig.runtime.engine.carrier
        assert isinstance(carrier, SimulatedCarrier)
        await b.agent_login("alice", [rig.campaign_id])
        carrier.drop_agent_line("alice")
        await rig.clock.sleep(0.1)
        view = await b.agent_view("alice")
        assert (view.state, view.pause_code) == (AgentState.PAUSED, "line_dropped")
        await b.agent_ready("alice")  # the Ready button: reconnects first
        await rig.until(lambda: _in(rig, "alice", AgentState.IN_CALL))

    rig.clock.run(scenario())
