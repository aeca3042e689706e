"""Guards: who is signed in, may they do this, and does a state-changing request carry the
session's CSRF token. Every console route goes through :func:`guarded`."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from dialer.access.roles import Permission, allowed
from dialer.access.sessions import Authenticated
from dialer.web.console.context import Console, console_of

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "Handler",
    "guarded",
    "refuse",
    "session_token",
    "wants_json",
]

SESSION_COOKIE = "dialer_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

Handler = Callable[[Request, Console, Authenticated], Awaitable[Response]]


def session_token(request: Request) -> str:
    return request.cookies.get(SESSION_COOKIE, "")


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def refuse(request: Request, status: int, message: str) -> Response:
    if wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    return PlainTextResponse(message, status_code=status)


async def _csrf_ok(request: Request, expected: str) -> bool:
    given = request.headers.get(CSRF_HEADER, "")
    if not given:
        form = await request.form()
        value = form.get(CSRF_FIELD, "")
        given = value if isinstance(value, str) else ""
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def guarded(
    permission: Permission | None, handler: Handler
) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint that runs ``handler`` only for a live session whose role has ``permission``
    (None: any signed-in user); a POST must also carry the session's CSRF token."""

    async def endpoint(request: Request) -> Response:
        console = console_of(request)
        auth = console.sessions.resolve(session_token(request))
        if auth is None:
            if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
                return RedirectResponse(console.url("/login"), status_code=303)
            return refuse(request, 401, "your session has ended: sign in again")
        if permission is not None and not allowed(auth.user.role, permission):
            return refuse(request, 403, f"the {auth.user.role} role may not do this")
        if request.method != "GET" and not await _csrf_ok(request, auth.csrf_token):
            return refuse(request, 403, "refused: missing or wrong CSRF token (reload the page)")
        return await handler(request, console, auth)

    return endpoint
