"""The lean path of Twilio's webhooks: signatures computed as Twilio's validator does, the
engine's delivery started eagerly, and the dispatcher in front of the framework."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from dialer.carriers.base import CallAnswered, CarrierEvent
from dialer.carriers.twilio import TwilioCarrier, TwilioConfig, twiml
from dialer.carriers.twilio._delivery import start_eagerly
from dialer.clock import RealClock
from dialer.web import build_app
from dialer.web.signature import FormFields, parse_form, sha1_signature
from dialer.web.twilio_hooks import MAX_BODY

_TOKEN = "secret-token"
_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=8)


@given(st.lists(st.tuples(_text, _text), max_size=8), st.sampled_from(["", "?amd=1", "?a=b&c"]))
def test_the_signature_is_the_one_twilio_s_validator_computes(
    pairs: list[tuple[str, str]], query: str
) -> None:
    form = FormFields(urlencode(pairs))
    url = "https://d.example/twilio/answer" + query
    expected = RequestValidator(_TOKEN).compute_signature(url, form)
    assert sha1_signature(_TOKEN.encode(), url, form).decode() == expected


async def test_a_delivery_that_never_waits_is_done_without_a_task() -> None:
    seen: list[str] = []

    async def decide() -> str:
        seen.append("engine")
        return "bridged"

    done = start_eagerly(decide())
    assert done.done()
    assert done.result() == "bridged"
    assert seen == ["engine"]
    assert not isinstance(done, asyncio.Task)


async def test_a_delivery_that_waits_goes_on_in_a_task_from_where_it_stopped() -> None:
    gate: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    seen: list[str] = []

    async def decide() -> int:
        seen.append("before")
        value = await gate
        seen.append("after")
        return value * 2

    task = start_eagerly(decide())
    assert seen == ["before"]
    assert not task.done()
    gate.set_result(21)
    assert await task == 42
    assert seen == ["before", "after"]


async def test_a_failing_delivery_carries_its_error() -> None:
    async def decide() -> None:
        raise ValueError("engine broke")

    done = start_eagerly(decide())
    assert isinstance(done.exception(), ValueError)


async def test_cancelling_a_waiting_delivery_reaches_the_coroutine() -> None:
    cleaned: list[bool] = []

    async def decide() -> None:
        try:
            await asyncio.sleep(10)
        finally:
            cleaned.append(True)

    task = start_eagerly(decide())
    await asyncio.sleep(0)
    task.cancel()
    await asyncio.wait({task})
    assert task.cancelled()
    assert cleaned == [True]


def _app() -> tuple[httpx.AsyncClient, TwilioCarrier]:
    carrier = _carrier()
    transport = httpx.ASGITransport(app=build_app(carrier.webhooks))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver"), carrier


async def test_webhook_paths_take_posts_only_and_other_paths_reach_the_framework() -> None:
    client, _ = _app()
    async with client:
        wrong_method = await client.get(twiml.ANSWER_PATH)
        health = await client.get("/healthz")
        missing = await client.post("/twilio/nothing")
    assert (wrong_method.status_code, wrong_method.headers["allow"]) == (405, "POST")
    assert (health.status_code, health.text) == (200, "ok")
    assert missing.status_code == 404


async def test_a_signed_answer_gets_twiml_and_a_forged_one_403() -> None:
    client, _ = _app()
    params = {"CallSid": "CA" + "1" * 32, "CallStatus": "in-progress", "To": "+1 (415) 555"}
    url = "https://d.example" + twiml.ANSWER_PATH + "?amd=0"
    good = RequestValidator(_TOKEN).compute_signature(url, params)
    async with client:
        signed = await client.post(
            twiml.ANSWER_PATH + "?amd=0", data=params, headers={"X-Twilio-Signature": good}
        )
        forged = await client.post(
            twiml.ANSWER_PATH + "?amd=1", data=params, headers={"X-Twilio-Signature": good}
        )
    assert signed.status_code == 200
    assert signed.text.startswith("<?xml")
    assert signed.headers["content-type"] == "application/xml"
    assert forged.status_code == 403
    assert "<Response" not in forged.text


@given(st.lists(st.tuples(_text, _text), max_size=8), st.sampled_from(["", "&", "&&x", "y&"]))
def test_form_parsing_is_parse_qsl_with_blank_values(
    pairs: list[tuple[str, str]], extra: str
) -> None:
    body = urlencode(pairs) + extra
    assert parse_form(body) == parse_qsl(body, keep_blank_values=True)


@given(st.text(st.sampled_from("ab=&%+2éF0 "), max_size=16))
def test_form_parsing_of_any_text_is_parse_qsl_s(body: str) -> None:
    assert parse_form(body) == parse_qsl(body, keep_blank_values=True)


def _carrier(**tuning: Any) -> TwilioCarrier:
    config = TwilioConfig(
        "AC" + "0" * 32, _TOKEN, "https://d.example", api_base="http://x", **tuning
    )
    carrier = TwilioCarrier(config, RealClock())
    carrier._agents.legs["a1"] = "CA" + "9" * 32  # the agent's line, as if opened
    return carrier


async def test_an_engine_that_routes_at_once_is_answered_in_one_step() -> None:
    carrier = _carrier()

    async def engine(event: CarrierEvent) -> None:
        if isinstance(event, CallAnswered):
            await carrier.bridge(event.call_id, "a1")

    await carrier.start(engine)
    answer = carrier.webhooks.answer({"CallSid": "CA1"}, {"amd": "0"})
    with pytest.raises(StopIteration) as finished:  # no turn of the event loop needed
        answer.send(None)
    assert finished.value.value == twiml.bridge_to_agent("a1")
    await carrier.stop()


async def test_a_slow_engine_gets_the_deadline_then_the_call_is_held() -> None:
    carrier = _carrier(answer_deadline_s=0.01, hold_s=7)
    heard = asyncio.Event()

    async def engine(event: CarrierEvent) -> None:
        await asyncio.sleep(0.05)
        heard.set()

    await carrier.start(engine)
    reply = await carrier.webhooks.answer({"CallSid": "CA2"}, {"amd": "0"})
    assert reply == twiml.hold(7)
    assert not heard.is_set()
    await asyncio.wait_for(heard.wait(), 5)  # the engine still hears the answer
    await carrier.stop()


async def test_a_webhook_body_over_the_limit_gets_413_on_the_asgi_path_too() -> None:
    client, _ = _app()
    async with client:
        response = await client.post(twiml.STATUS_PATH, data={"Pad": "x" * MAX_BODY})
    assert (response.status_code, response.text) == (413, "request body too large")
