"""Generated campaigns and leads for demos and simulations (fictitious numbers, one zone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from campaigns.enums import CampaignStatus, DialMode, Purpose
from campaigns.models import Lead
from campaigns.service import CampaignSpec, create_campaign, get_or_create_list

__all__ = ["DemoSpec", "create_demo_campaign", "demo_start"]

_LEADS: Table = Lead.__table__  # type: ignore[assignment]
_FIRST = ("Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun")
_LAST = ("Moss", "Reyes", "Kato", "Novak", "Ortiz", "Patel", "Quinn", "Sato", "Tran", "Weber")


@dataclass(frozen=True)
class DemoSpec:
    name: str = "Demo survey"
    purpose: Purpose = Purpose.SURVEY
    dial_mode: DialMode = DialMode.PROGRESSIVE
    caller_id: str = "+14155552671"
    leads: int = 2000
    first_number: int = 2_025_550_000  # national numbers from here on (fictitious)
    timezone: str = "America/New_York"
    state: str = "NY"
    max_wrap_s: float = 600.0
    abandon_target: float | None = None
    batch: int = 20_000


#: Names the seller, gives a callback number and an opt-out, as the start-up checks require.
DEMO_SAFE_HARBOR = (
    "This is Open Dialer Demo calling. Sorry we missed you; call us back at 415-555-2671. "
    "Press 9 to be placed on our do-not-call list."
)


def create_demo_campaign(session: Session, spec: DemoSpec, now: datetime) -> int:
    """Create an active campaign with ``spec.leads`` generated leads; returns its id."""
    campaign = create_campaign(
        session,
        spec.name,
        CampaignSpec(
            purpose=spec.purpose,
            caller_id=spec.caller_id,
            dial_mode=spec.dial_mode,
            abandon_target=spec.abandon_target,
            safe_harbor_message=DEMO_SAFE_HARBOR,
        ),
        now,
    )
    campaign.status = CampaignStatus.ACTIVE
    campaign.max_wrap_s = spec.max_wrap_s
    lead_list = get_or_create_list(session, campaign, "generated", now)
    for start in range(0, spec.leads, spec.batch):
        rows = [
            _lead(campaign.id, lead_list.id, spec, i, now)
            for i in range(start, min(spec.leads, start + spec.batch))
        ]
        session.execute(insert(_LEADS), rows)
    return campaign.id


def _lead(campaign_id: int, list_id: int, spec: DemoSpec, i: int, now: datetime) -> dict[str, Any]:
    return {
        "campaign_id": campaign_id,
        "list_id": list_id,
        "phone": f"+1{spec.first_number + i}",
        "first_name": _FIRST[i % len(_FIRST)],
        "last_name": _LAST[(i // len(_FIRST)) % len(_LAST)],
        "state": spec.state,
        "timezones": [spec.timezone],
        "states": [f"US-{spec.state}"],
        "line_type": "landline",
        "consent_type": "none",
        "written_permission": False,
        "custom": {},
        "status": "new",
        "attempts": 0,
        "created_at": now,
    }


def demo_start(now: datetime, zone: str = "America/New_York", hour: int = 10) -> datetime:
    """The next weekday (not a US federal holiday) at ``hour``:00 in ``zone``, at or after
    ``now``: a time every rule allows calling the demo's leads."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    day = local.date() if local.hour < hour else local.date() + timedelta(days=1)
    federal = holidays.country_holidays("US", years=range(day.year, day.year + 2))
    while day.weekday() >= 5 or day in federal:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), tz).astimezone(UTC)
