"""Forged, duplicated and out-of-order webhooks against the running server."""

from __future__ import annotations

import logging

import pytest

from dialer.carriers.base import EndReason, OriginateRequest
from dialer.carriers.twilio import twiml
from tests.dialer.carriers.twilio.harness import AUTH_TOKEN, CALLER_ID, World, twilio_world
from tests.fakes.twilio_fake import Callee
from tests.fakes.twilio_fake.calls import new_sid


def _status(w: World, sid: str, status: str) -> dict[str, str]:
    return {"CallSid": sid, "AccountSid": w.fake.account_sid, "CallStatus": status}


async def test_a_forged_status_callback_is_refused_logged_and_changes_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with twilio_world() as w:
        w.fake.callees["+14155552001"] = Callee(outcome="no-answer")
        sid = await w.carrier.originate(OriginateRequest(to="+14155552001", caller_id=CALLER_ID))
        await w.fake.wait(lambda: w.engine.kinds(sid) == ["CallRinging"])
        url = twiml.webhook_url(w.public_url, twiml.STATUS_PATH)
        params = _status(w, sid, "completed")
        forged = await w.fake.post_webhook(url, params, signature="bm90IGEgc2lnbmF0dXJl")
        unsigned = await w.fake.post_webhook(url, params, signature="")
        tampered_sig = w.fake.sign(url, _status(w, sid, "ringing"))
        tampered = await w.fake.post_webhook(url, params, signature=tampered_sig)
        other_url = await w.fake.post_webhook(
            url, params, signature=w.fake.sign(url + "?x=1", params)
        )
        assert [r.status_code for r in (forged, unsigned, tampered, other_url)] == [403] * 4
        assert w.engine.kinds(sid) == ["CallRinging"]
        assert "refused /twilio/status" in caplog.text
        await w.carrier.hangup(sid)
        await w.until_ended(sid)
    assert AUTH_TOKEN not in caplog.text


async def test_a_forged_answer_gets_no_twiml_and_the_engine_hears_nothing() -> None:
    async with twilio_world() as w:
        sid = new_sid("CA")
        url = twiml.webhook_url(w.public_url, twiml.ANSWER_PATH, amd="0")
        response = await w.fake.post_webhook(url, _status(w, sid, "in-progress"), signature="x")
        assert response.status_code == 403
        assert "<Response" not in response.text
        assert w.engine.events == []


async def test_out_of_order_and_duplicate_status_callbacks_yield_contract_order() -> None:
    async with twilio_world() as w:
        sid = new_sid("CA")
        url = twiml.webhook_url(w.public_url, twiml.STATUS_PATH)
        for status in ("completed", "ringing", "in-progress", "completed", "ringing"):
            response = await w.fake.post_webhook(url, _status(w, sid, status))
            assert response.status_code == 204
        assert w.engine.kinds(sid) == ["CallEnded"]
        answer = twiml.webhook_url(w.public_url, twiml.ANSWER_PATH, amd="0")
        late = await w.fake.post_webhook(answer, _status(w, sid, "in-progress"))
        assert "<Hangup" in late.text
        assert w.engine.kinds(sid) == ["CallEnded"]


async def test_a_retried_answer_webhook_gets_the_same_twiml_and_one_event() -> None:
    async with twilio_world() as w:
        await w.carrier.agent_login("a1", None)
        w.engine.free_agents.append("a1")
        sid = new_sid("CA")
        url = twiml.webhook_url(w.public_url, twiml.ANSWER_PATH, amd="0")
        params = _status(w, sid, "in-progress")
        first = await w.fake.post_webhook(url, params, token="retry-1")
        again = await w.fake.post_webhook(url, params, token="retry-1")
        other = await w.fake.post_webhook(url, params, token="retry-2")
        assert first.text == again.text == other.text
        assert "<Conference" in first.text
        assert w.engine.kinds(sid) == ["CallAnswered"]
        assert w.engine.bridged == {sid: "a1"}


async def test_ringing_after_answer_and_a_repeated_amd_result_are_ignored() -> None:
    async with twilio_world() as w:
        sid = new_sid("CA")
        status = twiml.webhook_url(w.public_url, twiml.STATUS_PATH)
        amd = twiml.webhook_url(w.public_url, twiml.AMD_PATH)
        answer = twiml.webhook_url(w.public_url, twiml.ANSWER_PATH, amd="1")
        await w.fake.post_webhook(status, _status(w, sid, "in-progress"))
        hold = await w.fake.post_webhook(answer, _status(w, sid, "in-progress"))
        assert "<Pause" in hold.text
        await w.fake.post_webhook(status, _status(w, sid, "ringing"))
        machine = {**_status(w, sid, "in-progress"), "AnsweredBy": "machine_start"}
        await w.fake.post_webhook(amd, machine)
        await w.fake.post_webhook(amd, machine)
        assert w.engine.kinds(sid) == ["CallAnswered"]


async def test_proxy_forwarded_url_is_accepted_when_signed_for_it() -> None:
    async with twilio_world() as w:
        w.fake.callees["+14155552002"] = Callee(outcome="busy")
        sid = new_sid("CA")
        public = "https://dialer.example.com"
        url = public + twiml.STATUS_PATH
        params = _status(w, sid, "busy")
        assert w.fake.http is not None
        response = await w.fake.http.post(
            twiml.webhook_url(w.public_url, twiml.STATUS_PATH),
            data=params,
            headers={
                "X-Twilio-Signature": w.fake.sign(url, params),
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "dialer.example.com",
            },
        )
        assert response.status_code == 204
        ended = w.engine.ended(sid)
        assert ended is not None
        assert ended.reason is EndReason.BUSY
