"""End to end: a small campaign run by the REAL engine through ``TwilioCarrier``.

Everything runs on 127.0.0.1 in real time: the fake Twilio (checking every request against the
OpenAPI spec, placing calls that ring, answer, detect machines and hang up, posting signed
callbacks, running our TwiML and honoring conference joins), our webhook server, the carrier and
the engine (dialer.engine.wiring.build) on a database of each back end. One agent is logged in
(their phone leg sits in their own conference); the campaign dials three lines per ready agent,
so a second live answer finds no agent and is abandoned with the safe-harbor message. Forged
callbacks are sent in the middle of a bridged call.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import select

from campaigns.enums import DialMode
from campaigns.models import Campaign
from compliance.dnc.models import DncEntry
from dialer.agents.state import AgentState
from dialer.carriers.twilio import TwilioCarrier, twiml
from dialer.clock import RealClock
from dialer.engine.demo_data import DemoSpec, create_demo_campaign
from dialer.engine.models import CallEventRow, CallRow
from dialer.engine.runtime import EngineOptions
from dialer.engine.wiring import Runtime, build
from dialer.settings import Settings
from dialer.storage import make_engine, session_factory, upgrade
from dialer.web import twilio_runtime
from tests.dialer.carriers.twilio.harness import (
    ACCOUNT_SID,
    AGENT_CALLER_ID,
    AUTH_TOKEN,
    CALLER_ID,
    free_port,
)
from tests.fakes.twilio_fake import Callee, FakeTwilio, serving_fake

SAFE_HARBOR = "This is Acme calling. Call us at 415-555-2671. Press 9 to stop our calls."
FIRST = 4_155_550_300
BRIDGED, OPTS_OUT, MACHINE, BUSY, NO_ANSWER, LATER = (f"+1{FIRST + i}" for i in range(6))
CALLEES = {
    # answers at once, a person (machine detection says so), talks for 2 s
    BRIDGED: Callee(ring_s=0.05, answer_s=0.05, amd_s=0.05, talk_s=2.0),
    # answers 0.4 s later, while the only agent is busy: abandoned; presses 9 in the message
    OPTS_OUT: Callee(ring_s=0.05, answer_s=0.4, amd_s=0.05, talk_s=None, press="9"),
    MACHINE: Callee(outcome="machine", talk_s=None),
    BUSY: Callee(outcome="busy"),
    NO_ANSWER: Callee(outcome="no-answer"),
    # dialed once the agent is free again: a person, bridged unless no agent is ready
    LATER: Callee(ring_s=0.05, answer_s=0.1, amd_s=0.05, talk_s=0.5),
}
AGENT = "a1"


@dataclass
class Stage:
    fake: FakeTwilio
    carrier: TwilioCarrier
    runtime: Runtime
    public_url: str
    campaign_id: int
    db_url: str

    def sid(self, number: str) -> str:
        return next(c.sid for c in self.fake.calls.values() if c.to == number)

    def placed(self, number: str) -> bool:
        return any(c.to == number for c in self.fake.calls.values())


def _campaign(db_url: str) -> int:
    db = make_engine(db_url)
    try:
        upgrade(db)
        with session_factory(db).begin() as session:
            spec = DemoSpec(
                name="Twilio end to end",
                dial_mode=DialMode.POWER,
                caller_id=CALLER_ID,
                leads=len(CALLEES),
                first_number=FIRST,
                max_wrap_s=30,
            )
            campaign_id = create_demo_campaign(session, spec, RealClock().now())
            campaign = session.get(Campaign, campaign_id)
            assert campaign is not None
            campaign.lines_per_agent = 3.0
            campaign.machine_action = "hangup"
            campaign.safe_harbor_message = SAFE_HARBOR
    finally:
        db.dispose()
    return campaign_id


@asynccontextmanager
async def stage(db_url: str) -> AsyncIterator[Stage]:
    campaign_id = _campaign(db_url)
    fake = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN, callees=dict(CALLEES))
    port = free_port()
    async with serving_fake(fake) as api_base:
        settings = Settings(
            database_url=db_url,
            carrier="twilio",
            public_url=f"http://127.0.0.1:{port}",
            twilio_account_sid=ACCOUNT_SID,
            twilio_auth_token=AUTH_TOKEN,
            twilio_api_base=api_base,
            twilio_agent_caller_id=AGENT_CALLER_ID,
            carrier_cps=20.0,
            web_listen=f"127.0.0.1:{port}",
        )
        clock = RealClock()
        # hold_s: a callee waiting for an agent hears 3 s of silence at the fake's pause scale
        async with twilio_runtime(settings, clock, hold_s=60) as (carrier, _):
            runtime = build(
                settings,
                clock=clock,
                carrier=carrier,
                gate="allow_all",  # the callees are fictitious; this test is about the carrier
                options=EngineOptions(owner="e2e", carrier_name="twilio", tick_s=0.1, grace_s=0.5),
                persistent_ledgers=False,
            )
            try:
                yield Stage(fake, carrier, runtime, settings.public_url, campaign_id, db_url)
            finally:
                runtime.close()
    assert fake.violations == []


async def _agent_works(runtime: Runtime, stop: asyncio.Event) -> None:
    """The agent: closes each wrap-up with a sale."""
    while not stop.is_set():
        agent = runtime.engine.agents.get(AGENT)
        if agent is not None and agent.state is AgentState.WRAP_UP:
            runtime.desk.disposition(AGENT, "sale")
        await asyncio.sleep(0.02)


async def _forge(s: Stage) -> list[int]:
    """Forged callbacks about the bridged call, and a forged answer; their HTTP statuses."""
    sid = s.sid(BRIDGED)
    params = {**s.fake.call_params(s.fake.calls[sid]), "CallStatus": "completed"}
    status_url = twiml.webhook_url(s.public_url, twiml.STATUS_PATH)
    gather_url = twiml.webhook_url(s.public_url, twiml.GATHER_PATH)
    amd_url = twiml.webhook_url(s.public_url, twiml.AMD_PATH)
    answer_url = twiml.webhook_url(s.public_url, twiml.ANSWER_PATH, amd="0")
    other_token = FakeTwilio(ACCOUNT_SID, "an-attackers-own-token")
    digits = {**params, "CallStatus": "in-progress", "Digits": "9"}
    machine = {**params, "CallStatus": "in-progress", "AnsweredBy": "machine_start"}
    stranger = {**params, "CallSid": "CA" + "e" * 32, "CallStatus": "in-progress"}
    responses = [
        await s.fake.post_webhook(status_url, params, signature="Zm9yZ2Vk"),
        await s.fake.post_webhook(
            gather_url, digits, signature=other_token.sign(gather_url, digits)
        ),
        await s.fake.post_webhook(amd_url, machine, signature=""),
        await s.fake.post_webhook(answer_url, stranger, signature="x"),
    ]
    return [r.status_code for r in responses]


async def _run_campaign(s: Stage) -> list[int]:
    engine = s.runtime.engine
    engine.add_campaign(s.campaign_id)
    await engine.start()
    await s.runtime.desk.login(AGENT, [s.campaign_id], endpoint=f"client:{AGENT}")
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(engine.run(stop=stop)),
        asyncio.create_task(_agent_works(s.runtime, stop)),
    ]
    try:
        await s.fake.wait(lambda: s.placed(BRIDGED), timeout=10)
        bridged = s.fake.calls[s.sid(BRIDGED)]
        await s.fake.wait(lambda: bridged.conference == f"agent-{AGENT}", timeout=10)
        statuses = await _forge(s)
        assert bridged.conference == f"agent-{AGENT}"  # the forgeries changed nothing
        call = next(c for c in engine.calls.values() if c.carrier_call_id == bridged.sid)
        # the engine marks the call bridged when the carrier's bridge returns: after the REST
        # round trip when the agent came free after the answer webhook (the fake joins first)
        await s.fake.wait(lambda: str(call.state) in ("bridged", "completed"), timeout=10)
        assert call.agent_id == AGENT
        await s.fake.wait(
            lambda: all(s.placed(n) for n in CALLEES) and not engine.calls, timeout=30
        )
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    await s.runtime.desk.logout(AGENT)
    await engine.stop(drain_s=5)
    return statuses


def _rows(db_url: str) -> tuple[dict[str, CallRow], dict[str, list[str]], set[str]]:
    db = make_engine(db_url)
    try:
        with session_factory(db)() as session:
            calls = {row.phone: row for row in session.scalars(select(CallRow))}
            states: dict[str, list[str]] = {}
            for event in session.scalars(select(CallEventRow).order_by(CallEventRow.id)):
                states.setdefault(event.call_id, []).append(event.state)
            dnc = set(session.scalars(select(DncEntry.phone).where(DncEntry.campaign_id.is_(None))))
            session.expunge_all()
    finally:
        db.dispose()
    return calls, states, dnc


async def test_a_campaign_through_twilio_bridges_abandons_refuses_forgeries_and_persists(
    db_url: str,
) -> None:
    async with stage(db_url) as s:
        statuses = await _run_campaign(s)
        fake = s.fake
        truth = {n: fake.calls[s.sid(n)] for n in CALLEES}
        agent_leg = next(c for c in fake.calls.values() if c.to == f"client:{AGENT}")

    assert statuses == [403, 403, 403, 403]
    calls, states, dnc = _rows(db_url)
    assert set(calls) == set(CALLEES)  # every call placed has its record, and no other
    assert {row.carrier_call_id for row in calls.values()} == {c.sid for c in truth.values()}
    assert all(row.final and row.carrier == "twilio" for row in calls.values())
    for row in calls.values():
        assert states[row.id][0] == "created"
        assert states[row.id][-1] == row.state

    bridged = calls[BRIDGED]
    assert (bridged.agent_id, bridged.disposition, bridged.abandoned) == (AGENT, "sale", False)
    assert "bridged" in states[bridged.id]
    assert truth[BRIDGED].joined == [f"agent-{AGENT}"]
    assert truth[BRIDGED].heard == []
    assert agent_leg.joined == [f"agent-{AGENT}"]  # the agent's leg: dialed once, at login

    abandoned = calls[OPTS_OUT]
    assert (abandoned.abandoned, abandoned.safe_harbor_played) == (True, True)
    assert abandoned.agent_id is None
    assert abandoned.disposition == "do_not_call"
    assert truth[OPTS_OUT].heard == [SAFE_HARBOR]
    assert truth[OPTS_OUT].pressed == ["9"]
    assert truth[OPTS_OUT].joined == []
    assert dnc == {OPTS_OUT}  # the opt-out, and not the forged key press on the bridged call

    assert (calls[MACHINE].answered_by, calls[MACHINE].disposition) == ("machine", "machine")
    assert truth[MACHINE].heard == truth[MACHINE].joined == []
    assert (calls[BUSY].state, calls[BUSY].disposition) == ("busy", "busy")
    assert (calls[NO_ANSWER].state, calls[NO_ANSWER].disposition) == ("no_answer", "no_answer")
    later = calls[LATER]
    if later.agent_id is not None:
        assert truth[LATER].joined == [f"agent-{AGENT}"]
    else:
        assert later.abandoned
        assert truth[LATER].heard == [SAFE_HARBOR]
    assert all(c.ended for c in truth.values())
