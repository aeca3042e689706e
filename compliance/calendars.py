"""Legal holidays of a jurisdiction: the ``holidays`` package, plus named extra days from the
rules data (e.g. Pennsylvania's Good Friday, Flag Day and Election Day)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import cache

import holidays
from dateutil.easter import easter

from compliance.rules import HolidayCalendar
from dialer.errors import ComplianceDataError

__all__ = ["EXTRA_DAYS", "holiday_dates", "is_holiday", "known_subdivisions"]


def _election_day(year: int) -> date:
    """The Tuesday after the first Monday of November."""
    first = date(year, 11, 1)
    monday = first + timedelta(days=(0 - first.weekday()) % 7)
    return monday + timedelta(days=1)


EXTRA_DAYS: dict[str, Callable[[int], date]] = {
    "good_friday": lambda year: easter(year) - timedelta(days=2),
    "flag_day": lambda year: date(year, 6, 14),
    "election_day": _election_day,
}


@cache
def holiday_dates(calendar: HolidayCalendar, year: int) -> frozenset[date]:
    """Every legal holiday of ``calendar`` in ``year`` (observed days included)."""
    try:
        days = holidays.country_holidays(calendar.country, subdiv=calendar.subdiv, years=year)
    except NotImplementedError as exc:
        raise ComplianceDataError(f"no holiday calendar for {calendar}: {exc}") from exc
    extra = set()
    for name in calendar.extra:
        if name not in EXTRA_DAYS:
            raise ComplianceDataError(
                f"unknown extra holiday {name!r} (known: {sorted(EXTRA_DAYS)})"
            )
        extra.add(EXTRA_DAYS[name](year))
    return frozenset(days) | frozenset(extra)


def is_holiday(calendar: HolidayCalendar, day: date) -> bool:
    return day in holiday_dates(calendar, day.year)


@cache
def known_subdivisions(country: str) -> frozenset[str]:
    """The state/province codes the ``holidays`` package knows for ``country``."""
    try:
        kind = holidays.country_holidays(country)
    except NotImplementedError:
        return frozenset()
    return frozenset(kind.subdivisions)
