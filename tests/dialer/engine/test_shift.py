"""End to end: the real engine, in virtual time, against the simulated world and agents."""

from __future__ import annotations

from sqlalchemy import func, select

from campaigns.enums import LeadStatus
from campaigns.models import Lead
from dialer.engine.calls import CallState
from dialer.engine.models import CallEventRow, CallRow
from dialer.engine.simulation import ShiftConfig, run_shift
from dialer.storage import make_engine, session_factory


def test_a_progressive_shift_connects_calls_and_never_abandons(db_url: str) -> None:
    result = run_shift(ShiftConfig(agents=5, hours=0.25, database_url=db_url, seed=3))
    assert result.attempts > 30
    assert result.bridged > 5
    assert result.abandoned == 0  # progressive: one line per ready agent
    assert result.calls_in_db == result.attempts
    assert 0 < result.talk_minutes_per_agent_hour < 60

    db = make_engine(db_url)
    with session_factory(db)() as s:
        assert s.scalar(select(func.count()).where(CallRow.final.is_(False))) == 0
        first_states = s.scalars(
            select(CallEventRow.state).where(
                CallEventRow.id.in_(
                    select(func.min(CallEventRow.id)).group_by(CallEventRow.call_id)
                )
            )
        ).all()
        assert set(first_states) == {CallState.CREATED}
        # no lead is left claimed or in progress after a clean stop
        held = s.scalar(
            select(func.count()).where(
                (Lead.lease_owner.is_not(None)) | (Lead.status == LeadStatus.IN_PROGRESS)
            )
        )
        assert held == 0
        # each lead was dialed at most once within the shift unless its retry rule allows it
        per_lead = s.execute(
            select(CallRow.lead_id, func.count()).group_by(CallRow.lead_id).having(func.count() > 1)
        ).all()
        for lead_id, _count in per_lead:
            dispositions = s.scalars(
                select(CallRow.disposition)
                .where(CallRow.lead_id == lead_id)
                .order_by(CallRow.created_at)
            ).all()
            assert dispositions[0] in {"busy", "canceled"}
    db.dispose()


def test_predictive_pacing_dials_ahead_and_stays_near_target() -> None:
    result = run_shift(ShiftConfig(agents=30, hours=0.5, pacer="predictive", seed=5))
    progressive = run_shift(ShiftConfig(agents=30, hours=0.5, seed=5))
    assert result.attempts > progressive.attempts
    assert result.abandon_rate < 0.06
