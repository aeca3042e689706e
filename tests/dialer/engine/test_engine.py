"""The engine driven step by step through a scripted carrier, in virtual time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from campaigns.enums import LeadStatus
from campaigns.models import Lead
from compliance.api import CampaignFacts, Decision, LeadFacts, Reason
from compliance.dnc.models import DncEntry
from dialer.agents.state import AgentState
from dialer.clock import VirtualClock
from dialer.engine.bus import ScreenPop
from dialer.engine.calls import CallState
from dialer.engine.demo_data import DemoSpec, create_demo_campaign
from dialer.engine.desk import LINE_DROPPED
from dialer.engine.models import CallbackRow, CallEventRow, CallRow
from dialer.engine.wiring import MemoryAbandonBudget, Runtime
from dialer.errors import ConflictError
from dialer.storage import make_engine, session_factory, upgrade
from tests.dialer.engine.scripted import ScriptedCarrier, scripted_runtime

START = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)


@pytest.fixture
def db(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine)
    with session_factory(engine).begin() as s:
        create_demo_campaign(s, DemoSpec(name="Steps", leads=3), START)
    yield engine
    engine.dispose()


Scenario = Callable[[Runtime, ScriptedCarrier, VirtualClock], Awaitable[None]]


def _run(db: Engine, scenario: Scenario) -> Runtime:
    with VirtualClock(START) as clock:
        carrier = ScriptedCarrier()
        runtime = scripted_runtime(db, clock, carrier)

        async def main() -> None:
            runtime.engine.add_campaign(1)
            await runtime.engine.start()
            await scenario(runtime, carrier, clock)
            runtime.engine.writes.flush()

        clock.run(main())
    return runtime


def _call(db: Engine, carrier_id: str) -> CallRow:
    with session_factory(db)() as s:
        return s.scalars(select(CallRow).where(CallRow.carrier_call_id == carrier_id)).one()


def test_a_live_answer_without_agent_is_abandoned_with_the_safe_harbor_message(db: Engine) -> None:
    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        await rt.desk.login("ann", [1])
        await rt.engine.tick()  # one ready agent: progressive places one call
        assert len(carrier.placed) == 1
        rt.desk.pause("ann", "coffee")
        await carrier.answer("c1", clock.now())
        await clock.sleep(1.9)
        assert not [a for a in carrier.actions if a[0] == "message"]
        await clock.sleep(0.2)  # 2 s after the answer: abandoned
        assert [a[0] for a in carrier.actions] == ["message"]
        await carrier.press("c1", clock.now(), "9")  # opt-out during the message
        await carrier.end("c1", clock.now())

    rt = _run(db, scenario)
    row = _call(db, "c1")
    assert row.abandoned
    assert row.safe_harbor_played
    assert row.state == CallState.COMPLETED
    assert row.disposition == "do_not_call"
    with session_factory(db)() as s:
        assert s.scalars(select(DncEntry.phone)).all() == [row.phone]
        assert s.get(Lead, row.lead_id).status == LeadStatus.DNC  # type: ignore[union-attr]
        states = s.scalars(
            select(CallEventRow.state)
            .where(CallEventRow.call_id == row.id)
            .order_by(CallEventRow.id)
        ).all()
    assert states[:4] == ["created", "dialing", "answered_human", "abandoned"]
    budget = rt.engine.budget
    assert isinstance(budget, MemoryAbandonBudget)
    assert budget.remaining(1, START + timedelta(hours=1), 0.03) < 0


def test_a_failed_bridge_abandons_the_waiting_callee_with_the_message(db: Engine) -> None:
    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        await rt.desk.login("ann", [1])
        await rt.engine.tick()
        carrier.refuse_bridges = True
        await carrier.answer("c1", clock.now())
        await clock.sleep(0.1)
        assert [a[0] for a in carrier.actions] == ["message"]  # at once, not left in silence
        assert rt.engine.agents["ann"].state is AgentState.READY
        await carrier.end("c1", clock.now())

    _run(db, scenario)
    row = _call(db, "c1")
    assert row.abandoned
    assert row.safe_harbor_played
    assert row.agent_id is None


def test_an_agent_whose_line_drops_is_paused_until_they_reconnect(db: Engine) -> None:
    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        await rt.desk.login("ann", [1])
        await clock.sleep(5)
        await rt.desk.login("bob", [1])
        await carrier.drop_line("ann", clock.now())  # she hung up her phone
        ann = rt.engine.agents["ann"]
        assert (ann.state, ann.pause_code) == (AgentState.PAUSED, LINE_DROPPED)
        with pytest.raises(ConflictError, match="reconnect"):
            rt.desk.ready("ann")
        await rt.engine.tick()
        await carrier.answer("c1", clock.now())
        assert [a for a in carrier.actions if a[0] == "bridge"] == [("bridge", "c1", "bob")]
        await rt.desk.reconnect("ann")
        assert carrier.logins == ["ann", "bob", "ann"]  # her line dialed again
        assert (ann.state, ann.line_open) == (AgentState.READY, True)
        await carrier.end("c1", clock.now())

    _run(db, scenario)


def test_a_bridge_refused_for_a_dropped_line_goes_to_the_next_agent(db: Engine) -> None:
    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        await rt.desk.login("ann", [1])
        await clock.sleep(5)
        await rt.desk.login("bob", [1])
        await rt.engine.tick()
        carrier.closed_lines.add("ann")  # dropped; the carrier's event has not come yet
        await carrier.answer("c1", clock.now())
        assert [a for a in carrier.actions if a[0] == "bridge"] == [("bridge", "c1", "bob")]
        ann = rt.engine.agents["ann"]
        assert (ann.state, ann.pause_code) == (AgentState.PAUSED, LINE_DROPPED)
        assert rt.engine.agents["bob"].state is AgentState.ON_CALL
        await carrier.end("c1", clock.now())

    _run(db, scenario)
    row = _call(db, "c1")
    assert not row.abandoned
    assert row.agent_id == "bob"


def test_with_no_other_agent_the_callee_waits_out_the_grace_for_one(db: Engine) -> None:
    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        await rt.desk.login("ann", [1])
        await rt.engine.tick()
        carrier.closed_lines.add("ann")
        await carrier.answer("c1", clock.now())
        await clock.sleep(1.0)
        assert carrier.actions == []  # neither bridged nor given the message yet
        await rt.desk.login("bob", [1])  # within the 2 s: he takes the waiting callee
        await clock.sleep(0.1)
        assert carrier.actions == [("bridge", "c1", "bob")]
        await carrier.end("c1", clock.now())

    _run(db, scenario)
    assert not _call(db, "c1").abandoned


def test_an_agent_whose_line_drops_on_a_call_is_paused_after_the_wrap_up(db: Engine) -> None:
    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        await rt.desk.login("ann", [1])
        await rt.engine.tick()
        await carrier.answer("c1", clock.now())
        ann = rt.engine.agents["ann"]
        await carrier.drop_line("ann", clock.now())
        assert ann.state is AgentState.ON_CALL  # the call's own end comes from the carrier
        await carrier.end("c1", clock.now())
        assert ann.state is AgentState.WRAP_UP
        rt.desk.disposition("ann", "do_not_call")
        assert (ann.state, ann.pause_code) == (AgentState.PAUSED, LINE_DROPPED)

    _run(db, scenario)


def test_a_live_answer_goes_to_the_longest_idle_agent_with_a_screen_pop(db: Engine) -> None:
    pops: list[ScreenPop] = []

    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        rt.engine.bus.subscribe(ScreenPop, pops.append)
        await rt.desk.login("ann", [1])
        await clock.sleep(5)
        await rt.desk.login("bob", [1])
        await rt.engine.tick()
        await carrier.answer("c1", clock.now())
        assert rt.engine.agents["ann"].state is AgentState.ON_CALL  # idle longest
        assert rt.engine.agents["bob"].state is AgentState.READY
        await clock.sleep(30)
        await carrier.end("c1", clock.now())
        assert rt.engine.agents["ann"].state is AgentState.WRAP_UP
        rt.desk.disposition("ann", "callback", callback_at=clock.now() + timedelta(days=1))
        assert rt.engine.agents["ann"].state is AgentState.READY

    rt = _run(db, scenario)
    assert [p.agent_id for p in pops] == ["ann"]
    assert pops[0].lead["phone"] == _call(db, "c1").phone
    row = _call(db, "c1")
    assert row.agent_id == "ann"
    assert row.disposition == "callback"
    assert row.conversation
    with session_factory(db)() as s:
        lead = s.get(Lead, row.lead_id)
        assert lead is not None
        assert lead.status == LeadStatus.CALLBACK
        assert lead.callback_agent == "ann"
        assert lead.next_eligible_at == START + timedelta(days=1, seconds=35)
        assert s.scalars(select(CallbackRow.agent_id)).all() == ["ann"]
    assert rt.engine.agents["ann"].seconds_by_state["on_call"] == pytest.approx(30)


def test_a_do_not_call_disposition_lists_the_number_at_once(db: Engine) -> None:
    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        await rt.desk.login("ann", [1])
        await rt.engine.tick()
        await carrier.answer("c1", clock.now())
        await carrier.end("c1", clock.now())
        rt.desk.disposition("ann", "do_not_call")

    _run(db, scenario)
    with session_factory(db)() as s:
        assert s.scalars(select(DncEntry.phone)).all() == [_call(db, "c1").phone]


def test_unknown_dispositions_are_refused(db: Engine) -> None:
    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        await rt.desk.login("ann", [1])
        await rt.engine.tick()
        await carrier.answer("c1", clock.now())
        await carrier.end("c1", clock.now())
        with pytest.raises(Exception, match="unknown disposition"):
            rt.desk.disposition("ann", "bogus")
        rt.desk.disposition("ann", "sale")

    _run(db, scenario)
    assert _call(db, "c1").disposition == "sale"


class _LaterGate:
    def __init__(self, later: datetime) -> None:
        self.later = later

    def check(self, lead: LeadFacts, campaign: CampaignFacts, at: datetime) -> Decision:
        reason = Reason("window", "test", "outside the calling window", False)
        return Decision(False, (reason,), at, next_allowed_at=self.later)


def test_a_denied_lead_is_rescheduled_to_its_next_allowed_time(db: Engine) -> None:
    later = START + timedelta(hours=3)

    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        rt.engine.gate = _LaterGate(later)
        await rt.desk.login("ann", [1])
        await rt.engine.tick()
        assert carrier.placed == []

    _run(db, scenario)
    with session_factory(db)() as s:
        leads = s.scalars(select(Lead)).all()
    assert {lead.next_eligible_at for lead in leads} == {later}
    assert all(lead.lease_owner is None for lead in leads)
    assert all(lead.status_reason and "window" in lead.status_reason for lead in leads)


def test_machines_are_hung_up_and_retried_per_rule(db: Engine) -> None:
    from dialer.carriers.base import AnswerKind

    async def scenario(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        await rt.desk.login("ann", [1])
        await rt.engine.tick()
        await carrier.answer("c1", clock.now(), AnswerKind.MACHINE)
        assert carrier.actions == [("hangup", "c1", "")]
        await carrier.end("c1", clock.now())

    _run(db, scenario)
    row = _call(db, "c1")
    assert row.disposition == "machine"
    with session_factory(db)() as s:
        lead = s.get(Lead, row.lead_id)
        assert lead is not None
        assert lead.status == LeadStatus.RETRY
        assert lead.attempts == 1
        assert lead.next_eligible_at == START + timedelta(hours=4)


def test_recovery_does_not_log_a_call_twice_when_the_log_is_ahead_of_the_call_row(
    db: Engine,
) -> None:
    """A crash after a call was logged but before its row was marked final: the restart closes
    the row and keeps the one call-log record (the log's call id is unique)."""
    from compliance.audit.models import CallLogRow
    from dialer.carriers.base import AnswerKind
    from dialer.engine.recovery import recover

    async def first(rt: Runtime, carrier: ScriptedCarrier, clock: VirtualClock) -> None:
        await rt.desk.login("ann", [1])
        await rt.engine.tick()
        await carrier.answer("c1", clock.now(), AnswerKind.MACHINE)
        await carrier.end("c1", clock.now())

    with VirtualClock(START) as clock:
        carrier = ScriptedCarrier()
        rt = scripted_runtime(db, clock, carrier, persistent=True)

        async def main() -> None:
            rt.engine.add_campaign(1)
            await rt.engine.start()
            await first(rt, carrier, clock)
            rt.engine.writes.flush()
            with session_factory(db).begin() as s:  # the row's final flag never reached disk
                s.execute(CallRow.__table__.update().values(final=False))  # type: ignore[attr-defined]
            assert await recover(rt.engine) == 1

        clock.run(main())
    with session_factory(db)() as s:
        assert s.scalars(select(CallLogRow.call_id)).all() == [_call(db, "c1").id]
        assert _call(db, "c1").final
