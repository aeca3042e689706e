"""A stateful Twilio-compatible fake: the REST API our carrier uses, calls that progress, and
signed webhooks posted back to our server. Every request is checked against the OpenAPI spec.
"""

from __future__ import annotations

import asyncio
import base64
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from dialer.web.server import serving
from tests.fakes.twilio_fake.calls import Callee, Conference, FakeCall, new_sid
from tests.fakes.twilio_fake.contract import OpenApiContract
from tests.fakes.twilio_fake.twiml_runner import run_twiml

__all__ = ["FakeTwilio", "RecordedRequest", "running_fake", "serving_fake"]

_CONTRACT: OpenApiContract | None = None
#: What Twilio accepts as a call's ``To``: an E.164 number, a client or a SIP address.
_ENDPOINT = re.compile(r"^(\+[1-9]\d{6,14}|client:[\w.@-]+|sip:\S+)$")
Handler = Callable[[Request, "RecordedRequest"], Awaitable[Response]]


def _contract() -> OpenApiContract:
    global _CONTRACT
    if _CONTRACT is None:
        _CONTRACT = OpenApiContract.load()
    return _CONTRACT


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: list[tuple[str, str]]
    form: list[tuple[str, str]]

    def fields(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key, value in self.form:
            out.setdefault(key, []).append(value)
        return out


@dataclass
class WebhookPost:
    url: str
    params: dict[str, str]
    status: int
    body: str


def _error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"code": code, "message": message, "more_info": "", "status": status}, status_code=status
    )


@dataclass
class FakeTwilio:
    """The fake's state; ``app`` serves the REST API."""

    account_sid: str
    auth_token: str
    pause_scale: float = 0.05  # <Pause length="20"/> lasts 1 s
    ring_scale: float = 0.01  # a ring Timeout of 25 s lasts 0.25 s
    say_s: float = 0.01
    default_callee: Callee = field(default_factory=Callee)
    callees: dict[str, Callee] = field(default_factory=dict)
    numbers: set[str] = field(default_factory=set)  # incoming phone numbers
    verified: set[str] = field(default_factory=set)  # outgoing caller IDs
    calls: dict[str, FakeCall] = field(default_factory=dict)
    conferences: dict[str, Conference] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    webhooks: list[WebhookPost] = field(default_factory=list)
    faults: dict[str, list[int]] = field(default_factory=dict)  # operation -> statuses to answer
    http: httpx.AsyncClient | None = None
    _kicks: dict[str, asyncio.Event] = field(default_factory=dict)
    _posts: set[asyncio.Task[None]] = field(default_factory=set)

    # -- REST API ---------------------------------------------------------------------------
    @property
    def app(self) -> Starlette:
        base = "/2010-04-01/Accounts/{account}"
        table: list[tuple[str, str, str, Handler]] = [
            ("GET", "/2010-04-01/Accounts/{account}.json", "fetch_account", self._account),
            ("POST", base + "/Calls.json", "create_call", self._create),
            ("GET", base + "/Calls.json", "list_calls", self._list_calls),
            ("POST", base + "/Calls/{sid}.json", "update_call", self._update),
            ("GET", base + "/Calls/{sid}.json", "fetch_call", self._fetch),
            ("GET", base + "/IncomingPhoneNumbers.json", "list_numbers", self._numbers),
            ("GET", base + "/OutgoingCallerIds.json", "list_caller_ids", self._caller_ids),
        ]
        routes = [Route(p, self._wrap(op, h), methods=[m]) for m, p, op, h in table]
        return Starlette(routes=routes)

    def fail_next(self, operation: str, *statuses: int) -> None:
        """Answer the next requests of ``operation`` with these HTTP error statuses."""
        self.faults.setdefault(operation, []).extend(statuses)

    def _wrap(self, operation: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            body = (await request.body()).decode()
            rec = RecordedRequest(
                request.method,
                request.url.path,
                list(request.query_params.multi_items()),
                parse_qsl(body, keep_blank_values=True),
            )
            self.requests.append(rec)
            problems = _contract().check(rec.method, rec.path, rec.query, rec.form)
            if problems:
                self.violations.extend(problems)
                return _error(400, 20001, "; ".join(problems))
            if not self._authorized(request):
                return _error(401, 20003, "Authenticate")
            if request.path_params.get("account") != self.account_sid:
                return _error(404, 20404, "The requested resource was not found")
            if self.faults.get(operation):
                status = self.faults[operation].pop(0)
                return _error(status, 20429 if status == 429 else 20500, "injected fault")
            return await handler(request, rec)

        return endpoint

    def _authorized(self, request: Request) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return request.headers.get("authorization", "") == f"Basic {expected}"

    async def _account(self, request: Request, rec: RecordedRequest) -> Response:
        return JSONResponse(
            {"sid": self.account_sid, "friendly_name": "Fake account", "status": "active"}
        )

    def _page(self, key: str, items: list[dict[str, object]]) -> JSONResponse:
        return JSONResponse(
            {key: items, "next_page_uri": None, "page": 0, "page_size": 50, "start": 0}
        )

    async def _numbers(self, request: Request, rec: RecordedRequest) -> Response:
        items = [{"sid": new_sid("PN"), "phone_number": n} for n in sorted(self.numbers)]
        return self._page("incoming_phone_numbers", items)

    async def _caller_ids(self, request: Request, rec: RecordedRequest) -> Response:
        items = [{"sid": new_sid("PN"), "phone_number": n} for n in sorted(self.verified)]
        return self._page("outgoing_caller_ids", items)

    async def _list_calls(self, request: Request, rec: RecordedRequest) -> Response:
        status = request.query_params.get("Status")
        items = [
            c.resource(self.account_sid)
            for c in self.calls.values()
            if status is None or c.status == status
        ]
        return self._page("calls", items)

    async def _create(self, request: Request, rec: RecordedRequest) -> Response:
        params = rec.fields()
        if not _ENDPOINT.match(params["To"][0]):
            return _error(400, 21211, f"Invalid 'To' Phone Number: {params['To'][0]}")
        call = FakeCall(new_sid("CA"), params["To"][0], params["From"][0], params)
        self.calls[call.sid] = call
        self._spawn(call, self._progress(call))
        return JSONResponse(call.resource(self.account_sid), status_code=201)

    async def _fetch(self, request: Request, rec: RecordedRequest) -> Response:
        call = self.calls.get(request.path_params["sid"])
        if call is None:
            return _error(404, 20404, "The requested resource was not found")
        return JSONResponse(call.resource(self.account_sid))

    async def _update(self, request: Request, rec: RecordedRequest) -> Response:
        call = self.calls.get(request.path_params["sid"])
        if call is None:
            return _error(404, 20404, "The requested resource was not found")
        fields = {key: values[0] for key, values in rec.fields().items()}
        status = fields.get("Status")
        if status is not None:
            await self._set_status(call, status)
        elif "Twiml" in fields:
            if call.status != "in-progress":
                return _error(400, 21220, "Call is not in-progress. Cannot redirect.")
            self._play(call, fields["Twiml"])
        return JSONResponse(call.resource(self.account_sid))

    async def _set_status(self, call: FakeCall, status: str) -> None:
        if call.ended:
            return
        if status == "canceled" and call.status in ("queued", "ringing"):
            await self.end_call(call, "canceled")
        elif status == "completed":
            await self.end_call(call, "completed" if call.status == "in-progress" else "canceled")

    # -- call progress ----------------------------------------------------------------------
    def callee_for(self, number: str) -> Callee:
        """The script of ``number``; agents' clients answer at once and stay on the line."""
        if number in self.callees:
            return self.callees[number]
        if number.startswith("client:"):
            return Callee(ring_s=0.005, answer_s=0.005, talk_s=None)
        return self.default_callee

    def _spawn(self, call: FakeCall, work: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        call.tasks.add(task)
        task.add_done_callback(call.tasks.discard)

    def _play(self, call: FakeCall, document: str) -> None:
        if call.script is not None:
            call.script.cancel()
        call.script = asyncio.ensure_future(run_twiml(self, call, document))
        call.tasks.add(call.script)

    def call_params(self, call: FakeCall) -> dict[str, str]:
        return {
            "CallSid": call.sid,
            "AccountSid": self.account_sid,
            "From": call.from_,
            "To": call.to,
            "CallStatus": call.status,
            "Direction": "outbound-api",
            "ApiVersion": "2010-04-01",
        }

    async def _callback(self, call: FakeCall, event: str, extra: dict[str, str]) -> None:
        url = call.param("StatusCallback")
        if not url or (
            event != "completed" and event not in call.params.get("StatusCallbackEvent", [])
        ):
            return
        call.callbacks.append(call.status)
        await self.post_webhook(url, {**self.call_params(call), **extra})

    async def _progress(self, call: FakeCall) -> None:
        callee = self.callee_for(call.to)
        await asyncio.sleep(callee.ring_s)
        if call.ended:
            return
        await self._callback(call, "initiated", {})
        call.status = "ringing"
        await self._callback(call, "ringing", {})
        if callee.outcome == "no-answer":
            await asyncio.sleep(int(call.param("Timeout", "60")) * self.ring_scale)
        else:
            await asyncio.sleep(callee.answer_s)
        if call.ended:
            return
        if callee.outcome in ("busy", "failed", "no-answer"):
            await self.end_call(call, callee.outcome)
            return
        await self._answer(call, callee)

    async def _answer(self, call: FakeCall, callee: Callee) -> None:
        call.status, call.answered_at = "in-progress", time.monotonic()
        self._spawn(call, self._callback(call, "answered", {}))
        if call.param("MachineDetection") and call.param("AsyncAmd") == "true":
            self._spawn(call, self._amd(call, callee))
        if callee.talk_s is not None:
            self._spawn(call, self._hang_up_after(call, callee.talk_s))
        document = call.param("Twiml")
        if not document:
            response = await self.post_webhook(call.param("Url"), self.call_params(call))
            document = response.text
        if not call.ended:
            self._play(call, document)

    async def _amd(self, call: FakeCall, callee: Callee) -> None:
        await asyncio.sleep(callee.amd_s)
        if call.ended:
            return
        human = "human" if callee.outcome == "human" else "machine_end_beep"
        params = {**self.call_params(call), "AnsweredBy": callee.answered_by or human}
        await self.post_webhook(call.param("AsyncAmdStatusCallback"), params)

    async def _hang_up_after(self, call: FakeCall, seconds: float) -> None:
        await asyncio.sleep(seconds)
        await self.end_call(call, "completed")

    async def end_call(self, call: FakeCall, status: str) -> None:
        if call.ended:
            return
        call.status, call.ended_at = status, time.monotonic()
        current = asyncio.current_task()
        for task in list(call.tasks):
            if task is not current:
                task.cancel()
        self.leave_conference(call)
        duration = 0 if call.answered_at is None else int(call.ended_at - call.answered_at)
        # Posted in the background, as Twilio does: a REST request that ends a call is answered
        # before the status callback goes out.
        task = asyncio.ensure_future(
            self._callback(call, "completed", {"CallDuration": str(duration)})
        )
        self._posts.add(task)
        task.add_done_callback(self._posts.discard)
        call.done.set()

    # -- conferences ------------------------------------------------------------------------
    def join_conference(self, call: FakeCall, name: str, ends_it: bool) -> asyncio.Event:
        room = self.conferences.setdefault(name, Conference(name))
        room.members[call.sid] = ends_it
        call.conference = name
        call.joined.append(name)
        kicked = self._kicks[call.sid] = asyncio.Event()
        return kicked

    def leave_conference(self, call: FakeCall) -> None:
        name, call.conference = call.conference, None
        room = self.conferences.get(name or "")
        if room is None or call.sid not in room.members:
            return
        ends_it = room.members.pop(call.sid)
        if ends_it:
            for sid in list(room.members):
                room.members.pop(sid)
                self.calls[sid].conference = None
                self._kicks[sid].set()
            del self.conferences[room.name]

    # -- webhooks ---------------------------------------------------------------------------
    def sign(self, url: str, params: dict[str, str]) -> str:
        return str(RequestValidator(self.auth_token).compute_signature(url, params))

    async def post_webhook(
        self, url: str, params: dict[str, str], *, signature: str | None = None, token: str = ""
    ) -> httpx.Response:
        """POST a webhook the way Twilio does (signed unless ``signature`` is given)."""
        assert self.http is not None
        headers = {
            "X-Twilio-Signature": self.sign(url, params) if signature is None else signature,
            "I-Twilio-Idempotency-Token": token or uuid.uuid4().hex,
        }
        response = await self.http.post(url, data=params, headers=headers)
        self.webhooks.append(WebhookPost(url, params, response.status_code, response.text))
        return response

    async def wait(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``predicate()`` holds (fails the test after ``timeout`` seconds)."""
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.005)

    async def close(self) -> None:
        for task in list(self._posts):
            task.cancel()
        for call in self.calls.values():
            for task in list(call.tasks):
                task.cancel()
        if self.http is not None:
            await self.http.aclose()


@asynccontextmanager
async def serving_fake(fake: FakeTwilio, port: int = 0) -> AsyncIterator[str]:
    """Serve ``fake`` on 127.0.0.1 (``port``, or a free one) while the block runs; yields its
    base URL."""
    fake.http = httpx.AsyncClient(timeout=10)
    try:
        async with serving(fake.app, "127.0.0.1", port) as server:
            yield f"http://127.0.0.1:{server.port}"
    finally:
        await fake.close()


@asynccontextmanager
async def running_fake(
    account_sid: str, auth_token: str, **options: object
) -> AsyncIterator[tuple[FakeTwilio, str]]:
    """Serve a new fake on 127.0.0.1 (a free port); yields it and its base URL."""
    fake = FakeTwilio(account_sid, auth_token, **options)  # type: ignore[arg-type]
    async with serving_fake(fake) as base_url:
        yield fake, base_url
