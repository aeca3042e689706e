"""Contract: every request the carrier sends is one Twilio's OpenAPI spec allows."""

from __future__ import annotations

import pytest

from dialer.carriers.base import OriginateRequest
from dialer.carriers.twilio import MIN_RING_TIMEOUT_S, STATUS_EVENTS
from tests.dialer.carriers.twilio.harness import (
    ACCOUNT_SID,
    AGENT_CALLER_ID,
    CALLER_ID,
    twilio_world,
)
from tests.fakes.twilio_fake import Callee, OpenApiContract

CALLS = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json"


@pytest.fixture(scope="module")
def contract() -> OpenApiContract:
    return OpenApiContract.load()


async def test_every_carrier_request_is_allowed_by_the_spec(contract: OpenApiContract) -> None:
    async with twilio_world() as w:
        w.fake.callees["+14155554001"] = Callee(talk_s=None)
        await w.carrier.agent_login("a1", "client:a1")
        sid = await w.carrier.originate(
            OriginateRequest(to="+14155554001", caller_id=CALLER_ID, ring_timeout_s=5)
        )
        await w.fake.wait(lambda: w.fake.calls[sid].status == "in-progress")
        await w.fake.wait(lambda: w.engine.kinds(sid)[-1:] == ["CallAnswered"])
        await w.carrier.play_message(sid, "Please hold.", hangup_after=False)
        await w.carrier.bridge(sid, "a1")
        assert await w.carrier.active_calls() == [sid]
        await w.carrier.hangup(sid)
        await w.carrier.agent_logout("a1")
        await w.carrier.rest.fetch_account()
        await w.carrier.rest.caller_ids()
        await w.until_ended(sid)
        kinds = {(r.method, r.path.rsplit("/", 1)[-1]) for r in w.fake.requests}
        assert len(w.fake.requests) >= 10
        for rec in w.fake.requests:
            assert contract.check(rec.method, rec.path, rec.query, rec.form) == []
        assert ("POST", "Calls.json") in kinds
        assert ("GET", "IncomingPhoneNumbers.json") in kinds


async def test_a_call_is_created_with_ring_timeout_amd_and_status_events() -> None:
    async with twilio_world() as w:
        w.fake.callees["+14155554002"] = Callee(outcome="busy")
        request = OriginateRequest(to="+14155554002", caller_id=CALLER_ID, ring_timeout_s=5)
        await w.carrier.originate(request)
        fields = next(r for r in w.fake.requests if r.path == CALLS).fields()
        assert fields["From"] == [CALLER_ID]
        assert fields["Timeout"] == [str(MIN_RING_TIMEOUT_S)]
        assert fields["MachineDetection"] == ["DetectMessageEnd"]
        assert fields["AsyncAmd"] == ["true"]
        assert fields["AsyncAmdStatusCallback"] == [f"{w.public_url}/twilio/amd"]
        assert fields["StatusCallback"] == [f"{w.public_url}/twilio/status"]
        assert fields["StatusCallbackEvent"] == STATUS_EVENTS
        assert fields["Url"] == [f"{w.public_url}/twilio/answer?amd=1"]


async def test_the_default_ring_timeout_is_the_campaigns() -> None:
    async with twilio_world() as w:
        w.fake.callees["+14155554003"] = Callee(outcome="busy")
        await w.carrier.originate(OriginateRequest(to="+14155554003", caller_id=CALLER_ID))
        fields = next(r for r in w.fake.requests if r.path == CALLS).fields()
        assert fields["Timeout"] == ["25"]
        assert "MachineDetection" in fields


async def test_agent_lines_dial_the_agents_own_conference() -> None:
    async with twilio_world() as w:
        await w.carrier.agent_login("a7", "client:a7")
        fields = next(r for r in w.fake.requests if r.path == CALLS).fields()
        assert fields["To"] == ["client:a7"]
        assert fields["From"] == [AGENT_CALLER_ID]
        assert "agent-a7</Conference>" in fields["Twiml"][0]
        assert 'endConferenceOnExit="true"' in fields["Twiml"][0]


async def test_the_fake_refuses_a_request_the_spec_does_not_allow() -> None:
    async with twilio_world() as w:
        assert w.fake.http is not None
        base = w.carrier.config.api_base
        response = await w.fake.http.post(
            base + CALLS,
            data={"To": "+14155554004", "Form": CALLER_ID},
            auth=(ACCOUNT_SID, w.carrier.config.auth_token),
        )
        assert response.status_code == 400
        assert any("missing required field From" in v for v in w.fake.violations)
        assert any("unknown form field Form" in v for v in w.fake.violations)
        w.fake.violations.clear()


@pytest.mark.parametrize(
    ("method", "path", "query", "form", "problem"),
    [
        ("POST", CALLS, [], [("To", "+1"), ("From", "+2"), ("Timeout", "soon")], "not an integer"),
        ("POST", CALLS, [], [("To", "+1"), ("From", "+2"), ("Method", "PUT")], "not one of"),
        ("POST", CALLS, [], [("To", "+1"), ("From", "+2"), ("Url", "answer")], "http(s) URL"),
        ("POST", CALLS, [], [("To", "+1"), ("From", "+2"), ("From", "+3")], "repeated"),
        ("POST", CALLS.replace(ACCOUNT_SID, "AC12"), [], [("To", "+1"), ("From", "+2")], "match"),
        ("GET", CALLS, [("Colour", "red")], [], "unknown query parameter"),
        ("DELETE", CALLS, [], [], "method not in the spec"),
        ("POST", "/2010-04-01/Calls.json", [], [], "no such path"),
        ("POST", CALLS.replace("Calls.json", "Calls/CA12.json"), [], [("Status", "x")], "match"),
    ],
)
def test_the_validator_finds_each_kind_of_violation(
    contract: OpenApiContract,
    method: str,
    path: str,
    query: list[tuple[str, str]],
    form: list[tuple[str, str]],
    problem: str,
) -> None:
    problems = contract.check(method, path, query, form)
    assert any(problem in p for p in problems), problems
