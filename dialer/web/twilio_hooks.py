"""Twilio's webhook routes: thin adapters from signed HTTP requests to ``TwilioWebhooks``.

A request whose signature does not check out gets 403, is logged (path and client, never the
token), and reaches no handler, so it changes nothing.

Each route's endpoint is a plain ASGI callable (no ``Request`` object, the form parsed once):
the answer webhook is on the 2-second path, so it does as little as it can.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from twilio.request_validator import RequestValidator

from dialer.carriers.twilio import TwilioWebhooks, twiml
from dialer.web.signature import SIGNATURE_HEADER, FormFields, candidate_urls, is_signed

__all__ = ["twilio_routes"]

log = logging.getLogger(__name__)
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"
#: What a handler answers: TwiML (200, XML) or None (204, no body).
Handler = Callable[[TwilioWebhooks, "Webhook"], Awaitable[str | None]]


class Webhook:
    """A signed Twilio request: its form fields, query and idempotency token."""

    def __init__(self, form: FormFields, query: str, headers: Headers) -> None:
        self.params = form.first()
        self.query = dict(parse_qsl(query, keep_blank_values=True))
        self.token = headers.get(IDEMPOTENCY_HEADER, "")


async def _body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _respond(send: Send, status: int, body: bytes, media_type: str = "") -> None:
    headers = [(b"content-length", str(len(body)).encode())]
    if media_type:
        headers.append((b"content-type", media_type.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SignedEndpoint:
    """The ASGI endpoint of one webhook path: check the signature, then run the handler."""

    def __init__(self, hooks: TwilioWebhooks, path: str, handle: Handler) -> None:
        self.hooks = hooks
        self.path = path
        self.handle = handle
        self.validator = RequestValidator(hooks.auth_token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        form = FormFields((await _body(receive)).decode("utf-8", errors="replace"))
        headers = Headers(scope=scope)
        query = scope.get("query_string", b"").decode("latin-1")
        urls = candidate_urls(
            self.hooks.public_url, self.path, scope["path"], query, headers, scope["scheme"]
        )
        if not is_signed(self.validator, urls, form, headers.get(SIGNATURE_HEADER, "")):
            client = scope["client"][0] if scope.get("client") else "?"
            log.warning("refused %s from %s: invalid %s", self.path, client, SIGNATURE_HEADER)
            await _respond(send, 403, b"invalid signature", "text/plain; charset=utf-8")
            return
        reply = await self.handle(self.hooks, Webhook(form, query, headers))
        if reply is None:
            await _respond(send, 204, b"")
        else:
            await _respond(send, 200, reply.encode(), "application/xml")


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


def twilio_routes(hooks: TwilioWebhooks) -> list[Route]:
    """The signed webhook routes, at the paths the carrier gives Twilio."""
    table: dict[str, Handler] = {
        twiml.ANSWER_PATH: _answer,
        twiml.GATHER_PATH: _gather,
        twiml.STATUS_PATH: _status,
        twiml.AMD_PATH: _amd,
        twiml.AGENT_STATUS_PATH: _agent_status,
    }
    return [
        Route(path, SignedEndpoint(hooks, path, handle), methods=["POST"])
        for path, handle in table.items()
    ]
