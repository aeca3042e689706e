"""Answer-webhook latency: from the answer webhook's arrival to our TwiML response.

Our real webhook server (``dialer.web``: uvicorn, Starlette, signature check, ``TwilioCarrier``)
runs in its own process on 127.0.0.1; a client process opens one keep-alive connection per call
and fires ``--concurrency`` signed answer webhooks at once (each for a new call, no machine
detection, so the engine hears ``CallAnswered`` and bridges inside the webhook), ``--rounds``
times. Between rounds the answered calls end (signed ``completed`` status callbacks), so agents
are free again. The engine's part is played by a stand-in that routes each answer to the
longest-idle ready agent, as the engine does; the engine's own routing time is its benchmark.

Four figures per answer, printed as p50 / p99 / max:

* ``round trip``: measured by the client, from writing the request to reading the whole TwiML
  response (includes the client's own delays in reading; an upper bound);
* ``in server``: from this answer's bytes read by the server to its reply written (the
  webhook protocol is probed: ``data_received`` and the reply's write are timed);
* ``since arrival``: from this answer's arrival to its reply written: the figure the issue's
  target is about. It arrives when the client's write of it returns (on the loopback the
  bytes are then in the server's socket, waiting while the server handles the others), read
  on the same monotonic clock as the server's (``perf_counter``, system-wide on Linux);
* ``since burst``: from the first bytes of its burst read by the server to this answer's
  reply written. The client needs a few milliseconds to write 200 requests, so this also
  counts the later answers' wait for the client: a bound above ``since arrival``.

Then CPU: the server process's CPU time (user + system, ``getrusage``) over the measured rounds
per request (answers and status callbacks alike: everything, uvicorn and the kernel's share of
the sockets included), and per burst of answers (the server's CPU time asked of it just before
the burst is sent and just after its last reply is read).

    python3 benchmarks/twilio_webhooks.py [--concurrency 200] [--rounds 20]
        [--loop auto|asyncio|uvloop]

Other engineers load this 2-core machine: run it a few times and read the best, the load is
printed with the figures, and how fast this machine's core runs plain Python.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import multiprocessing as mp
import os
import resource
import statistics
import time
import timeit
import uuid
from collections import deque
from collections.abc import Sequence
from multiprocessing.connection import Connection
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from dialer.carriers.base import CallAnswered, CallEnded, CarrierEvent
from dialer.carriers.twilio import TwilioCarrier, TwilioConfig, twiml
from dialer.clock import RealClock
from dialer.engine import gc_policy
from dialer.web import build_app, serving
from dialer.web.fastpath import webhook_protocol
from dialer.web.twilio_hooks import Reply, twilio_endpoints

ACCOUNT_SID = "AC" + "b7" * 16
AUTH_TOKEN = "benchmark-token-5d1e"
PUBLIC_URL = "https://dialer.example.com"
CALLER_ID = "+14155550100"
#: One answer: its bytes read at, its reply written at (perf_counter seconds), its CallSid.
Sample = tuple[float, float, bytes]


def _probe(protocol: type[HttpToolsProtocol]) -> tuple[type[HttpToolsProtocol], list[Sample]]:
    """``protocol`` noting, per answer, when its bytes were read and when its reply was
    written (a measuring probe: two reads of the monotonic clock, no system call)."""
    samples: list[Sample] = []
    head = f"POST {twiml.ANSWER_PATH}".encode()

    class Probe(protocol):  # type: ignore[valid-type, misc]
        read_at: float | None = None
        sid = b""

        def data_received(self, data: bytes) -> None:
            if data.startswith(head):
                self.read_at = time.perf_counter()
                self.sid = _sid(data)
            super().data_received(data)

        def _reply(self, reply: Reply, keep_alive: bool) -> None:
            super()._reply(reply, keep_alive)
            if self.read_at is not None:
                samples.append((self.read_at, time.perf_counter(), self.sid))
                self.read_at = None

    return Probe, samples


def _sid(request: bytes) -> bytes:
    start = request.index(b"CallSid=") + 8
    return request[start : start + 34]


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


def serve(agents: int, conn: Connection, loop: str) -> None:
    """The server process: our app on a free port; answers ``stats`` requests on ``conn``."""
    config = TwilioConfig(ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL, api_base="http://127.0.0.1:9")
    clock = RealClock(loop)

    async def main() -> None:
        carrier = TwilioCarrier(config, clock)
        router = Router(carrier, agents)
        for agent in router.ready:  # agents' lines as if opened (no REST calls here)
            carrier._agents.legs[agent] = "CA" + uuid.uuid4().hex
        endpoints = twilio_endpoints(carrier.webhooks)
        protocol, samples = _probe(webhook_protocol(endpoints))
        await carrier.start(router)
        app = build_app(carrier.webhooks)
        async with serving(app, "127.0.0.1", 0, protocol=protocol) as server:
            gc_policy.settle()  # as `dialer run` does once set up
            conn.send(server.port)
            loop = asyncio.get_running_loop()
            while (command := await loop.run_in_executor(None, conn.recv)) != "stop":
                usage = resource.getrusage(resource.RUSAGE_SELF)
                cpu = (usage.ru_utime, usage.ru_stime)
                if command == "cpu":
                    conn.send(cpu)
                    continue
                assert command == "stats"
                conn.send((samples[:], len(router.ready), router.abandoned, cpu))
                samples.clear()
        await carrier.stop()

    clock.run(main())  # as `dialer run` and `dialer serve` run (uvloop where installed)


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
) -> tuple[float, float, bytes]:
    """Send one request on a keep-alive connection: when the write returned (the request is
    then in the server's socket), seconds to the whole response, and the response."""
    start = time.perf_counter()
    writer.write(request)  # the socket takes it at once: nothing is buffered between rounds
    sent = time.perf_counter()
    head = await reader.readuntil(b"\r\n\r\n")
    lengths = [
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    ]
    length = lengths[0] if lengths else 0
    body = await reader.readexactly(length)
    return sent, time.perf_counter() - start, head.split(b"\r\n", 1)[0] + b"\n" + body


def _cpu(server: Connection) -> float:
    """The server process's CPU seconds so far (user + system), asked between bursts."""
    server.send("cpu")
    user, system = server.recv()
    return float(user + system)


async def _round(
    conns: Sequence[tuple[asyncio.StreamReader, asyncio.StreamWriter]], server: Connection
) -> tuple[list[float], float, dict[bytes, float]]:
    """One burst of answers, then their calls' ends: the answers' round trips, the server's
    CPU seconds for the burst of answers, and when each answer was sent (by CallSid)."""
    sids = ["CA" + uuid.uuid4().hex for _ in conns]
    query = "?" + urlencode({"amd": "0"})
    answers = [
        _request(twiml.ANSWER_PATH + query, _call_params(sid, "in-progress")) for sid in sids
    ]
    before = _cpu(server)
    results = await asyncio.gather(
        *(_exchange(r, w, a) for (r, w), a in zip(conns, answers, strict=True))
    )
    burst = _cpu(server) - before
    for _, _, response in results:
        if b" 200 " not in response.split(b"\n", 1)[0] or b"<Conference" not in response:
            raise SystemExit(f"unexpected answer: {response[:300]!r}")
    ends = [_request(twiml.STATUS_PATH, _call_params(sid, "completed")) for sid in sids]
    await asyncio.gather(*(_exchange(r, w, e) for (r, w), e in zip(conns, ends, strict=True)))
    sent = {sid.encode(): at for sid, (at, _, _) in zip(sids, results, strict=True)}
    return [seconds for _, seconds, _ in results], burst, sent


async def _client(
    port: int, concurrency: int, rounds: int, warmup: int, server: Connection
) -> tuple[list[float], list[float], tuple[float, float], dict[bytes, float]]:
    """Round-trip seconds of the measured answers, the server's CPU seconds per measured burst,
    its CPU seconds (user, system) before them, and when each measured answer was sent."""
    conns = [await asyncio.open_connection("127.0.0.1", port) for _ in range(concurrency)]
    samples: list[float] = []
    bursts: list[float] = []
    sent_at: dict[bytes, float] = {}
    cpu_before = (0.0, 0.0)
    for n in range(warmup + rounds):
        if n == warmup:
            server.send("stats")
            cpu_before = server.recv()[-1]
        times, burst, sent = await _round(conns, server)
        if n >= warmup:
            samples.extend(times)
            bursts.append(burst)
            sent_at.update(sent)
        await asyncio.sleep(0.05)
    for _, writer in conns:
        writer.close()
    return samples, bursts, cpu_before, sent_at


def _core_us() -> float:
    """Microseconds for ``sum(range(1000))``, best of 5: how fast a core runs Python, to compare
    figures between machines (the same code costs about twice as much on a core twice slower)."""
    return min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6


def _figures(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return f"p50 {cuts[49]:6.2f} ms   p99 {cuts[98]:6.2f} ms   max {ms[-1]:6.2f} ms"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=200, help="answers fired at once")
    parser.add_argument("--rounds", type=int, default=20, help="measured rounds")
    parser.add_argument("--warmup", type=int, default=2, help="rounds not measured")
    parser.add_argument(
        "--loop", choices=["auto", "asyncio", "uvloop"], default="auto", help="the event loop"
    )
    args = parser.parse_args(argv)
    ours, theirs = mp.Pipe()
    server = mp.get_context("spawn").Process(
        target=serve, args=(args.concurrency, theirs, args.loop)
    )
    server.start()
    try:
        port = ours.recv()
        ours.send("stats")
        ours.recv()  # nothing yet; the server is up
        client, cpu, cpu_before, sent_at = asyncio.run(
            _client(port, args.concurrency, args.rounds, args.warmup, ours)
        )
        ours.send("stats")
        answers, ready, abandoned, cpu_after = ours.recv()
        ours.send("stop")
    finally:
        server.join(10)
        if server.is_alive():
            server.kill()
    n = args.concurrency
    bursts = [answers[i : i + n] for i in range(0, len(answers), n)]
    since_burst = [s[1] - min(r[0] for r in b) for b in bursts for s in b]
    since = [written - sent_at[sid] for _, written, sid in answers]
    requests = 2 * args.concurrency * args.rounds
    user, system = (
        (after - before) / requests for after, before in zip(cpu_after, cpu_before, strict=True)
    )
    per_request = user + system
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    loop = args.loop
    if loop == "auto":
        loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    print(
        f"{args.concurrency} concurrent answers x {args.rounds} rounds on {loop} "
        f"(load average {load}; this core runs Python's sum(range(1000)) in {_core_us():.1f} us)"
    )
    print(f"round trip (client): {_figures(client)}")
    print(f"in server          : {_figures([written - read for read, written, *_ in answers])}")
    print(f"since arrival      : {_figures(since)}")
    print(f"since burst        : {_figures(since_burst)}")
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
