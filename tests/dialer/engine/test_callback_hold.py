"""A callback promised to one agent: the engine holds that agent shortly before it is due, shows
them its lead, dials it at the promised time and bridges the answer to them (any dial mode)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from campaigns.enums import DialMode, LeadStatus
from campaigns.models import Lead
from dialer.agents.state import AgentState
from dialer.clock import VirtualClock
from dialer.engine.demo_data import DemoSpec, create_demo_campaign
from dialer.engine.wiring import Runtime
from dialer.storage import make_engine, session_factory, upgrade
from tests.dialer.engine.scripted import ScriptedCarrier, scripted_runtime

START = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)


@pytest.fixture
def db(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine)
    with session_factory(engine).begin() as s:
        create_demo_campaign(
            s, DemoSpec(name="Hold", leads=6, dial_mode=DialMode.PROGRESSIVE), START
        )
    yield engine
    engine.dispose()


async def _until(rt: Runtime, clock: VirtualClock, at: datetime) -> None:
    while clock.now() < at:
        await rt.engine.tick()
        await clock.sleep(1.0)
    await rt.engine.tick()


async def _callback_for_ann(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> datetime:
    """Ann talks to the first lead and promises to call back in 10 minutes; she pauses."""
    await rt.desk.login("ann", [1])
    await rt.engine.tick()
    await carrier.answer("c1", clock.now())
    await carrier.end("c1", clock.now())
    due = clock.now() + timedelta(minutes=10)
    rt.desk.disposition("ann", "callback", callback_at=due, then=AgentState.PAUSED, pause_code="x")
    rt.engine.writes.flush()
    return due


def _run(db: Engine, scenario: object) -> None:
    with VirtualClock(START) as clock:
        carrier = ScriptedCarrier()
        rt = scripted_runtime(db, clock, carrier, owner="cb")

        async def main() -> None:
            rt.engine.add_campaign(1)
            await rt.engine.start()
            await scenario(rt, carrier, clock)  # type: ignore[operator]
            await rt.engine.stop(drain_s=0.0)

        clock.run(main())


def test_the_agent_is_held_and_the_callback_dialed_for_them_when_due(db: Engine) -> None:
    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        due = await _callback_for_ann(rt, carrier, clock)
        rt.desk.ready("ann")  # long before the hold: she takes other calls meanwhile
        await rt.engine.tick()
        assert len(carrier.placed) == 2
        await carrier.end("c2", clock.now())
        await _until(rt, clock, due - timedelta(seconds=110))
        ann = rt.engine.agents["ann"]
        assert ann.state is AgentState.PREVIEW  # held: the callback's lead, no other call
        offer = rt.engine.preview.offers["ann"]
        assert offer.due_at == due
        placed = len(carrier.placed)
        await rt.desk.login("bob", [1], ready=False)
        await _until(rt, clock, due - timedelta(seconds=2))
        assert len(carrier.placed) == placed  # not dialed before the promised time
        await _until(rt, clock, due)
        assert len(carrier.placed) == placed + 1
        assert carrier.placed[-1].to == offer.lead.phone
        assert ann.state is AgentState.RESERVED
        rt.desk.ready("bob")  # a ready agent idle longer does not take it: it is ann's
        call_id = f"c{len(carrier.placed)}"
        await carrier.answer(call_id, clock.now())
        assert ann.state is AgentState.ON_CALL
        assert ("bridge", call_id, "ann") in carrier.actions

    _run(db, scenario)


def test_a_held_agent_who_pauses_gives_the_callback_back_for_its_time(db: Engine) -> None:
    seen: list[int] = []

    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        due = await _callback_for_ann(rt, carrier, clock)
        await _until(rt, clock, due - timedelta(seconds=100))
        rt.desk.ready("ann")
        await rt.engine.tick()
        seen.append(rt.engine.preview.offers["ann"].lead.id)
        rt.desk.pause("ann", "break")
        rt.engine.writes.flush()

    _run(db, scenario)
    with session_factory(db)() as s:
        lead = s.get(Lead, seen[0])
        assert lead is not None
        assert (lead.status, lead.lease_owner, lead.callback_agent) == (
            LeadStatus.CALLBACK,
            None,
            "ann",
        )
