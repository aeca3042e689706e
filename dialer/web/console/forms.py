"""Reading the console's forms into backend values; bad input raises InputError."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dialer.errors import InputError
from dialer.web.console.backend import CallInfo, DispositionInput

__all__ = ["callback_instant", "field", "parse_disposition", "parse_int"]


def field(form: Mapping[str, object], name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def parse_int(form: Mapping[str, object], name: str) -> int:
    raw = field(form, name)
    if not raw.isdigit():
        raise InputError(f"{name} is missing or not a number")
    return int(raw)


def callback_instant(local: str, call: CallInfo, now: datetime) -> datetime:
    """The UTC instant of ``local`` (``YYYY-MM-DDTHH:MM`` in the lead's zone), if allowed."""
    hours = call.callback_hours
    try:
        zone = ZoneInfo(hours.timezone)
        naive = datetime.fromisoformat(local)
    except (ValueError, ZoneInfoNotFoundError) as exc:
        raise InputError("the callback date and time are missing or invalid") from exc
    if naive.tzinfo is not None:
        raise InputError("give the callback time in the lead's local time, without an offset")
    at = naive.replace(tzinfo=zone)
    if at <= now:
        raise InputError("the callback time is in the past")
    if not hours.allows(at.timetz().replace(tzinfo=None)):
        raise InputError(
            f"callbacks are allowed between {hours.local_start:%H:%M} and "
            f"{hours.local_end:%H:%M} ({hours.timezone})"
        )
    return at.astimezone(UTC)


def parse_disposition(
    form: Mapping[str, object], call: CallInfo, now: datetime
) -> DispositionInput:
    code = field(form, "disposition")
    choice = next((d for d in call.dispositions if d.code == code), None)
    if choice is None:
        raise InputError("choose a disposition")
    dnc_request = field(form, "dnc_request") == "on"
    callback_at = None
    if choice.callback:
        if dnc_request:
            raise InputError("a person who asked not to be called again gets no callback")
        callback_at = callback_instant(field(form, "callback_local"), call, now)
    return DispositionInput(
        code=code,
        callback_at=callback_at,
        dnc_request=dnc_request,
        note=field(form, "note")[:500],
    )
