"""What a campaign report shows, gathered from the call log (and the rules' cap)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, func, literal_column, select
from sqlalchemy.orm import Session

from compliance.audit.abandonment import (
    CampaignAbandonment,
    campaign_caps,
    live_slots,
    summarize,
)
from compliance.audit.models import CallLogRow
from compliance.audit.violations import BRIDGE_STATES

__all__ = ["BRIDGE_STATES", "ReportData", "agent_occupancy", "gather"]


@dataclass(frozen=True, slots=True)
class ReportData:
    campaign_id: int
    name: str
    calls: int
    first: datetime | None
    last: datetime | None
    abandonment: CampaignAbandonment | None
    outcomes: dict[str, int]
    local_hours: dict[int, int]
    occupancy: dict[str, float]


def _hour_expr(dialect: str) -> str:
    find = "strpos" if dialect == "postgresql" else "instr"
    return f"substr(local_times, {find}(local_times, '\":\"') + 14, 2)"


def agent_occupancy(calls: Iterable[tuple[str, str]]) -> dict[str, float]:
    """Per agent: talk time (bridge to end) / active time (first start to last end, per day).

    ``calls`` are ``(agent_id, states JSON)``; states hold ``[name, "YYYY-MM-DD HH:MM:SS.f"]``.
    """
    talk: dict[str, float] = defaultdict(float)
    spans: dict[tuple[str, date], tuple[datetime, datetime]] = {}
    for agent, states_json in calls:
        states = [(name, datetime.fromisoformat(at)) for name, at in json.loads(states_json)]
        start, end = states[0][1], states[-1][1]
        bridged = next((at for name, at in states if name in BRIDGE_STATES), None)
        if bridged is not None:
            talk[agent] += (end - bridged).total_seconds()
        key = (agent, start.date())
        lo, hi = spans.get(key, (start, end))
        spans[key] = (min(lo, start), max(hi, end))
    active: dict[str, float] = defaultdict(float)
    for (agent, _day), (lo, hi) in spans.items():
        active[agent] += (hi - lo).total_seconds()
    return {a: min(1.0, talk[a] / active[a]) if active[a] else 0.0 for a in sorted(active)}


def gather(session: Session, campaign_id: int) -> ReportData:
    row = CallLogRow
    mine = row.campaign_id == campaign_id
    count, first, last = session.execute(
        select(func.count(), func.min(row.started_at), func.max(row.started_at)).where(mine)
    ).one()
    outcomes = {
        str(o): int(n)
        for o, n in session.execute(
            select(row.outcome, func.count()).where(mine).group_by(row.outcome)
        )
    }
    hour = literal_column(_hour_expr(session.get_bind().dialect.name), String).label("hour")
    hours = session.execute(
        select(hour, func.count()).where(mine, row.local_times.like('%":"%')).group_by(hour)
    )
    local_hours = {int(h): int(n) for h, n in hours if h and h.isdigit()}
    agents = session.execute(
        select(row.agent_id, row.states).where(mine, row.agent_id.is_not(None))
    )
    occupancy = agent_occupancy((str(a), str(s)) for a, s in agents)
    slots = live_slots(session, campaign_id)
    caps = campaign_caps(session, [campaign_id])
    summaries: Sequence[CampaignAbandonment] = summarize(slots, caps)
    name = caps[campaign_id][0] if campaign_id in caps else f"#{campaign_id}"
    return ReportData(
        campaign_id,
        name,
        int(count),
        first,
        last,
        summaries[0] if summaries else None,
        outcomes,
        local_hours,
        occupancy,
    )
