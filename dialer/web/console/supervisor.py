"""The supervisor view's routes: figures for every watcher, controls for those allowed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from dialer.access.roles import Permission, allowed
from dialer.access.sessions import Authenticated
from dialer.errors import InputError
from dialer.web.console.actions import perform
from dialer.web.console.auth import guarded
from dialer.web.console.context import Console
from dialer.web.console.forms import field, parse_int
from dialer.web.console.stream import event_stream

__all__ = ["supervisor_routes"]


async def render_panel(console: Console, auth: Authenticated) -> str:
    snapshot = await console.backend.supervisor_snapshot()
    template = console.templates.get_template("_supervisor_panel.html")
    return template.render(_context(console, auth) | {"snap": snapshot})


def _context(console: Console, auth: Authenticated) -> dict[str, object]:
    return {
        "console": console,
        "user": auth.user,
        "csrf_token": auth.csrf_token,
        "can_control": allowed(auth.user.role, Permission.CONTROL_CAMPAIGNS),
    }


async def _page(request: Request, console: Console, auth: Authenticated) -> Response:
    panel = await render_panel(console, auth)
    return console.templates.TemplateResponse(
        request, "supervisor.html", _context(console, auth) | {"panel": panel}
    )


async def _panel(request: Request, console: Console, auth: Authenticated) -> Response:
    return HTMLResponse(await render_panel(console, auth))


async def _events(request: Request, console: Console, auth: Authenticated) -> Response:
    async def render() -> str:
        return await render_panel(console, auth)

    return event_stream(request, console, render, console.backend.supervisor_events())


async def _campaign(request: Request, console: Console, auth: Authenticated) -> Response:
    form = await request.form()
    action = field(form, "action")

    async def act() -> None:
        campaign_id = parse_int(form, "campaign_id")
        if action in ("start", "pause"):
            await console.backend.set_campaign_running(campaign_id, action == "start")
        elif action == "dial_mode":
            await console.backend.set_dial_mode(campaign_id, field(form, "dial_mode"))
        else:
            raise InputError("unknown campaign action")

    return await perform(request, act(), console.url("/supervisor"))


def supervisor_routes() -> list[Route]:
    watch, control = Permission.WATCH, Permission.CONTROL_CAMPAIGNS
    return [
        Route("/supervisor", guarded(watch, _page), methods=["GET"]),
        Route("/supervisor/panel", guarded(watch, _panel), methods=["GET"]),
        Route("/supervisor/events", guarded(watch, _events), methods=["GET"]),
        Route("/supervisor/campaign", guarded(control, _campaign), methods=["POST"]),
    ]
