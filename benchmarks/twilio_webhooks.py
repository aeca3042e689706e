"""Answer-webhook latency: from the answer webhook's arrival to our TwiML response.

Our real webhook server (``dialer.web``: uvicorn, Starlette, signature check, ``TwilioCarrier``)
runs in its own process on 127.0.0.1; a client process opens one keep-alive connection per call
and fires ``--concurrency`` signed answer webhooks at once (each for a new call, no machine
detection, so the engine hears ``CallAnswered`` and bridges inside the webhook), ``--rounds``
times. Between rounds the answered calls end (signed ``completed`` status callbacks), so agents
are free again. The engine's part is played by a stand-in that routes each answer to the
longest-idle ready agent, as the engine does; the engine's own routing time is its benchmark.

Three figures per answer, printed as p50 / p99 / max:

* ``round trip``: measured by the client, from writing the request to reading the whole TwiML
  response (includes the kernel's and the client's share; an upper bound);
* ``in server``: measured by an ASGI wrapper around our app, from the request reaching the app to
  the last byte of the response handed to uvicorn;
* ``since arrival``: from the first bytes of its burst read by the server (uvicorn's
  ``data_received``, timed by a probe this benchmark installs) to this answer's last byte
  handed to uvicorn. All of a burst is sent at once, so this is each answer's wait from its
  arrival, the others' parsing and handling included, which ``in server`` does not count:
  the figure the issue's target is about.

Then CPU: the server process's CPU time (user + system, ``getrusage``) over the measured rounds
per request (answers and status callbacks alike: everything, uvicorn and the kernel's share of
the sockets included), and per burst of answers as the wrapper saw it.

    python3 benchmarks/twilio_webhooks.py [--concurrency 200] [--rounds 20] [--uvloop]

Other engineers load this 2-core machine: run it a few times and read the best, the load is
printed with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import resource
import statistics
import time
import uuid
from collections import deque
from collections.abc import Sequence
from multiprocessing.connection import Connection
from urllib.parse import urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from twilio.request_validator import RequestValidator
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

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
        self.samples: list[tuple[float, float, float, float]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != twiml.ANSWER_PATH:
            await self.app(scope, receive, send)
            return
        start, cpu = time.perf_counter(), time.process_time()

        async def timed_send(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                now = time.perf_counter()
                self.samples.append((now - start, cpu, time.process_time(), start))

        await self.app(scope, receive, timed_send)


def _probe_arrivals() -> list[float]:
    """Note when uvicorn reads each answer request's first bytes (a measuring probe)."""
    arrivals: list[float] = []
    received = HttpToolsProtocol.data_received
    head = f"POST {twiml.ANSWER_PATH}".encode()

    def data_received(self: HttpToolsProtocol, data: bytes) -> None:
        if data.startswith(head):
            arrivals.append(time.perf_counter())
        received(self, data)

    HttpToolsProtocol.data_received = data_received  # type: ignore[method-assign]
    return arrivals


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
        arrivals = _probe_arrivals()
        await carrier.start(router)
        async with serving(timed, "127.0.0.1", 0) as server:
            conn.send(server.port)
            loop = asyncio.get_running_loop()
            while (command := await loop.run_in_executor(None, conn.recv)) != "stop":
                assert command == "stats"
                usage = resource.getrusage(resource.RUSAGE_SELF)
                cpu = (usage.ru_utime, usage.ru_stime)
                sent = (timed.samples, arrivals[:], len(router.ready), router.abandoned, cpu)
                conn.send(sent)
                timed.samples = []
                arrivals.clear()
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


async def _client(
    port: int, concurrency: int, rounds: int, warmup: int, server: Connection
) -> tuple[list[float], tuple[float, float]]:
    """Round-trip seconds of the measured answers, and the server's CPU seconds (user,
    system) before them."""
    conns = [await asyncio.open_connection("127.0.0.1", port) for _ in range(concurrency)]
    samples: list[float] = []
    cpu_before = (0.0, 0.0)
    for n in range(warmup + rounds):
        if n == warmup:
            server.send("stats")
            cpu_before = server.recv()[-1]
        times = await _round(conns)
        if n >= warmup:
            samples.extend(times)
        await asyncio.sleep(0.05)
    for _, writer in conns:
        writer.close()
    return samples, cpu_before


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
        client, cpu_before = asyncio.run(
            _client(port, args.concurrency, args.rounds, args.warmup, ours)
        )
        ours.send("stats")
        inside, arrivals, ready, abandoned, cpu_after = ours.recv()
        ours.send("stop")
    finally:
        server.join(10)
        if server.is_alive():
            server.kill()
    bursts = [inside[i : i + args.concurrency] for i in range(0, len(inside), args.concurrency)]
    cpu = [max(s[2] for s in b) - min(s[1] for s in b) for b in bursts]
    firsts = [
        min(arrivals[i : i + args.concurrency]) for i in range(0, len(arrivals), args.concurrency)
    ]
    since = [s[3] + s[0] - first for b, first in zip(bursts, firsts, strict=True) for s in b]
    requests = 2 * args.concurrency * args.rounds
    user, system = (
        (after - before) / requests for after, before in zip(cpu_after, cpu_before, strict=True)
    )
    per_request = user + system
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    loop = "uvloop" if args.uvloop else "asyncio"
    print(
        f"{args.concurrency} concurrent answers x {args.rounds} rounds on {loop} "
        f"(load average {load})"
    )
    print(f"round trip (client): {_figures(client)}")
    print(f"in server          : {_figures([wall for wall, *_ in inside])}")
    print(f"since arrival      : {_figures(since)}")
    print(
        f"server CPU per request (all of it): {per_request * 1e6:.0f} us = user "
        f"{user * 1e6:.0f} + system {system * 1e6:.0f} "
        f"({per_request * args.concurrency * 1000:.1f} ms per {args.concurrency} requests)"
    )
    print(
        f"server CPU per burst of {args.concurrency} answers: median "
        f"{statistics.median(cpu) * 1000:.1f} ms, best {min(cpu) * 1000:.1f} ms "
        "(on an idle core the last answer of a burst waits about this long)"
    )
    print(f"agents ready at the end: {ready}/{args.concurrency}; abandoned: {abandoned}")


if __name__ == "__main__":
    main()
