"""Twilio's webhook endpoints: thin adapters from signed HTTP requests to ``TwilioWebhooks``.

A request whose signature does not check out gets 403, is logged (path and client, never the
token), and reaches no handler, so it changes nothing.

Each endpoint answers a :class:`RawRequest` (:meth:`SignedEndpoint.respond`), called straight
from the HTTP protocol (:mod:`dialer.web.fastpath`) or, as a plain ASGI callable, without a
framework's middleware or router (:mod:`dialer.web.app`): the answer webhook is on the 2-second
path and 200 of them may arrive at once, so each does as little as it can: the headers it needs
picked in one pass, the form parsed once, one HMAC with a key set up once, the query's fields
cached (our URLs carry a few distinct queries; only signed requests reach that cache), TwiML
from a template or a cache.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple
from urllib.parse import parse_qsl

from starlette.types import Receive, Scope, Send
from twilio.request_validator import RequestValidator

from dialer.carriers.twilio import TwilioWebhooks, twiml
from dialer.web.signature import SIGNATURE_HEADER, FormFields, candidate_urls, is_signed

__all__ = ["MAX_BODY", "TOO_LARGE", "RawRequest", "Reply", "SignedEndpoint", "twilio_endpoints"]

log = logging.getLogger(__name__)
IDEMPOTENCY_HEADER = "i-twilio-idempotency-token"
#: The request headers an endpoint reads (ASGI gives names in lower case).
_WANTED = frozenset(
    name.encode()
    for name in (
        SIGNATURE_HEADER.lower(),
        IDEMPOTENCY_HEADER,
        "x-forwarded-proto",
        "x-forwarded-host",
        "host",
    )
)
_SIGNATURE = SIGNATURE_HEADER.lower()
_XML = b"application/xml"
_TEXT = b"text/plain; charset=utf-8"
#: What a handler answers: TwiML (200, XML) or None (204, no body).
Handler = Callable[[TwilioWebhooks, "Webhook"], Awaitable[str | None]]


class Webhook:
    """A signed Twilio request: its form fields, query and idempotency token."""

    def __init__(self, form: FormFields, query: str, headers: dict[str, str]) -> None:
        self.params = form.first()
        self.query = _query(query)
        self.token = headers.get(IDEMPOTENCY_HEADER, "")


@lru_cache(maxsize=1024)
def _query(query: str) -> Mapping[str, str]:
    """A query string's fields (read-only; our URLs carry a handful of distinct queries)."""
    return MappingProxyType(dict(parse_qsl(query, keep_blank_values=True)))


def _headers(raw: Sequence[tuple[bytes, bytes]]) -> dict[str, str]:
    """The headers an endpoint reads, by lower-case name (the first of repeated ones)."""
    found: dict[str, str] = {}
    for name, value in raw:
        if name in _WANTED:
            found.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return found


async def _body(receive: Receive) -> bytes | None:
    """The request's body (None: over :data:`MAX_BODY`)."""
    message = await receive()
    body: bytes = message.get("body", b"")
    if not message.get("more_body", False):
        return body if len(body) <= MAX_BODY else None  # the usual case: one message
    chunks, size = [body], len(body)
    while message.get("more_body", False):
        message = await receive()
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > MAX_BODY:
            return None
    return b"".join(chunks)


class RawRequest(NamedTuple):
    """What an endpoint needs of a request, however it was read (ASGI or the fast path)."""

    path: str  # as requested (the proxy may have changed it; the signature may say so)
    query: str
    headers: Sequence[tuple[bytes, bytes]]  # lower-case names
    body: bytes
    scheme: str
    client: str


class Reply(NamedTuple):
    status: int
    body: bytes
    media_type: bytes | None  # the Content-Type, if any


_FORGED = Reply(403, b"invalid signature", _TEXT)
#: Twilio's form posts are a few kilobytes at most; a larger body is refused (413).
MAX_BODY = 64 * 1024
TOO_LARGE = Reply(413, b"request body too large", _TEXT)
_EMPTY = Reply(204, b"", None)


class SignedEndpoint:
    """One webhook path: check the signature, then run the handler.

    :meth:`respond` is the endpoint proper; calling the object serves it over ASGI. The
    webhook server's HTTP protocol (:mod:`dialer.web.fastpath`) calls :meth:`respond` itself.
    """

    def __init__(self, hooks: TwilioWebhooks, path: str, handle: Handler) -> None:
        self.hooks = hooks
        self.path = path
        self.handle = handle
        self.validator = RequestValidator(hooks.auth_token)

    async def respond(self, request: RawRequest) -> Reply:
        form = FormFields(request.body.decode("utf-8", errors="replace"))
        headers = _headers(request.headers)
        urls = candidate_urls(
            self.hooks.public_url, self.path, request.path, request.query, headers, request.scheme
        )
        if not is_signed(self.validator, urls, form, headers.get(_SIGNATURE, "")):
            log.warning(
                "refused %s from %s: invalid %s", self.path, request.client, SIGNATURE_HEADER
            )
            return _FORGED
        reply = await self.handle(self.hooks, Webhook(form, request.query, headers))
        return _EMPTY if reply is None else Reply(200, reply.encode(), _XML)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        body = await _body(receive)
        if body is None:
            reply = TOO_LARGE
        else:
            request = RawRequest(
                scope["path"],
                scope.get("query_string", b"").decode("latin-1"),
                scope["headers"],
                body,
                scope["scheme"],
                client[0] if client else "?",
            )
            reply = await self.respond(request)
        status, content, media_type = reply
        headers = [(b"content-length", b"%d" % len(content))]
        if media_type:
            headers.append((b"content-type", media_type))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})


async def _answer(hooks: TwilioWebhooks, hook: Webhook) -> str | None:
    return await hooks.answer(hook.params, hook.query, hook.token)


async def _gather(hooks: TwilioWebhooks, hook: Webhook) -> str | None:
    return await hooks.gather(hook.params, hook.token)


async def _status(hooks: TwilioWebhooks, hook: Webhook) -> str | None:
    await hooks.status(hook.params)
    return None


async def _amd(hooks: TwilioWebhooks, hook: Webhook) -> str | None:
    await hooks.amd(hook.params)
    return None


async def _agent_status(hooks: TwilioWebhooks, hook: Webhook) -> str | None:
    await hooks.agent_status(hook.params, hook.query)
    return None


def twilio_endpoints(hooks: TwilioWebhooks) -> dict[str, SignedEndpoint]:
    """The signed webhook endpoints (POST only), by the paths the carrier gives Twilio."""
    table: dict[str, Handler] = {
        twiml.ANSWER_PATH: _answer,
        twiml.GATHER_PATH: _gather,
        twiml.STATUS_PATH: _status,
        twiml.AMD_PATH: _amd,
        twiml.AGENT_STATUS_PATH: _agent_status,
    }
    return {path: SignedEndpoint(hooks, path, handle) for path, handle in table.items()}
