"""Abandon rates from the engine's call records: abandoned calls over live answers (a person or
an unknown answer), for the UTC day so far and the last 30 days, per campaign.

Read at most every ``refresh_s`` seconds per campaign (supervisor pages refresh often)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dialer.carriers.base import AnswerKind
from dialer.engine.models import CallRow

__all__ = ["AbandonRates", "abandon_rate"]

LIVE = (str(AnswerKind.HUMAN), str(AnswerKind.UNKNOWN))
WINDOW = timedelta(days=30)


def abandon_rate(abandoned: int, live: int) -> float:
    return abandoned / live if live else 0.0


class AbandonRates:
    def __init__(self, sessions: sessionmaker[Session], refresh_s: float = 5.0) -> None:
        self._sessions = sessions
        self._refresh = timedelta(seconds=refresh_s)
        self._cache: dict[int, tuple[datetime, tuple[float, float]]] = {}

    def rates(self, campaign_id: int, now: datetime) -> tuple[float, float]:
        """(today, last 30 days) for the campaign as of ``now``."""
        cached = self._cache.get(campaign_id)
        if cached is not None and now - cached[0] < self._refresh:
            return cached[1]
        day = datetime.combine(now.astimezone(UTC).date(), time(0), UTC)
        figures = (self._rate(campaign_id, day, now), self._rate(campaign_id, now - WINDOW, now))
        self._cache[campaign_id] = (now, figures)
        return figures

    def _rate(self, campaign_id: int, since: datetime, until: datetime) -> float:
        live = CallRow.answered_by.in_(LIVE)
        query = select(
            func.count().filter(live), func.count().filter(live & CallRow.abandoned)
        ).where(
            CallRow.campaign_id == campaign_id,
            CallRow.answered_at >= since,
            CallRow.answered_at <= until,
        )
        with self._sessions() as session:
            answered, abandoned = session.execute(query).one()
        return abandon_rate(int(abandoned or 0), int(answered or 0))
