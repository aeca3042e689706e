"""Signing in and out, and the landing page that sends each role to its view."""

from __future__ import annotations

import contextlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dialer.access.roles import Permission, Role, allowed
from dialer.access.sessions import Authenticated
from dialer.errors import DialerError
from dialer.web.console.auth import CSRF_FIELD, SESSION_COOKIE, guarded, session_token
from dialer.web.console.context import Console, console_of

__all__ = ["login_routes"]

LOGIN_CSRF_COOKIE = "dialer_login_csrf"


def _home(console: Console, role: Role) -> str:
    return console.url("/agent" if allowed(role, Permission.TAKE_CALLS) else "/supervisor")


def _form_page(console: Console, request: Request, error: str = "", status: int = 200) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = console.templates.TemplateResponse(
        request,
        "login.html",
        {"console": console, "csrf_token": token, "error": error},
        status_code=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=console.secure_cookies,
        path=console.url("/login"),
    )
    return response


async def login_page(request: Request) -> Response:
    console = console_of(request)
    auth = console.sessions.resolve(session_token(request))
    if auth is not None:
        return RedirectResponse(_home(console, auth.user.role), status_code=303)
    return _form_page(console, request)


async def login_submit(request: Request) -> Response:
    console = console_of(request)
    form = await request.form()
    given, expected = str(form.get(CSRF_FIELD, "")), request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        return _form_page(console, request, "the form expired: try again", status=403)
    signed = console.sessions.sign_in(str(form.get("username", "")), str(form.get("password", "")))
    if signed is None:
        return _form_page(console, request, "wrong username or password", status=401)
    token, auth = signed
    response = RedirectResponse(_home(console, auth.user.role), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=console.secure_cookies,
        path=console.prefix or "/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=console.url("/login"))
    return response


async def _logout(request: Request, console: Console, auth: Authenticated) -> Response:
    if allowed(auth.user.role, Permission.TAKE_CALLS):
        view = await console.backend.agent_view(auth.user.username)
        if view.call is not None:
            return console.templates.TemplateResponse(
                request,
                "message.html",
                {"console": console, "message": "finish your call before signing out"},
                status_code=409,
            )
        with contextlib.suppress(DialerError):  # not signed on to any campaign
            await console.backend.agent_logout(auth.user.username)
    console.sessions.sign_out(session_token(request))
    response = RedirectResponse(console.url("/login"), status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=console.prefix or "/")
    return response


async def _landing(request: Request, console: Console, auth: Authenticated) -> Response:
    return RedirectResponse(_home(console, auth.user.role), status_code=303)


def login_routes() -> list[Route]:
    return [
        Route("/", guarded(None, _landing), methods=["GET"]),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login_submit, methods=["POST"]),
        Route("/logout", guarded(None, _logout), methods=["POST"]),
    ]
