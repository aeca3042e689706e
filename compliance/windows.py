"""Calling windows in the called party's local time: pure, cached interval arithmetic.

A :class:`WindowSpec` is what decides when a number may be called: its candidate zones, the
window rules of every applicable layer (federal and every candidate state, each with its holiday
calendar) and the campaign's own hours. The allowed set is the intersection, over every zone, of
that zone's daily spans, each span being the intersection of every rule's span for the local day
(weekday, Saturday or Sunday window, narrowed by the holiday window on the layer's holidays).

Local wall times are turned into instants with both ``fold`` values and the stricter one kept,
so a span never reaches into a DST gap or repeated hour on the permissive side. Results are
sets of half-open UTC intervals over a horizon, cached per (spec, UTC day), so a decision is a
dictionary look-up and a bisection (specs hash by identity: build each once and reuse it).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from compliance.calendars import is_holiday
from compliance.rules import DayRule, HolidayCalendar, WindowRule

__all__ = [
    "DAY",
    "Layer",
    "WindowSpec",
    "allowed_intervals",
    "check_window",
    "day_span",
    "explain_window",
    "next_allowed",
]

DAY = 24 * 60
HORIZON_DAYS = 16  # intervals computed per anchor day: enough to clear any run of closed days
MAX_ANCHORS = 4  # next_allowed_at is searched at most this many horizons ahead
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Span = tuple[int, int]  # minutes of the local day, [start, end); start >= end = empty


@dataclass(frozen=True, slots=True, eq=False)
class Layer:
    """One window rule with the holiday calendar of its jurisdiction."""

    rule: WindowRule
    calendar: HolidayCalendar


@dataclass(frozen=True, slots=True, eq=False)
class WindowSpec:
    zones: tuple[str, ...]
    layers: tuple[Layer, ...]
    campaign_hours: Span | None = None  # the campaign's own hours, minutes


def _rule_span(rule: WindowRule, calendar: HolidayCalendar, day: date) -> DayRule:
    weekday = day.weekday()
    base = rule.weekdays if weekday < 5 else rule.sat if weekday == 5 else rule.sun
    if rule.holidays is not None and is_holiday(calendar, day):
        return rule.holidays if base is None else _meet(base, rule.holidays)
    return base


def _meet(a: Span, b: Span) -> Span:
    return max(a[0], b[0]), min(a[1], b[1])


def day_span(spec: WindowSpec, day: date) -> Span:
    """The allowed local span of ``day`` under every layer (same in every zone)."""
    span: Span = spec.campaign_hours or (0, DAY)
    for layer in spec.layers:
        rule_span = _rule_span(layer.rule, layer.calendar, day)
        if rule_span is not None:
            span = _meet(span, rule_span)
    return span


def _instant(day: date, minute: int, zone: ZoneInfo, *, start: bool) -> float:
    if minute >= DAY:
        day, minute = day + timedelta(days=1), minute - DAY
    wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)
    a = wall.timestamp()
    b = wall.replace(fold=1).timestamp()
    return max(a, b) if start else min(a, b)


def _zone_intervals(spec: WindowSpec, zone: ZoneInfo, first: date) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for offset in range(HORIZON_DAYS + 2):
        day = first + timedelta(days=offset)
        lo, hi = day_span(spec, day)
        if lo >= hi:
            continue
        s, e = _instant(day, lo, zone, start=True), _instant(day, hi, zone, start=False)
        if s >= e:
            continue
        if out and out[-1][1] >= s:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _intersect(
    a: Sequence[tuple[float, float]], b: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


@lru_cache(maxsize=8192)
def allowed_intervals(
    spec: WindowSpec, anchor: date
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Allowed UTC intervals (POSIX seconds: starts, ends) covering the UTC day ``anchor`` and
    the following :data:`HORIZON_DAYS` days. Raises ``ZoneInfoNotFoundError`` for a bad zone."""
    first = anchor - timedelta(days=1)
    result: list[tuple[float, float]] | None = None
    for name in spec.zones:
        intervals = _zone_intervals(spec, ZoneInfo(name), first)
        result = intervals if result is None else _intersect(result, intervals)
    result = result or []
    return tuple(s for s, _ in result), tuple(e for _, e in result)


def check_window(spec: WindowSpec, at: datetime) -> bool:
    """Whether ``at`` is inside the allowed set."""
    starts, ends = allowed_intervals(spec, at.astimezone(UTC).date())
    ts = at.timestamp()
    i = bisect_right(starts, ts) - 1
    return i >= 0 and ts < ends[i]


def next_allowed(spec: WindowSpec, at: datetime) -> datetime | None:
    """The first instant at or after ``at`` inside the allowed set (None: none ahead)."""
    ts = at.timestamp()
    anchor = at.astimezone(UTC).date()
    for step in range(MAX_ANCHORS):
        starts, ends = allowed_intervals(spec, anchor)
        i = bisect_right(starts, ts) - 1
        if i >= 0 and ts < ends[i]:
            return at if step == 0 else _EPOCH + timedelta(seconds=starts[i])
        if i + 1 < len(starts):
            return _EPOCH + timedelta(seconds=starts[i + 1])
        anchor += timedelta(days=HORIZON_DAYS - 1)
        ts = max(ts, (datetime.combine(anchor, time(), tzinfo=UTC)).timestamp())
    return None


def explain_window(spec: WindowSpec, at: datetime) -> list[tuple[WindowRule | None, str]]:
    """Why ``at`` is outside: (rule, detail) per zone and excluding rule; ``None`` for the
    campaign's hours or a DST edge."""
    found: list[tuple[WindowRule | None, str]] = []
    for name in spec.zones:
        local = at.astimezone(ZoneInfo(name))
        minute = local.hour * 60 + local.minute
        when = f"{local:%a %Y-%m-%d %H:%M} in {name}"
        hours = spec.campaign_hours
        if hours is not None and not hours[0] <= minute < hours[1]:
            found.append((None, f"{when}: outside the campaign's hours {_fmt(hours)}"))
        for layer in spec.layers:
            span = _rule_span(layer.rule, layer.calendar, local.date())
            if span is None or span[0] <= minute < span[1]:
                continue
            holiday = " (a legal holiday)" if is_holiday(layer.calendar, local.date()) else ""
            allowed = "closed all day" if span[0] >= span[1] else f"allowed {_fmt(span)}"
            found.append((layer.rule, f"{when}{holiday}: {allowed}"))
    if not found:
        found.append((None, f"{at.isoformat()} falls in a DST transition of a candidate zone"))
    return found


def _fmt(span: Span) -> str:
    return "-".join(f"{m // 60:02d}:{m % 60:02d}" for m in span)
