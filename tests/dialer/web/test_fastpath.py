"""Twilio's webhooks on the HTTP protocol's fast path, over real sockets with uvicorn: replies,
refusals, keep-alive, pipelining in order, and the ordinary ASGI path beside it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from dialer.carriers.base import CallAnswered, CarrierEvent
from dialer.carriers.twilio import TwilioCarrier, TwilioConfig, TwilioWebhooks, twiml
from dialer.clock import RealClock
from dialer.web import build_app, serving
from dialer.web.app import WebhooksFirst
from dialer.web.twilio_hooks import MAX_BODY, SignedEndpoint, Webhook

_TOKEN = "fast-token"
_BASE = "https://d.example"
Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]


def _carrier() -> TwilioCarrier:
    config = TwilioConfig("AC" + "0" * 32, _TOKEN, _BASE, api_base="http://127.0.0.1:9")
    carrier = TwilioCarrier(config, RealClock())
    carrier._agents.legs["a1"] = "CA" + "9" * 32  # the agent's line, as if opened
    return carrier


def _post(path: str, params: dict[str, str], *, signed: bool = True, extra: str = "") -> bytes:
    body = urlencode(params)
    signature = RequestValidator(_TOKEN).compute_signature(_BASE + path, params)
    if not signed:
        signature = signature[::-1]
    return (
        f"POST {path} HTTP/1.1\r\nHost: d.example\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"X-Twilio-Signature: {signature}\r\n{extra}Content-Length: {len(body)}\r\n\r\n{body}"
    ).encode()


async def _response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    headers = {
        k.lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:] if line)
    }
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


@asynccontextmanager
async def _server(
    engine_waits: asyncio.Event | None = None,
) -> AsyncIterator[tuple[TwilioCarrier, Streams, list[CarrierEvent]]]:
    """A served carrier whose engine bridges every answer to a1 (after ``engine_waits``)."""
    carrier = _carrier()
    heard: list[CarrierEvent] = []

    async def engine(event: CarrierEvent) -> None:
        heard.append(event)
        if isinstance(event, CallAnswered):
            if engine_waits is not None:
                await engine_waits.wait()
            await carrier.bridge(event.call_id, "a1")

    await carrier.start(engine)
    async with serving(build_app(carrier.webhooks), "127.0.0.1", 0) as srv:
        assert srv.server.config.http_protocol_class.__name__ == "WebhookProtocol"
        streams = await asyncio.open_connection("127.0.0.1", srv.port)
        try:
            yield carrier, streams, heard
        finally:
            streams[1].close()
    await carrier.stop()


def _answer(sid: str) -> bytes:
    return _post(twiml.ANSWER_PATH + "?amd=0", {"CallSid": sid, "CallStatus": "in-progress"})


async def test_answers_keep_alive_and_other_paths_share_the_connection() -> None:
    async with _server() as (_, (reader, writer), heard):
        writer.write(_answer("CA1"))
        status, headers, body = await _response(reader)
        assert (status, headers["content-type"]) == (200, "application/xml")
        assert body.decode() == twiml.bridge_to_agent("a1")
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: d.example\r\n\r\n")
        assert (await _response(reader))[::2] == (200, b"ok")
        writer.write(b"GET " + twiml.ANSWER_PATH.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await _response(reader))[0] == 405
        writer.write(_post(twiml.STATUS_PATH, {"CallSid": "CA1", "CallStatus": "completed"}))
        assert (await _response(reader))[0] == 204
    assert [type(e).__name__ for e in heard] == ["CallAnswered", "CallEnded"]


async def test_a_forged_webhook_gets_403_and_the_engine_hears_nothing() -> None:
    async with _server() as (_, (reader, writer), heard):
        forged = _post(twiml.ANSWER_PATH + "?amd=0", {"CallSid": "CA2"}, signed=False)
        writer.write(forged)
        status, _, body = await _response(reader)
    assert (status, body) == (403, b"invalid signature")
    assert heard == []


async def test_pipelined_requests_are_answered_in_order_behind_a_slow_engine() -> None:
    gate = asyncio.Event()
    async with _server(engine_waits=gate) as (_, (reader, writer), _heard):
        writer.write(_answer("CA3") + b"GET /healthz HTTP/1.1\r\nHost: d.example\r\n\r\n")
        await asyncio.sleep(0.05)
        gate.set()
        first = await _response(reader)
        second = await _response(reader)
    assert first[0] == 200
    assert b"<Conference" in first[2]
    assert second[::2] == (200, b"ok")


async def test_a_body_over_the_limit_gets_413_and_the_connection_closes() -> None:
    async with _server() as (_, (reader, writer), heard):
        writer.write(_post(twiml.STATUS_PATH, {"CallSid": "CA4", "Pad": "x" * MAX_BODY}))
        status, headers, _ = await _response(reader)
        assert (status, headers["connection"]) == (413, "close")
        assert await reader.read() == b""
    assert heard == []


async def test_connection_close_is_honoured() -> None:
    async with _server() as (_, (reader, writer), _heard):
        writer.write(_answer("CA5").replace(b"Host:", b"Connection: close\r\nHost:", 1))
        status, headers, _ = await _response(reader)
        assert (status, headers["connection"]) == (200, "close")
        assert await reader.read() == b""


async def test_a_failing_handler_gets_500_and_the_server_goes_on() -> None:
    carrier = _carrier()

    async def broken(hooks: TwilioWebhooks, hook: Webhook) -> str | None:
        raise RuntimeError("handler broke")

    path = twiml.GATHER_PATH
    endpoints = {path: SignedEndpoint(carrier.webhooks, path, broken)}
    app = WebhooksFirst(endpoints, build_app(None))
    async with serving(app, "127.0.0.1", 0) as srv:
        reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
        writer.write(_post(path, {"CallSid": "CA6", "Digits": "1"}))
        assert (await _response(reader))[0] == 500
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: d.example\r\n\r\n")
        assert (await _response(reader))[::2] == (200, b"ok")
        writer.close()
