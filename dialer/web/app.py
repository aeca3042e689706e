"""Building the ASGI app."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from dialer.carriers.twilio import TwilioWebhooks
from dialer.web.twilio_hooks import SignedEndpoint, twilio_endpoints

__all__ = ["WebhooksFirst", "build_app"]


async def _health(request: Request) -> Response:
    return PlainTextResponse("ok")


async def _to_console(request: Request) -> Response:
    return RedirectResponse("/console/", status_code=303)


class WebhooksFirst:
    """Twilio's webhook paths straight to their endpoints; anything else to ``rest``.

    The webhooks skip the framework's middleware and router (one dict look-up instead): on a
    burst of answers their cost per request is what the last caller waits for. The web server
    takes ``webhooks`` from here for its fast path (:mod:`dialer.web.fastpath`), which answers
    most webhook requests before they become ASGI requests at all.
    """

    def __init__(self, webhooks: Mapping[str, SignedEndpoint], rest: ASGIApp) -> None:
        self.webhooks = dict(webhooks)
        self.rest = rest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (endpoint := self.webhooks.get(scope["path"])):
            if scope["method"] == "POST":
                await endpoint(scope, receive, send)
            else:
                refusal = PlainTextResponse("Method Not Allowed", 405, headers={"Allow": "POST"})
                await refusal(scope, receive, send)
            return
        await self.rest(scope, receive, send)


def build_app(hooks: TwilioWebhooks | None, console: ASGIApp | None = None) -> ASGIApp:
    """The web app: ``/healthz``; given the carrier's webhooks, Twilio's signed endpoints; given
    the console app (:func:`dialer.web.console.console_app`), the console under ``/console``."""
    routes: list[BaseRoute] = [Route("/healthz", _health, methods=["GET"])]
    if console is not None:
        routes.append(Route("/", _to_console, methods=["GET"]))
        routes.append(Mount("/console", console))
    rest = Starlette(routes=routes)
    if hooks is None:
        return rest
    return WebhooksFirst(twilio_endpoints(hooks), rest)
