"""Campaign hours: a campaign with its own calling hours (``Campaign.local_start`` and
``local_end``, in the called party's local time) dials only while it is within them somewhere its
leads are; outside them everywhere its dialing pauses, and it resumes when they open again.

The compliance gate still checks each lead's own window before it is dialed; this check spares a
campaign that nobody may be called for from claiming leads only to have every one denied and
rescheduled. It runs on the engine's clock every ``every_s`` (60 s) in each dialer process, since
each process pauses its own runs (it changes nothing in the database, so running it in every
process is harmless). The zones are those of the campaign's next due leads (re-read hourly).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from campaigns.models import Lead
from dialer.engine.leads import READY_STATUSES

if TYPE_CHECKING:
    from dialer.engine.runtime import Engine

__all__ = ["CampaignHours", "campaign_zones", "open_at"]


def _clock_time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def open_at(start: str | None, end: str | None, zones: Iterable[str], at: datetime) -> bool:
    """True when the hours are not set, or ``at`` is within ``[start, end)`` local time in at
    least one of ``zones`` (unknown zones are ignored; no known zone: open, the gate decides)."""
    if start is None or end is None:
        return True
    first, last = _clock_time(start), _clock_time(end)
    known = False
    for name in zones:
        try:
            local = at.astimezone(ZoneInfo(name)).time()
        except (ZoneInfoNotFoundError, ValueError):
            continue
        known = True
        if first <= local < last:
            return True
    return not known


def campaign_zones(engine: Engine, campaign_id: int, sample: int = 2000) -> frozenset[str]:
    """The time zones of the campaign's next ``sample`` leads to dial."""
    query = (
        select(Lead.timezones)
        .where(Lead.campaign_id == campaign_id, Lead.status.in_(READY_STATUSES))
        .order_by(Lead.next_eligible_at, Lead.id)
        .limit(sample)
    )
    with engine.sessions() as session:
        return frozenset(zone for zones in session.scalars(query) for zone in zones or ())


class CampaignHours:
    """Which of the engine's campaigns are outside their hours right now."""

    def __init__(self, engine: Engine, every_s: float = 60.0, zones_s: float = 3600.0) -> None:
        self.engine = engine
        self.every_s = every_s
        self.zones_s = zones_s
        self.closed: set[int] = set()
        self._checked: float | None = None
        self._zones: dict[int, tuple[float, frozenset[str]]] = {}

    def check(self, now: datetime, mono: float) -> None:
        """Every ``every_s``: pause the campaigns outside their hours, resume the others."""
        if self._checked is not None and mono - self._checked < self.every_s:
            return
        self._checked = mono
        for cid, run in self.engine.campaigns.items():
            facts = run.config.facts
            if facts.local_start is None or facts.local_end is None:
                self.closed.discard(cid)
                continue
            if open_at(facts.local_start, facts.local_end, self._zones_of(cid, mono), now):
                self.closed.discard(cid)
            else:
                self.closed.add(cid)

    def _zones_of(self, campaign_id: int, mono: float) -> frozenset[str]:
        cached = self._zones.get(campaign_id)
        if cached is None or mono - cached[0] >= self.zones_s:
            cached = (mono, campaign_zones(self.engine, campaign_id))
            self._zones[campaign_id] = cached
        return cached[1]
