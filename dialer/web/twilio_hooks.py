"""Twilio's webhook routes: thin adapters from signed HTTP requests to ``TwilioWebhooks``.

A request whose signature does not check out gets 403, is logged (path and client, never the
token), and reaches no handler, so it changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from dialer.carriers.twilio import TwilioWebhooks, twiml
from dialer.web.signature import SIGNATURE_HEADER, FormFields, candidate_urls, is_signed

__all__ = ["twilio_routes"]

log = logging.getLogger(__name__)
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"
Handler = Callable[[TwilioWebhooks, "Webhook"], Awaitable[Response]]


class Webhook:
    """A signed Twilio request: its form fields, query and idempotency token."""

    def __init__(self, request: Request, form: FormFields) -> None:
        self.params = form.first()
        self.query = dict(request.query_params)
        self.token = request.headers.get(IDEMPOTENCY_HEADER, "")


def _xml(document: str) -> Response:
    return Response(document, media_type="application/xml")


def _route(hooks: TwilioWebhooks, path: str, handle: Handler) -> Route:
    validator = RequestValidator(hooks.auth_token)

    async def endpoint(request: Request) -> Response:
        body = (await request.body()).decode("utf-8", errors="replace")
        form = FormFields(body)
        urls = candidate_urls(
            hooks.public_url,
            path,
            request.url.path,
            request.scope.get("query_string", b"").decode("latin-1"),
            request.headers,
            request.url.scheme,
        )
        if not is_signed(validator, urls, form, request.headers.get(SIGNATURE_HEADER, "")):
            client = request.client.host if request.client else "?"
            log.warning("refused %s from %s: invalid %s", path, client, SIGNATURE_HEADER)
            return Response("invalid signature", status_code=403)
        return await handle(hooks, Webhook(request, form))

    return Route(path, endpoint, methods=["POST"])


async def _answer(hooks: TwilioWebhooks, hook: Webhook) -> Response:
    return _xml(await hooks.answer(hook.params, hook.query, hook.token))


async def _gather(hooks: TwilioWebhooks, hook: Webhook) -> Response:
    return _xml(await hooks.gather(hook.params, hook.token))


async def _status(hooks: TwilioWebhooks, hook: Webhook) -> Response:
    await hooks.status(hook.params)
    return Response(status_code=204)


async def _amd(hooks: TwilioWebhooks, hook: Webhook) -> Response:
    await hooks.amd(hook.params)
    return Response(status_code=204)


async def _agent_status(hooks: TwilioWebhooks, hook: Webhook) -> Response:
    await hooks.agent_status(hook.params, hook.query)
    return Response(status_code=204)


def twilio_routes(hooks: TwilioWebhooks) -> list[Route]:
    """The signed webhook routes, at the paths the carrier gives Twilio."""
    table: dict[str, Handler] = {
        twiml.ANSWER_PATH: _answer,
        twiml.GATHER_PATH: _gather,
        twiml.STATUS_PATH: _status,
        twiml.AMD_PATH: _amd,
        twiml.AGENT_STATUS_PATH: _agent_status,
    }
    return [_route(hooks, path, handle) for path, handle in table.items()]
