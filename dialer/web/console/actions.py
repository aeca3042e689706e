"""How an action's outcome reaches the browser: JSON for the page's script, else a redirect."""

from __future__ import annotations

from collections.abc import Awaitable

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from dialer.errors import ConflictError, DialerError, InputError, NotFoundError
from dialer.web.console.auth import refuse, wants_json

__all__ = ["perform"]


def _status(exc: DialerError) -> int:
    if isinstance(exc, InputError):
        return 400
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConflictError):
        return 409
    return 500


async def perform(request: Request, action: Awaitable[None], back: str) -> Response:
    """Run ``action``; answer ``{"ok": true}`` or the error's message (JSON), else redirect."""
    try:
        await action
    except DialerError as exc:
        return refuse(request, _status(exc), str(exc))
    if wants_json(request):
        return JSONResponse({"ok": True})
    return RedirectResponse(back, status_code=303)
