"""Preview mode on the engine, step by step through a scripted carrier in virtual time: offers,
dial (gate checked right before the call), skip, denial, release, time-out, crash recovery."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from campaigns.enums import DialMode, LeadStatus
from campaigns.models import Lead
from compliance.api import CampaignFacts, Decision, LeadFacts, Reason
from dialer.agents.state import AgentState
from dialer.carriers.base import AnswerKind, EndReason
from dialer.clock import VirtualClock
from dialer.engine.bus import PreviewPop
from dialer.engine.demo_data import DemoSpec, create_demo_campaign
from dialer.engine.models import CallRow
from dialer.engine.preview import TIMEOUT_PAUSE
from dialer.engine.preview_models import PreviewDecisionRow
from dialer.engine.wiring import Runtime
from dialer.errors import ConflictError
from dialer.storage import make_engine, session_factory, upgrade
from tests.dialer.engine.scripted import ScriptedCarrier, scripted_runtime

START = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
Scenario = Callable[[Runtime, ScriptedCarrier, VirtualClock], Awaitable[None]]


@pytest.fixture
def db(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine)
    with session_factory(engine).begin() as s:
        spec = DemoSpec(name="Preview", leads=4, dial_mode=DialMode.PREVIEW)
        create_demo_campaign(s, spec, START)
    yield engine
    engine.dispose()


def _runtime(db: Engine, clock: VirtualClock, carrier: ScriptedCarrier) -> Runtime:
    return scripted_runtime(db, clock, carrier, owner="prv")


def _run(db: Engine, scenario: Scenario, *, stop: bool = True) -> Runtime:
    with VirtualClock(START) as clock:
        carrier = ScriptedCarrier()
        runtime = _runtime(db, clock, carrier)

        async def main() -> None:
            runtime.engine.add_campaign(1)
            await runtime.engine.start()
            await scenario(runtime, carrier, clock)
            runtime.engine.writes.flush()
            if stop:
                await runtime.engine.stop(drain_s=0.0)

        clock.run(main())
    return runtime


def _decisions(db: Engine) -> list[tuple[str, int, str, str | None]]:
    with session_factory(db)() as s:
        rows = s.scalars(select(PreviewDecisionRow).order_by(PreviewDecisionRow.id)).all()
        return [(r.decision, r.lead_id, r.agent_id, r.call_id) for r in rows]


def _lead(db: Engine, lead_id: int) -> Lead:
    with session_factory(db)() as s:
        lead = s.get(Lead, lead_id)
        assert lead is not None
        return lead


def _offered(rt: Runtime, agent: str) -> int:
    offer = rt.engine.preview.offers.get(agent)
    assert offer is not None, f"{agent} has no preview lead"
    return offer.lead.id


def test_a_ready_agent_sees_a_lead_dials_it_and_is_bridged_on_answer(db: Engine) -> None:
    pops: list[PreviewPop] = []
    seen: dict[str, object] = {}

    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        rt.engine.bus.subscribe(PreviewPop, pops.append)
        await rt.desk.login("ann", [1])
        await rt.engine.tick()
        assert carrier.placed == []  # nothing is dialed before the agent decides
        assert rt.engine.agents["ann"].state is AgentState.PREVIEW
        lead = _offered(rt, "ann")
        seen["lead"] = lead
        rt.desk.dial("ann", lead)
        with pytest.raises(ConflictError):
            rt.desk.skip("ann", lead)  # too late: the call is being placed
        await rt.engine.tick()
        assert len(carrier.placed) == 1
        assert rt.engine.agents["ann"].state is AgentState.RESERVED
        await clock.sleep(20)  # ringing a long time: the reserved agent waits, no abandon
        await carrier.answer("c1", clock.now())
        assert rt.engine.agents["ann"].state is AgentState.ON_CALL
        assert carrier.actions == [("bridge", "c1", "ann")]
        await clock.sleep(60)
        await carrier.end("c1", clock.now())
        rt.desk.disposition("ann", "sale")
        await rt.engine.tick()
        assert rt.engine.agents["ann"].state is AgentState.PREVIEW  # the next lead
        assert _offered(rt, "ann") != lead

    _run(db, scenario)
    lead = seen["lead"]
    assert [p.lead_id for p in pops][:1] == [lead]
    assert pops[0].lead["phone"] == _lead(db, int(lead)).phone  # type: ignore[arg-type]
    with session_factory(db)() as s:
        call = s.scalars(select(CallRow)).one()
    assert (call.lead_id, call.agent_id, call.disposition) == (lead, "ann", "sale")
    decisions = _decisions(db)
    assert decisions[:2] == [("offered", lead, "ann", None), ("dialed", lead, "ann", call.id)]
    assert decisions[-1][0] == "released"  # the second offer, when the engine stopped
    assert _lead(db, int(lead)).attempts == 1  # type: ignore[arg-type]


def test_a_skip_keeps_the_attempts_reschedules_the_lead_and_offers_the_next(db: Engine) -> None:
    seen: list[int] = []

    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        await rt.desk.login("ann", [1])
        await rt.engine.tick()
        seen.append(_offered(rt, "ann"))
        with pytest.raises(ConflictError):
            rt.desk.skip("ann", seen[0] + 100)  # not the lead on screen
        rt.desk.skip("ann", seen[0])
        assert rt.engine.agents["ann"].state is AgentState.READY
        await rt.engine.tick()
        seen.append(_offered(rt, "ann"))

    _run(db, scenario)
    skipped, second = seen
    assert skipped != second
    lead = _lead(db, skipped)
    assert (lead.status, lead.attempts, lead.lease_owner) == (LeadStatus.RETRY, 0, None)
    assert lead.next_eligible_at == START + timedelta(hours=1)
    assert _decisions(db)[:3] == [
        ("offered", skipped, "ann", None),
        ("skipped", skipped, "ann", None),
        ("offered", second, "ann", None),
    ]


class _SwitchGate:
    """Allows until told to deny (the lead was fine when claimed, not when dialed)."""

    def __init__(self) -> None:
        self.deny = False

    def check(self, lead: LeadFacts, campaign: CampaignFacts, at: datetime) -> Decision:
        if self.deny:
            reason = Reason("dnc.company", "test", "on the company do-not-call list", False)
            return Decision(False, (reason,), at)
        return Decision(True, (Reason("ok", "test", "fine", True),), at)


def test_the_gate_decides_right_before_the_call_and_a_denial_is_shown(db: Engine) -> None:
    seen: list[int] = []

    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        gate = _SwitchGate()
        rt.engine.gate = gate
        await rt.desk.login("ann", [1])
        await rt.engine.tick()
        seen.append(_offered(rt, "ann"))
        gate.deny = True  # e.g. the number was put on the company list meanwhile
        rt.desk.dial("ann", seen[0])
        await rt.engine.tick()
        assert carrier.placed == []
        notice = rt.engine.preview.notices["ann"]
        assert "not dialed" in notice
        assert "do-not-call" in notice
        seen.append(_offered(rt, "ann"))  # the next lead, in the same tick

    _run(db, scenario)
    denied, second = seen
    assert denied != second
    lead = _lead(db, denied)
    assert (lead.status, lead.attempts, lead.lease_owner) == (LeadStatus.NOT_DIALABLE, 0, None)
    decisions = _decisions(db)
    assert decisions[1] == ("denied", denied, "ann", None)


def test_an_unanswered_preview_call_frees_the_agent_with_its_outcome(db: Engine) -> None:
    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        await rt.desk.login("ann", [1])
        await rt.engine.tick()
        rt.desk.dial("ann", _offered(rt, "ann"))
        await rt.engine.tick()
        await carrier.end("c1", clock.now(), EndReason.NO_ANSWER)
        assert rt.engine.agents["ann"].state is AgentState.READY
        assert rt.engine.preview.notices["ann"].endswith("no answer")
        await rt.engine.tick()
        rt.desk.dial("ann", _offered(rt, "ann"))
        await rt.engine.tick()
        await carrier.answer("c2", clock.now(), AnswerKind.MACHINE)  # per the campaign
        assert carrier.actions == [("hangup", "c2", "")]
        await carrier.end("c2", clock.now())
        assert rt.engine.agents["ann"].state is AgentState.READY
        assert rt.engine.preview.notices["ann"].endswith("machine")

    _run(db, scenario)
    with session_factory(db)() as s:
        calls = s.scalars(select(CallRow).order_by(CallRow.created_at, CallRow.id)).all()
    assert [c.disposition for c in calls] == ["no_answer", "machine"]


def test_a_paused_agents_lead_goes_to_the_next_agent(db: Engine) -> None:
    seen: list[int] = []

    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        await rt.desk.login("ann", [1])
        await rt.engine.tick()
        seen.append(_offered(rt, "ann"))
        rt.desk.pause("ann", "coffee")
        await rt.desk.login("bob", [1])
        await rt.engine.tick()
        seen.append(_offered(rt, "bob"))
        await rt.desk.logout("ann")

    _run(db, scenario)
    assert seen[0] == seen[1]  # released, still leased, offered again at once
    decisions = _decisions(db)
    assert decisions[1][0] == "released"
    assert decisions[2] == ("offered", seen[0], "bob", None)


def test_an_undecided_offer_times_out_and_pauses_the_agent(db: Engine) -> None:
    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        await rt.desk.login("ann", [1])
        await rt.engine.tick()
        await clock.sleep(rt.engine.preview.policy.offer_timeout_s + 1)
        await rt.engine.tick()
        agent = rt.engine.agents["ann"]
        assert (agent.state, agent.pause_code) == (AgentState.PAUSED, TIMEOUT_PAUSE)
        assert rt.engine.preview.offers == {}

    _run(db, scenario)
    assert [d[0] for d in _decisions(db)] == ["offered", "released"]


def test_a_crash_leaves_no_offered_lead_claimed(db: Engine) -> None:
    seen: list[int] = []

    async def offer(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        await rt.desk.login("ann", [1])
        await rt.engine.tick()
        seen.append(_offered(rt, "ann"))

    _run(db, offer, stop=False)  # the process dies with the lead on screen
    assert _lead(db, seen[0]).lease_owner == "prv"

    async def restart(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        lead = _lead(db, seen[0])
        assert lead.lease_owner is None  # recovery gave it back
        assert lead.status == LeadStatus.NEW

    _run(db, restart, stop=False)
    decisions = _decisions(db)
    assert decisions == [
        ("offered", seen[0], "ann", None),
        ("released", seen[0], "ann", None),
    ]
