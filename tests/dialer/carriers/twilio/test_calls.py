"""Behaviour: real client, our webhook server and the fake Twilio, all on 127.0.0.1."""

from __future__ import annotations

import pytest

from dialer.carriers.base import (
    AgentLineClosed,
    AnswerKind,
    CallAnswered,
    EndReason,
    KeyPressed,
    OriginateRequest,
)
from dialer.errors import AgentLineClosedError
from tests.dialer.carriers.twilio.harness import (
    CALLER_ID,
    SAFE_HARBOR,
    VOICEMAIL,
    World,
    twilio_world,
)
from tests.fakes.twilio_fake import Callee, FakeCall


def _call(to: str, *, amd: bool = False) -> OriginateRequest:
    return OriginateRequest(to=to, caller_id=CALLER_ID, detect_machine=amd)


async def test_answered_call_is_bridged_into_the_agents_conference() -> None:
    async with twilio_world() as w:
        await w.carrier.agent_login("a1", "client:a1")
        w.engine.free_agents.append("a1")
        sid = await w.carrier.originate(_call("+14155551001"))
        ended = await w.until_ended(sid)
        assert ended.reason is EndReason.COMPLETED
        assert w.fake.calls[sid].joined == ["agent-a1"]
        assert w.engine.bridged == {sid: "a1"}
        assert w.engine.kinds(sid) == ["CallRinging", "CallAnswered", "CallEnded"]
        agent_leg = next(c for c in w.fake.calls.values() if c.to == "client:a1")
        assert agent_leg.conference == "agent-a1"
        assert not agent_leg.ended
        assert w.engine.free_agents == ["a1"]


async def test_with_machine_detection_a_human_is_bridged_after_the_amd_result() -> None:
    async with twilio_world() as w:
        await w.carrier.agent_login("a1", None)
        w.engine.free_agents.append("a1")
        sid = await w.carrier.originate(_call("+14155551002", amd=True))
        await w.until_ended(sid)
        answered = [e for e in w.engine.of(sid) if isinstance(e, CallAnswered)]
        assert [a.kind for a in answered] == [AnswerKind.HUMAN]
        assert w.fake.calls[sid].joined == ["agent-a1"]
        update = [r for r in w.fake.requests if r.path.endswith(f"/Calls/{sid}.json")]
        assert "<Conference" in update[0].fields()["Twiml"][0]


@pytest.mark.parametrize(("action", "heard"), [("hangup", []), ("voicemail", [VOICEMAIL])])
async def test_a_machine_is_reported_and_handled_as_the_engine_decides(
    action: str, heard: list[str]
) -> None:
    async with twilio_world() as w:
        w.engine.machine_action = action
        w.engine.free_agents.append("a1")
        w.fake.callees["+14155551003"] = Callee(outcome="machine", talk_s=None)
        sid = await w.carrier.originate(_call("+14155551003", amd=True))
        ended = await w.until_ended(sid)
        assert ended.reason is EndReason.COMPLETED
        answered = [e for e in w.engine.of(sid) if isinstance(e, CallAnswered)]
        assert [a.kind for a in answered] == [AnswerKind.MACHINE]
        assert w.fake.calls[sid].heard == heard
        assert w.fake.calls[sid].joined == []
        assert w.engine.free_agents == ["a1"]


async def test_with_no_agent_free_the_abandoned_call_hears_the_safe_harbor_message() -> None:
    async with twilio_world() as w:
        w.fake.callees["+14155551004"] = Callee(talk_s=None)
        sid = await w.carrier.originate(_call("+14155551004"))
        ended = await w.until_ended(sid)
        assert ended.reason is EndReason.COMPLETED
        assert w.engine.abandoned == [sid]
        assert w.fake.calls[sid].heard == [SAFE_HARBOR]
        assert w.fake.calls[sid].joined == []


async def test_a_key_press_during_the_message_opts_out() -> None:
    async with twilio_world() as w:
        w.fake.callees["+14155551005"] = Callee(talk_s=None, press="9")
        sid = await w.carrier.originate(_call("+14155551005"))
        await w.until_ended(sid)
        keys = [e for e in w.engine.of(sid) if isinstance(e, KeyPressed)]
        assert [k.digits for k in keys] == ["9"]
        assert w.engine.opted_out == [sid]
        assert w.engine.kinds(sid) == ["CallRinging", "CallAnswered", "KeyPressed", "CallEnded"]


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        ("busy", EndReason.BUSY),
        ("no-answer", EndReason.NO_ANSWER),
        ("failed", EndReason.FAILED),
    ],
)
async def test_unanswered_calls_end_with_their_reason(outcome: str, reason: EndReason) -> None:
    async with twilio_world() as w:
        w.fake.callees["+14155551006"] = Callee(outcome=outcome)
        sid = await w.carrier.originate(_call("+14155551006", amd=True))
        ended = await w.until_ended(sid)
        assert ended.reason is reason
        assert w.engine.kinds(sid) == ["CallRinging", "CallEnded"]


async def test_hangup_while_ringing_cancels_and_a_second_hangup_is_a_no_op() -> None:
    async with twilio_world() as w:
        w.fake.callees["+14155551007"] = Callee(outcome="no-answer")
        sid = await w.carrier.originate(_call("+14155551007"))
        await w.fake.wait(lambda: w.engine.kinds(sid) == ["CallRinging"])
        await w.carrier.hangup(sid)
        ended = await w.until_ended(sid)
        assert ended.reason is EndReason.CANCELED
        sent = len(w.fake.requests)
        await w.carrier.hangup(sid)
        assert len(w.fake.requests) == sent


async def _open_line(w: World, agent: str, phone: str) -> FakeCall:
    """Log ``agent`` in on ``phone`` (who answers and stays); their leg, once in conference."""
    await w.carrier.agent_login(agent, phone)
    w.fake.callees[phone] = Callee(talk_s=None)
    leg = next(c for c in w.fake.calls.values() if c.to == phone and not c.ended)
    await w.fake.wait(lambda: leg.conference == f"agent-{agent}")
    return leg


async def test_agent_logout_closes_the_agents_line() -> None:
    async with twilio_world() as w:
        leg = await _open_line(w, "a2", "+14155550142")
        await w.carrier.agent_logout("a2")
        await w.fake.wait(lambda: leg.ended)
        assert "agent-a2" not in w.fake.conferences
        await w.fake.wait(
            lambda: any(
                "agent=a2" in p.url and p.params["CallStatus"] == "completed"
                for p in w.fake.webhooks
            )
        )
        assert not [e for e in w.engine.events if isinstance(e, AgentLineClosed)]  # we closed it


async def test_an_agents_line_that_drops_is_reported_and_refuses_bridges() -> None:
    async with twilio_world() as w:
        leg = await _open_line(w, "a3", "+14155550143")
        await w.fake.end_call(leg, "completed")  # the agent hung up their phone
        await w.fake.wait(lambda: any(isinstance(e, AgentLineClosed) for e in w.engine.events))
        (closed,) = [e for e in w.engine.events if isinstance(e, AgentLineClosed)]
        assert closed.agent_id == "a3"
        assert "completed" in closed.detail
        with pytest.raises(AgentLineClosedError):
            await w.carrier.bridge("CA" + "0" * 32, "a3")
        again = await _open_line(w, "a3", "+14155550143")  # reconnecting dials it again
        assert again is not leg


async def test_active_calls_lists_live_calls_but_not_agent_lines() -> None:
    async with twilio_world() as w:
        await w.carrier.agent_login("a1", None)
        w.fake.callees["+14155551008"] = Callee(outcome="no-answer")
        sid = await w.carrier.originate(_call("+14155551008"))
        await w.fake.wait(lambda: w.fake.calls[sid].status == "ringing")
        assert await w.carrier.active_calls() == [sid]


async def test_a_redirect_racing_the_answer_webhook_wins() -> None:
    """The detection result (and the message it triggers) may beat the answer webhook's reply
    at the fake; the message must still play and its key press be heard."""
    async with twilio_world() as w:
        numbers = [f"+1415555120{i}" for i in range(4)]
        for number in numbers:
            w.fake.callees[number] = Callee(amd_s=0.0, talk_s=None, press="9")
        sids = [await w.carrier.originate(_call(n, amd=True)) for n in numbers]
        for sid in sids:
            await w.until_ended(sid)
        assert sorted(w.engine.opted_out) == sorted(sids)
        assert all(w.fake.calls[sid].heard == [SAFE_HARBOR] for sid in sids)
