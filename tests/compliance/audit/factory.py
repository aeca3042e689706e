"""Call records for the audit tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from compliance.api import CallRecord

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York


def record(i: int, *, at: datetime | None = None, **changes: Any) -> CallRecord:
    """The ``i``-th attempt: a live answer bridged to an agent, 40 s of talk."""
    start = at if at is not None else T0 + timedelta(minutes=i)
    base = CallRecord(
        call_id=f"call-{i}",
        campaign_id=1,
        lead_id=i,
        phone=f"+1415555{i % 10000:04d}",
        purpose="telemarketing",
        decision_id=None,
        carrier="simulated",
        carrier_call_id=f"SIM{i}",
        states=(
            ("dialing", start),
            ("answered", start + timedelta(seconds=12)),
            ("bridged", start + timedelta(seconds=13)),
            ("ended", start + timedelta(seconds=53, microseconds=250)),
        ),
        outcome="completed",
        answered_by="human",
        agent_id=f"agent-{i % 3}",
        disposition="sale",
        timezones=("America/New_York",),
    )
    return replace(base, **changes)
