"""Abandonment from the call log: per campaign, the rate per day, the rolling rate over the legal
period (30 days in the US), and the worst 30-minute window; days over the cap are flagged.

The rate is abandoned calls / calls answered by a live person (``answered_by`` human, or unknown
as the engine counts it: an undetected answer may be a person); days and half-hour slots are UTC.
The database aggregates live answers per campaign and half hour (:func:`live_slots`); the rest
is pure (:func:`summarize`).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Float,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from campaigns.models import Campaign
from compliance.audit.models import CallLogRow
from compliance.caps import abandon_cap, legal_abandon_cap

__all__ = [
    "DAY_COLUMNS",
    "LIVE_ANSWERED_BY",
    "SUMMARY_COLUMNS",
    "CampaignAbandonment",
    "DayRate",
    "Slot",
    "abandonment",
    "campaign_caps",
    "day_row",
    "legal_period_days",
    "live_slots",
    "rolling_days",
    "summarize",
    "summary_row",
    "worst_slots",
]


LIVE_ANSWERED_BY = ("human", "unknown")  # the engine's live answers (dialer.engine.calls)


@dataclass(frozen=True, slots=True)
class Slot:
    """Live answers and abandons of one campaign in one half hour (or day, or period)."""

    campaign_id: int
    start: datetime
    live: int
    abandoned: int

    @property
    def rate(self) -> float:
        return self.abandoned / self.live if self.live else 0.0


@dataclass(frozen=True, slots=True)
class DayRate:
    day: date
    live: int
    abandoned: int
    period_live: int  # over the rolling period ending this day
    period_abandoned: int
    over_cap: bool  # the rolling rate exceeds the cap

    @property
    def rate(self) -> float:
        return self.abandoned / self.live if self.live else 0.0

    @property
    def period_rate(self) -> float:
        return self.period_abandoned / self.period_live if self.period_live else 0.0


@dataclass(frozen=True, slots=True)
class CampaignAbandonment:
    campaign_id: int
    name: str
    cap: float
    period_days: int
    days: tuple[DayRate, ...]
    worst_slot: Slot | None

    @property
    def live(self) -> int:
        return sum(d.live for d in self.days)

    @property
    def abandoned(self) -> int:
        return sum(d.abandoned for d in self.days)

    @property
    def current(self) -> DayRate | None:
        return self.days[-1] if self.days else None

    @property
    def worst_period(self) -> DayRate | None:
        return max(self.days, key=lambda d: (d.period_rate, d.period_live), default=None)

    @property
    def flagged(self) -> tuple[DayRate, ...]:
        return tuple(d for d in self.days if d.over_cap)


def legal_period_days(country: str) -> int:
    """The measuring period of the abandonment cap (the ``abandonment`` rules data)."""
    return abandon_cap(country).period_days


def _period_expr(dialect: str, by: str) -> Any:
    """The UTC day (``by="day"``) or half hour of ``started_at`` (text on SQLite)."""
    if dialect == "postgresql":  # a date or timestamp: cheaper than formatting text
        if by == "day":
            return literal_column("CAST(started_at AT TIME ZONE 'UTC' AS date)")
        return literal_column(
            "date_bin('30 minutes', started_at AT TIME ZONE 'UTC', timestamp '2000-01-01')"
        )
    if by == "day":
        return literal_column("substr(started_at, 1, 10)")
    return literal_column(
        "substr(started_at, 1, 14) || "
        "CASE WHEN substr(started_at, 15, 2) < '30' THEN '00' ELSE '30' END"
    )


# Every campaign in the log, found by a skip scan (one index probe per campaign). Naming them
# lets the scan of the live-answer index (campaign_id, answered_by, ...) seek to each campaign's
# live answers instead of reading every record's entry (2.4 of 10 M: 0.9 s instead of 2.2 s).
_EVERY_CAMPAIGN = text(
    "call_log.campaign_id = ANY(ARRAY("
    "WITH RECURSIVE c(id) AS (SELECT min(campaign_id) FROM call_log UNION ALL"
    " SELECT (SELECT min(campaign_id) FROM call_log WHERE campaign_id > c.id)"
    " FROM c WHERE c.id IS NOT NULL) SELECT id FROM c WHERE id IS NOT NULL))"
)


def _roomy(session: Session) -> None:
    """PostgreSQL: memory for the half hours of a whole log (350,000 for 10 M records) so that
    aggregating and sorting them stay in memory (spilled at the default 4 MB: 10 s instead of
    3.5 s), and no JIT compilation (0.7 s, which the query never earns back); for the rest of
    the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL work_mem = '128MB'"))
        session.execute(text("SET LOCAL jit = off"))


def _grouped(
    session: Session,
    by: str,
    campaign_id: int | None,
    since: datetime | None,
    until: datetime | None,
) -> Select[Any]:
    period = _period_expr(session.get_bind().dialect.name, by).label("period")
    abandoned = func.sum(case((CallLogRow.abandoned, 1), else_=0)).label("abandoned")
    query = (
        select(CallLogRow.campaign_id, period, func.count().label("live"), abandoned)
        .where(CallLogRow.answered_by.in_(LIVE_ANSWERED_BY))
        .group_by(CallLogRow.campaign_id, period)
    )
    if campaign_id is not None:
        query = query.where(CallLogRow.campaign_id == campaign_id)
    elif session.get_bind().dialect.name == "postgresql":
        query = query.where(_EVERY_CAMPAIGN)
    if since is not None:
        query = query.where(CallLogRow.started_at >= since)
    if until is not None:
        query = query.where(CallLogRow.started_at < until)
    return query


def _slot(c: Any, period: Any, live: Any, abandoned: Any) -> Slot:
    if isinstance(period, str):
        period = datetime.fromisoformat(period)
    elif not isinstance(period, datetime):  # a date
        period = datetime(period.year, period.month, period.day, tzinfo=UTC)
    return Slot(int(c), period.replace(tzinfo=UTC), int(live), int(abandoned or 0))


def live_slots(
    session: Session,
    campaign_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    by: str = "half_hour",
) -> list[Slot]:
    """Live answers and abandons per campaign and half hour (or ``by="day"``: day), UTC, in
    time order."""
    rows = session.execute(_grouped(session, by, campaign_id, since, until))
    slots = [_slot(*row) for row in rows]
    return sorted(slots, key=lambda s: (s.campaign_id, s.start))


def _worst_query(grouped: Any, dialect: str) -> Select[Any]:
    """Each campaign's top half hour of ``grouped`` (a subquery or CTE of half hours)."""
    rate = cast(grouped.c.abandoned, Float) / grouped.c.live
    if dialect == "postgresql":
        # Rank only the half hours at each campaign's top rate (a hash aggregate and join)
        # instead of sorting all of them by rate (1.4 s instead of 2.5 s of server CPU).
        top = (
            select(grouped.c.campaign_id, func.max(rate).label("top"))
            .group_by(grouped.c.campaign_id)
            .subquery()
        )
        candidates = select(grouped).join(
            top, and_(top.c.campaign_id == grouped.c.campaign_id, rate == top.c.top)
        )
        order: tuple[Any, ...] = (grouped.c.live.desc(), grouped.c.period.desc())
    else:
        candidates = select(grouped)
        order = (rate.desc(), grouped.c.live.desc(), grouped.c.period.desc())
    rank = func.row_number().over(partition_by=grouped.c.campaign_id, order_by=order)
    ranked = candidates.add_columns(rank.label("rank")).subquery()
    query = select(ranked.c.campaign_id, ranked.c.period, ranked.c.live, ranked.c.abandoned)
    return query.where(ranked.c.rank == 1)


def worst_slots(
    session: Session,
    campaign_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[int, Slot]:
    """Each campaign's half hour with the highest abandon rate (then the most live answers,
    then the latest), computed in the database."""
    _roomy(session)
    grouped = _grouped(session, "half_hour", campaign_id, since, until).subquery()
    dialect = session.get_bind().dialect.name
    return {int(row[0]): _slot(*row) for row in session.execute(_worst_query(grouped, dialect))}


def _days_and_worst(
    session: Session,
    campaign_id: int | None,
    since: datetime | None,
    until: datetime | None,
) -> tuple[list[Slot], dict[int, Slot]]:
    """Days and each campaign's worst half hour in one pass over the log: the half hours are
    aggregated once (a materialized CTE), and both answers are drawn from them."""
    dialect = session.get_bind().dialect.name
    _roomy(session)
    hh = _grouped(session, "half_hour", campaign_id, since, until).cte("hh")
    hh = hh.prefix_with("MATERIALIZED")
    if dialect == "postgresql":
        day: Any = func.date_trunc("day", hh.c.period)
    else:
        day = func.substr(hh.c.period, 1, 10)
    days = select(
        literal("day").label("kind"),
        hh.c.campaign_id,
        day.label("period"),
        func.sum(hh.c.live).label("live"),
        func.sum(hh.c.abandoned).label("abandoned"),
    ).group_by(hh.c.campaign_id, day)
    worst = _worst_query(hh, dialect).subquery()
    top = select(
        literal("worst").label("kind"),
        worst.c.campaign_id,
        worst.c.period,
        worst.c.live,
        worst.c.abandoned,
    )
    day_slots: list[Slot] = []
    top_slots: dict[int, Slot] = {}
    for kind, *row in session.execute(union_all(days, top)):
        slot = _slot(*row)
        if kind == "day":
            day_slots.append(slot)
        else:
            top_slots[slot.campaign_id] = slot
    day_slots.sort(key=lambda s: (s.campaign_id, s.start))
    return day_slots, top_slots


def abandonment(
    session: Session,
    campaign_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[CampaignAbandonment]:
    """Per campaign: days, rolling rates against the campaign's legal cap, worst half hour.

    One pass over the log: the half hours give both the days and the worst half hour."""
    days, worst = _days_and_worst(session, campaign_id, since, until)
    caps = campaign_caps(session, {s.campaign_id for s in days})
    return summarize(days, caps, worst)


def _days(slots: Iterable[Slot]) -> dict[date, tuple[int, int]]:
    days: dict[date, tuple[int, int]] = {}
    for s in slots:
        live, ab = days.get(s.start.date(), (0, 0))
        days[s.start.date()] = (live + s.live, ab + s.abandoned)
    return days


def rolling_days(slots: Sequence[Slot], cap: float, period_days: int) -> tuple[DayRate, ...]:
    """Each day from the first to the last, with the rolling rate over ``period_days`` days."""
    per_day = _days(slots)
    if not per_day:
        return ()
    day, last = min(per_day), max(per_day)
    window: deque[tuple[date, int, int]] = deque()
    live_sum = ab_sum = 0
    out: list[DayRate] = []
    while day <= last:
        live, ab = per_day.get(day, (0, 0))
        window.append((day, live, ab))
        live_sum, ab_sum = live_sum + live, ab_sum + ab
        while window[0][0] <= day - timedelta(days=period_days):
            _, old_live, old_ab = window.popleft()
            live_sum, ab_sum = live_sum - old_live, ab_sum - old_ab
        over = live_sum > 0 and ab_sum / live_sum > cap
        out.append(DayRate(day, live, ab, live_sum, ab_sum, over))
        day += timedelta(days=1)
    return tuple(out)


def summarize(
    slots: Sequence[Slot],
    campaigns: Mapping[int, tuple[str, float, int]],
    worst: Mapping[int, Slot] | None = None,
) -> list[CampaignAbandonment]:
    """Per campaign: ``campaigns[id] = (name, cap, period_days)``; unknown campaigns use the US
    figures of the data file. ``slots`` may be half hours or whole days; the worst half hour is
    ``worst[id]`` if given, else the worst of ``slots``."""
    by_campaign: dict[int, list[Slot]] = defaultdict(list)
    for s in slots:
        by_campaign[s.campaign_id].append(s)
    out: list[CampaignAbandonment] = []
    for campaign_id, own in sorted(by_campaign.items()):
        default = (f"#{campaign_id}", legal_abandon_cap("US"), legal_period_days("US"))
        name, cap, period = campaigns.get(campaign_id, default)
        if worst is not None:
            top = worst.get(campaign_id)
        else:
            top = max(own, key=lambda s: (s.rate, s.live, s.start.timestamp()))
        days = rolling_days(own, cap, period)
        out.append(CampaignAbandonment(campaign_id, name, cap, period, days, top))
    return out


def campaign_caps(session: Session, ids: Iterable[int]) -> dict[int, tuple[str, float, int]]:
    """``(name, legal cap, period days)`` of each known campaign, from its country."""
    rows = session.execute(
        select(Campaign.id, Campaign.name, Campaign.country).where(Campaign.id.in_(list(ids)))
    )
    return {
        int(i): (str(name), legal_abandon_cap(country), legal_period_days(country))
        for i, name, country in rows
    }


SUMMARY_COLUMNS = (
    "campaign",
    "cap",
    "live",
    "abandoned",
    "rolling_rate",
    "worst_rolling_rate",
    "worst_rolling_day",
    "worst_30min_start",
    "worst_30min_rate",
    "days_over_cap",
)
DAY_COLUMNS = ("campaign", "day", "live", "abandoned", "rate", "rolling_rate", "over_cap")


def _pct(rate: float) -> str:
    return f"{rate:.2%}"


def summary_row(c: CampaignAbandonment) -> dict[str, object]:
    current, worst, slot = c.current, c.worst_period, c.worst_slot
    return {
        "campaign": c.name,
        "campaign_id": c.campaign_id,
        "cap": _pct(c.cap),
        "live": c.live,
        "abandoned": c.abandoned,
        "rolling_rate": _pct(current.period_rate) if current else "",
        "worst_rolling_rate": _pct(worst.period_rate) if worst else "",
        "worst_rolling_day": worst.day.isoformat() if worst else "",
        "worst_30min_start": slot.start.isoformat(timespec="minutes") if slot else "",
        "worst_30min_rate": f"{_pct(slot.rate)} ({slot.abandoned}/{slot.live})" if slot else "",
        "days_over_cap": len(c.flagged),
    }


def day_row(c: CampaignAbandonment, d: DayRate) -> dict[str, object]:
    return {
        "campaign": c.name,
        "day": d.day.isoformat(),
        "live": d.live,
        "abandoned": d.abandoned,
        "rate": _pct(d.rate),
        "rolling_rate": _pct(d.period_rate),
        "over_cap": "OVER" if d.over_cap else "",
    }
