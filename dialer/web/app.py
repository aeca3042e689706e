"""Building the ASGI app."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.carriers.twilio import TwilioWebhooks
from dialer.web.twilio_hooks import twilio_routes

__all__ = ["build_app"]


async def _health(request: Request) -> Response:
    return PlainTextResponse("ok")


def build_app(hooks: TwilioWebhooks | None) -> Starlette:
    """The web app: ``/healthz`` and, given the carrier's webhooks, Twilio's signed routes."""
    routes: list[BaseRoute] = [Route("/healthz", _health, methods=["GET"])]
    if hooks is not None:
        routes.extend(twilio_routes(hooks))
    return Starlette(routes=routes)
