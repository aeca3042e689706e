"""Building the ASGI app."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp

from dialer.carriers.twilio import TwilioWebhooks
from dialer.web.twilio_hooks import twilio_routes

__all__ = ["build_app"]


async def _health(request: Request) -> Response:
    return PlainTextResponse("ok")


async def _to_console(request: Request) -> Response:
    return RedirectResponse("/console/", status_code=303)


def build_app(hooks: TwilioWebhooks | None, console: ASGIApp | None = None) -> Starlette:
    """The web app: ``/healthz``; given the carrier's webhooks, Twilio's signed routes; given the
    console app (:func:`dialer.web.console.console_app`), the console under ``/console``."""
    routes: list[BaseRoute] = [Route("/healthz", _health, methods=["GET"])]
    if hooks is not None:
        routes.extend(twilio_routes(hooks))
    if console is not None:
        routes.append(Route("/", _to_console, methods=["GET"]))
        routes.append(Mount("/console", console))
    return Starlette(routes=routes)
