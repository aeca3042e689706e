"""Answer-webhook latency: from the answer webhook's arrival to our TwiML response.

Our real webhook server (``dialer.web``: uvicorn, Starlette, signature check, ``TwilioCarrier``)
runs in its own process on 127.0.0.1; a client process opens one keep-alive connection per call
and fires ``--concurrency`` signed answer webhooks at once (each for a new call, no machine
detection, so the engine hears ``CallAnswered`` and bridges inside the webhook), ``--rounds``
times. Between rounds the answered calls end (signed ``completed`` status callbacks), so agents
are free again. The engine's part is played by a stand-in that routes each answer to the
longest-idle ready agent, as the engine does; the engine's own routing time is its benchmark.

Two figures per answer, printed as p50 / p99 / max:

* ``round trip``: measured by the client, from writing the request to reading the whole TwiML
  response (includes the kernel's and the client's share; an upper bound);
* ``in server``: measured by an ASGI wrapper around our app, from the request reaching the app to
  the last byte of the response handed to uvicorn.

    python3 benchmarks/twilio_webhooks.py [--concurrency 200] [--rounds 20] [--uvloop]

Other engineers load this 2-core machine: run it a few times and read the best, the load is
printed with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import statistics
import time
import uuid
from collections import deque
from collections.abc import Sequence
from multiprocessing.connection import Connection
from urllib.parse import urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from twilio.request_validator import RequestValidator

from dialer.carriers.base import CallAnswered, CallEnded, CarrierEvent
from dialer.carriers.twilio import TwilioCarrier, TwilioConfig, twiml
from dialer.clock import RealClock
from dialer.web import build_app, serving

ACCOUNT_SID = "AC" + "b7" * 16
AUTH_TOKEN = "benchmark-token-5d1e"
PUBLIC_URL = "https://dialer.example.com"
CALLER_ID = "+14155550100"


class Timed:
    """ASGI wrapper noting, per answer, the seconds from arrival at the app to the response, and
    the process's CPU clock at both ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.samples: list[tuple[float, float, float]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != twiml.ANSWER_PATH:
            await self.app(scope, receive, send)
            return
        start, cpu = time.perf_counter(), time.process_time()

        async def timed_send(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.samples.append((time.perf_counter() - start, cpu, time.process_time()))

        await self.app(scope, receive, timed_send)


class Router:
    """The engine's part: a live answer goes to the longest-idle ready agent, inside the sink."""

    def __init__(self, carrier: TwilioCarrier, agents: int) -> None:
        self.carrier = carrier
        self.ready: deque[str] = deque(f"a{i}" for i in range(agents))
        self.on_call: dict[str, str] = {}
        self.abandoned = 0

    async def __call__(self, event: CarrierEvent) -> None:
        if isinstance(event, CallAnswered):
            if self.ready:
                agent = self.ready.popleft()
                self.on_call[event.call_id] = agent
                await self.carrier.bridge(event.call_id, agent)
            else:
                self.abandoned += 1
                await self.carrier.play_message(event.call_id, "Sorry.", hangup_after=True)
        elif isinstance(event, CallEnded) and event.call_id in self.on_call:
            self.ready.append(self.on_call.pop(event.call_id))


def serve(agents: int, conn: Connection, use_uvloop: bool) -> None:
    """The server process: our app on a free port; answers ``stats`` requests on ``conn``."""
    config = TwilioConfig(ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL, api_base="http://127.0.0.1:9")
    clock = RealClock()

    async def main() -> None:
        carrier = TwilioCarrier(config, clock)
        router = Router(carrier, agents)
        for agent in router.ready:  # agents' lines as if opened (no REST calls here)
            carrier._agents.legs[agent] = "CA" + uuid.uuid4().hex
        timed = Timed(build_app(carrier.webhooks))
        await carrier.start(router)
        async with serving(timed, "127.0.0.1", 0) as server:
            conn.send(server.port)
            loop = asyncio.get_running_loop()
            while (command := await loop.run_in_executor(None, conn.recv)) != "stop":
                assert command == "stats"
                conn.send((timed.samples, len(router.ready), router.abandoned))
                timed.samples = []
        await carrier.stop()

    if use_uvloop:
        import uvloop

        uvloop.run(main())
    else:
        clock.run(main())  # the standard asyncio loop, as `dialer run` and `dialer serve` use


def _request(path: str, params: dict[str, str]) -> bytes:
    body = urlencode(params).encode()
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + path, params)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: dialer.example.com\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"X-Twilio-Signature: {signature}\r\nI-Twilio-Idempotency-Token: {uuid.uuid4().hex}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def _call_params(sid: str, status: str) -> dict[str, str]:
    return {
        "CallSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": CALLER_ID,
        "To": "+14155551234",
        "CallStatus": status,
        "Direction": "outbound-api",
        "ApiVersion": "2010-04-01",
    }


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[float, bytes]:
    """Send one request on a keep-alive connection; seconds to the whole response, and it."""
    start = time.perf_counter()
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lengths = [
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    ]
    length = lengths[0] if lengths else 0
    body = await reader.readexactly(length)
    return time.perf_counter() - start, head.split(b"\r\n", 1)[0] + b"\n" + body


async def _round(
    conns: Sequence[tuple[asyncio.StreamReader, asyncio.StreamWriter]],
) -> list[float]:
    sids = ["CA" + uuid.uuid4().hex for _ in conns]
    query = "?" + urlencode({"amd": "0"})
    answers = [
        _request(twiml.ANSWER_PATH + query, _call_params(sid, "in-progress")) for sid in sids
    ]
    results = await asyncio.gather(
        *(_exchange(r, w, a) for (r, w), a in zip(conns, answers, strict=True))
    )
    for _, response in results:
        if b" 200 " not in response.split(b"\n", 1)[0] or b"<Conference" not in response:
            raise SystemExit(f"unexpected answer: {response[:300]!r}")
    ends = [_request(twiml.STATUS_PATH, _call_params(sid, "completed")) for sid in sids]
    await asyncio.gather(*(_exchange(r, w, e) for (r, w), e in zip(conns, ends, strict=True)))
    return [seconds for seconds, _ in results]


async def _client(port: int, concurrency: int, rounds: int, warmup: int) -> list[float]:
    conns = [await asyncio.open_connection("127.0.0.1", port) for _ in range(concurrency)]
    samples: list[float] = []
    for n in range(warmup + rounds):
        times = await _round(conns)
        if n >= warmup:
            samples.extend(times)
        await asyncio.sleep(0.05)
    for _, writer in conns:
        writer.close()
    return samples


def _figures(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return f"p50 {cuts[49]:6.2f} ms   p99 {cuts[98]:6.2f} ms   max {ms[-1]:6.2f} ms"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=200, help="answers fired at once")
    parser.add_argument("--rounds", type=int, default=20, help="measured rounds")
    parser.add_argument("--warmup", type=int, default=2, help="rounds not measured")
    parser.add_argument("--uvloop", action="store_true", help="serve on uvloop's event loop")
    args = parser.parse_args(argv)
    ours, theirs = mp.Pipe()
    server = mp.get_context("spawn").Process(
        target=serve, args=(args.concurrency, theirs, args.uvloop)
    )
    server.start()
    try:
        port = ours.recv()
        ours.send("stats")
        ours.recv()  # nothing yet; the server is up
        client = asyncio.run(_client(port, args.concurrency, args.rounds, args.warmup))
        ours.send("stats")
        inside, ready, abandoned = ours.recv()
        ours.send("stop")
    finally:
        server.join(10)
        if server.is_alive():
            server.kill()
    inside = inside[args.warmup * args.concurrency :]
    bursts = [inside[i : i + args.concurrency] for i in range(0, len(inside), args.concurrency)]
    cpu = [max(end for *_, end in b) - min(start for _, start, _ in b) for b in bursts]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    loop = "uvloop" if args.uvloop else "asyncio"
    print(
        f"{args.concurrency} concurrent answers x {args.rounds} rounds on {loop} "
        f"(load average {load})"
    )
    print(f"round trip (client): {_figures(client)}")
    print(f"in server          : {_figures([wall for wall, *_ in inside])}")
    print(
        f"server CPU per burst of {args.concurrency} answers: median "
        f"{statistics.median(cpu) * 1000:.1f} ms, best {min(cpu) * 1000:.1f} ms "
        "(on an idle core the last answer of a burst waits about this long)"
    )
    print(f"agents ready at the end: {ready}/{args.concurrency}; abandoned: {abandoned}")


if __name__ == "__main__":
    main()
