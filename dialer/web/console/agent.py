"""The agent console's routes. The agent is always the signed-in user; call and lead ids in a
form are checked against that agent's own call or preview before anything is done."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from dialer.access.roles import Permission
from dialer.access.sessions import Authenticated
from dialer.errors import InputError
from dialer.web.console.actions import perform
from dialer.web.console.auth import guarded, refuse
from dialer.web.console.backend import AgentView
from dialer.web.console.context import Console
from dialer.web.console.forms import field, parse_disposition, parse_int
from dialer.web.console.stream import event_stream

__all__ = ["agent_routes"]

NOT_YOURS = "this is not your call"


def _context(console: Console, auth: Authenticated, view: AgentView) -> dict[str, object]:
    return {"console": console, "user": auth.user, "csrf_token": auth.csrf_token, "view": view}


async def render_panel(console: Console, auth: Authenticated) -> str:
    view = await console.backend.agent_view(auth.user.username)
    template = console.templates.get_template("_agent_panel.html")
    return template.render(_context(console, auth, view))


async def _page(request: Request, console: Console, auth: Authenticated) -> Response:
    view = await console.backend.agent_view(auth.user.username)
    return console.templates.TemplateResponse(request, "agent.html", _context(console, auth, view))


async def _panel(request: Request, console: Console, auth: Authenticated) -> Response:
    return HTMLResponse(await render_panel(console, auth))


async def _events(request: Request, console: Console, auth: Authenticated) -> Response:
    async def render() -> str:
        return await render_panel(console, auth)

    return event_stream(request, console, render, console.backend.agent_events(auth.user.username))


async def _campaigns(request: Request, console: Console, auth: Authenticated) -> Response:
    form = await request.form()
    ids = [int(v) for v in form.getlist("campaign") if isinstance(v, str) and v.isdigit()]

    async def act() -> None:
        if not ids:
            raise InputError("choose at least one campaign")
        await console.backend.agent_login(auth.user.username, ids)

    return await perform(request, act(), console.url("/agent"))


async def _ready(request: Request, console: Console, auth: Authenticated) -> Response:
    return await perform(
        request, console.backend.agent_ready(auth.user.username), console.url("/agent")
    )


async def _pause(request: Request, console: Console, auth: Authenticated) -> Response:
    form = await request.form()
    view = await console.backend.agent_view(auth.user.username)
    code = field(form, "pause_code")

    async def act() -> None:
        if code not in view.pause_codes:
            raise InputError("choose a pause code")
        await console.backend.agent_pause(auth.user.username, code)

    return await perform(request, act(), console.url("/agent"))


async def _logout(request: Request, console: Console, auth: Authenticated) -> Response:
    return await perform(
        request, console.backend.agent_logout(auth.user.username), console.url("/agent")
    )


async def _hang_up(request: Request, console: Console, auth: Authenticated) -> Response:
    form = await request.form()
    view = await console.backend.agent_view(auth.user.username)
    call_id = field(form, "call_id")
    if view.call is None or view.call.call_id != call_id:
        return refuse(request, 403, NOT_YOURS)
    return await perform(
        request, console.backend.hang_up(auth.user.username, call_id), console.url("/agent")
    )


async def _disposition(request: Request, console: Console, auth: Authenticated) -> Response:
    form = await request.form()
    view = await console.backend.agent_view(auth.user.username)
    call = view.call
    if call is None or call.call_id != field(form, "call_id"):
        return refuse(request, 403, NOT_YOURS)

    async def act() -> None:
        choice = parse_disposition(form, call, view.now)
        await console.backend.disposition(auth.user.username, call.call_id, choice)

    return await perform(request, act(), console.url("/agent"))


async def _preview(request: Request, console: Console, auth: Authenticated) -> Response:
    form = await request.form()
    view = await console.backend.agent_view(auth.user.username)
    lead_id = field(form, "lead_id")
    if view.preview is None or str(view.preview.lead.lead_id) != lead_id:
        return refuse(request, 403, "this is not your preview lead")
    decision = field(form, "decision")
    agent, lead = auth.user.username, parse_int(form, "lead_id")

    async def act() -> None:
        if decision == "dial":
            await console.backend.preview_dial(agent, lead)
        elif decision == "skip":
            await console.backend.preview_skip(agent, lead)
        else:
            raise InputError("choose Dial or Skip")

    return await perform(request, act(), console.url("/agent"))


def agent_routes() -> list[Route]:
    take = Permission.TAKE_CALLS
    posts = {
        "/agent/campaigns": _campaigns,
        "/agent/ready": _ready,
        "/agent/pause": _pause,
        "/agent/logout": _logout,
        "/agent/hangup": _hang_up,
        "/agent/disposition": _disposition,
        "/agent/preview": _preview,
    }
    return [
        Route("/agent", guarded(take, _page), methods=["GET"]),
        Route("/agent/panel", guarded(take, _panel), methods=["GET"]),
        Route("/agent/events", guarded(take, _events), methods=["GET"]),
        *(Route(path, guarded(take, handler), methods=["POST"]) for path, handler in posts.items()),
    ]
