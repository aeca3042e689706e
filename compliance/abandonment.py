"""The abandonment ledger: per campaign and UTC day, live answers and abandoned calls.

Implements :class:`compliance.api.AbandonBudget`. The rate is abandoned / live answers over a
rolling window of whole UTC days ending with the day of ``at`` (30 days in the US, rules data
``abandonment``). :meth:`AbandonmentLedger.forced_progressive` is the query the engine calls
before predictive or power dialing: once one more abandoned call would exceed the target (never
above the legal cap), the campaign must dial progressive, and an alert is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from compliance.caps import abandon_cap
from compliance.models import AbandonmentDay

__all__ = ["AbandonmentLedger", "DayTally", "Tally", "open_budget", "remaining_budget"]

log = logging.getLogger("compliance.abandonment")


@dataclass(frozen=True, slots=True)
class DayTally:
    day: date
    live_answers: int
    abandoned: int

    @property
    def rate(self) -> float:
        return self.abandoned / self.live_answers if self.live_answers else 0.0


@dataclass(frozen=True, slots=True)
class Tally:
    campaign_id: int
    first_day: date
    last_day: date
    live_answers: int
    abandoned: int

    @property
    def rate(self) -> float:
        return self.abandoned / self.live_answers if self.live_answers else 0.0


def remaining_budget(live_answers: int, abandoned: int, target: float) -> float:
    """Abandons still allowed: the largest k with (abandoned + k) / (live + k) <= target (each
    abandoned call is itself a live answer). Negative when the rate is already above it."""
    if target >= 1:
        return float("inf")
    return (target * live_answers - abandoned) / (1 - target)


class AbandonmentLedger:
    """The per-campaign tally, stored in ``compliance_abandonment``."""

    def __init__(self, sessions: sessionmaker[Session], *, period_days: int = 30) -> None:
        self._sessions = sessions
        self.period_days = period_days
        self._alerted: set[tuple[int, date]] = set()

    def record(self, campaign_id: int, at: datetime, *, abandoned: bool) -> None:
        with self._sessions.begin() as session:
            _increment(session, campaign_id, at.date(), int(abandoned))

    def tally(self, campaign_id: int, at: datetime) -> Tally:
        last = at.date()
        first = last - timedelta(days=self.period_days - 1)
        query = select(
            func.coalesce(func.sum(AbandonmentDay.live_answers), 0),
            func.coalesce(func.sum(AbandonmentDay.abandoned), 0),
        ).where(
            AbandonmentDay.campaign_id == campaign_id,
            AbandonmentDay.day >= first,
            AbandonmentDay.day <= last,
        )
        with self._sessions() as session:
            live, abandoned = session.execute(query).one()
        return Tally(campaign_id, first, last, int(live), int(abandoned))

    def daily(self, campaign_id: int, at: datetime) -> Sequence[DayTally]:
        """Each day of the window that has live answers, oldest first."""
        first = at.date() - timedelta(days=self.period_days - 1)
        query = (
            select(AbandonmentDay)
            .where(AbandonmentDay.campaign_id == campaign_id, AbandonmentDay.day >= first)
            .where(AbandonmentDay.day <= at.date())
            .order_by(AbandonmentDay.day)
        )
        with self._sessions() as session:
            rows = session.scalars(query).all()
            return [DayTally(r.day, r.live_answers, r.abandoned) for r in rows]

    def campaigns(self) -> list[int]:
        with self._sessions() as session:
            query = (
                select(AbandonmentDay.campaign_id).distinct().order_by(AbandonmentDay.campaign_id)
            )
            return list(session.scalars(query))

    def remaining(self, campaign_id: int, at: datetime, target: float) -> float:
        t = self.tally(campaign_id, at)
        return remaining_budget(t.live_answers, t.abandoned, target)

    def forced_progressive(
        self, campaign_id: int, at: datetime, target: float, country: str = "US"
    ) -> bool:
        """True when one more abandoned call would exceed ``target`` (capped at the country's
        legal rate): the campaign must dial progressive. Logs an alert (once a day)."""
        target = min(target, abandon_cap(country).max_rate)
        t = self.tally(campaign_id, at)
        if remaining_budget(t.live_answers, t.abandoned, target) >= 1:
            return False
        key = (campaign_id, at.date())
        if key not in self._alerted:
            self._alerted.add(key)
            log.warning(
                "campaign %s: abandon rate %.2f%% (%d of %d live answers since %s); one more "
                "abandoned call would exceed %.1f%%: forced to progressive dialing",
                campaign_id,
                100 * t.rate,
                t.abandoned,
                t.live_answers,
                t.first_day,
                100 * target,
            )
        return True


def _increment(session: Session, campaign_id: int, day: date, abandoned: int) -> None:
    """Add one live answer (and maybe one abandon) in one statement (SQLite, PostgreSQL)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(AbandonmentDay).values(
        campaign_id=campaign_id, day=day, live_answers=1, abandoned=abandoned
    )
    changes = {
        "live_answers": AbandonmentDay.live_answers + 1,
        "abandoned": AbandonmentDay.abandoned + abandoned,
    }
    session.execute(stmt.on_conflict_do_update(index_elements=["campaign_id", "day"], set_=changes))


def open_budget(*, sessions: sessionmaker[Session], period_days: int = 30) -> AbandonmentLedger:
    """The engine's abandon budget (``dialer.engine.wiring.make_budget`` looks this up)."""
    return AbandonmentLedger(sessions, period_days=period_days)
