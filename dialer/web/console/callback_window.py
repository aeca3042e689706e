"""When an agent may schedule a callback: the lead's calling windows under the compliance rules
(federal and every candidate state, holidays, the campaign's own hours), in the lead's local time.

:func:`callback_window` gives the hours to show on the disposition form (the next seven local days)
and the window to check a chosen time against; :func:`check_callback` refuses a time outside it,
naming the next allowed one. When the rules cannot be applied to the lead (unknown zone or state,
no rules for the purpose) the default hours of ``callback_hours.yaml`` are shown and the compliance
gate, which fails closed, decides when the callback is dialed.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from compliance.api import CampaignFacts, LeadFacts
from compliance.plan import build_plan
from compliance.rules import default_rules
from compliance.windows import WindowSpec, check_window, day_span, next_allowed
from dialer.errors import InputError
from dialer.web.console.backend import CallbackHours

__all__ = ["HOURS_FILE", "callback_window", "check_callback"]

HOURS_FILE = Path(__file__).with_name("callback_hours.yaml")
DAYS_SHOWN = 7


@cache
def _default_hours() -> dict[str, str]:
    data: dict[str, str] = yaml.safe_load(HOURS_FILE.read_text(encoding="utf-8"))
    return data


def _clock(minutes: int) -> time:
    return time(23, 59) if minutes >= 24 * 60 else time(minutes // 60, minutes % 60)


def _fallback(zone: str, campaign: CampaignFacts) -> CallbackHours:
    if campaign.local_start and campaign.local_end:
        start, end = (
            time.fromisoformat(campaign.local_start),
            time.fromisoformat(campaign.local_end),
        )
        return CallbackHours(zone, start, end, "the campaign's hours")
    hours = _default_hours()
    start, end = time.fromisoformat(hours["local_start"]), time.fromisoformat(hours["local_end"])
    return CallbackHours(zone, start, end, hours["note"])


def callback_window(
    lead: LeadFacts, campaign: CampaignFacts, zone: str, now: datetime
) -> tuple[CallbackHours, WindowSpec | None]:
    plan = build_plan(
        default_rules(),
        campaign.country,
        tuple(lead.states),
        tuple(lead.timezones),
        campaign.purpose,
        True,  # the dialer places the callback itself
        campaign.local_start,
        campaign.local_end,
    )
    if plan.error is not None or plan.window is None:
        return _fallback(zone, campaign), None
    spec = plan.window
    today = now.astimezone(ZoneInfo(zone)).date()
    days = [(d, day_span(spec, d)) for d in (today + timedelta(days=i) for i in range(DAYS_SHOWN))]
    open_days = [span for _, span in days if span[0] < span[1]]
    if not open_days:
        return CallbackHours(zone, time(0), time(0), "no calling hours in the next 7 days"), spec
    shown = " · ".join(
        f"{d:%a} {_clock(s[0]):%H:%M}-{_clock(s[1]):%H:%M}" if s[0] < s[1] else f"{d:%a} closed"
        for d, s in days
    )
    start = _clock(min(s[0] for s in open_days))
    end = _clock(max(s[1] for s in open_days))
    return CallbackHours(zone, start, end, shown), spec


def check_callback(spec: WindowSpec | None, at: datetime, zone: str) -> None:
    """Refuse a callback at ``at`` outside the lead's calling window, naming the next allowed."""
    if spec is None or check_window(spec, at):
        return
    following = next_allowed(spec, at)
    if following is None:
        raise InputError("no time in the coming weeks allows calling this lead back")
    local = following.astimezone(ZoneInfo(zone))
    raise InputError(
        f"the lead may not be called at that time; the next allowed time is "
        f"{local:%a %Y-%m-%d %H:%M} ({zone})"
    )
