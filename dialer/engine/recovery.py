"""After a crash: reconcile this dialer's unfinished calls with the carrier, free its leads.

Every call row of this owner that is not final is closed: a call the carrier still has up is hung
up; either way the call ends ``completed`` if it had been answered, else ``canceled``, with the
``lost`` disposition (retried per its rule) and a call-log record, unless the call log already
holds one (the process died after logging the call but before its row was marked final). Leads
this owner claimed but never dialed are released; leads of any dialer whose lease expired
mid-call are put back.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from campaigns.enums import LeadStatus
from campaigns.models import Lead
from compliance.api import CallRecord
from compliance.audit.models import CallLogRow
from dialer.engine.calls import CallState
from dialer.engine.dispositions import lead_after, system_rules
from dialer.engine.leads import LeadOutcome
from dialer.engine.models import CallEventRow, CallRow

if TYPE_CHECKING:
    from dialer.engine.runtime import Engine

__all__ = ["recover"]

_EVENTS: Table = CallEventRow.__table__  # type: ignore[assignment]
_ANSWERED = {
    CallState.ANSWERED_HUMAN,
    CallState.ANSWERED_MACHINE,
    CallState.ANSWERED_UNKNOWN,
    CallState.BRIDGED,
    CallState.ABANDONED,
    CallState.COMPLETED,
}


async def recover(engine: Engine) -> int:
    """Close this owner's unfinished calls; returns how many were reconciled."""
    owner = engine.options.owner
    now = engine.clock.now()
    active = set(await engine.carrier.active_calls())
    lost_rule = system_rules()["lost"]
    with engine.sessions() as session:
        rows = session.scalars(
            select(CallRow).where(CallRow.owner == owner, CallRow.final.is_(False))
        ).all()
        events = {
            row.id: session.execute(
                select(_EVENTS.c.state, _EVENTS.c.at)
                .where(_EVENTS.c.call_id == row.id)
                .order_by(_EVENTS.c.id)
            ).all()
            for row in rows
        }
        logged = _logged(session, [row.id for row in rows])
    for row in rows:
        if row.carrier_call_id is not None and row.carrier_call_id in active:
            await engine.carrier.hangup(row.carrier_call_id)
    records: list[CallRecord] = []
    with engine.sessions.begin() as session:
        outcomes: list[LeadOutcome] = []
        for row in rows:
            states = [CallState(s) for s, _ in events[row.id]]
            answered = bool(set(states) & _ANSWERED)
            end = CallState.COMPLETED if answered else CallState.CANCELED
            if row.state not in (
                CallState.COMPLETED,
                CallState.BUSY,
                CallState.NO_ANSWER,
                CallState.FAILED,
                CallState.CANCELED,
            ):
                session.execute(
                    _EVENTS.insert().values(
                        call_id=row.id, state=str(end), at=now, detail="reconciled after restart"
                    )
                )
                row.state = str(end)
                row.ended_at = row.ended_at or now
            disposition = row.disposition or "lost"
            row.disposition = disposition
            row.final = True
            row.detail = "reconciled after restart"
            row.logged_at = now
            session.merge(row)
            if row.lead_id is not None:
                attempts = _attempts(session, row.lead_id)
                update_ = lead_after(lost_rule, attempts, now, 10**6)
                outcomes.append(
                    LeadOutcome(
                        row.lead_id,
                        update_.status,
                        update_.next_eligible_at,
                        update_.reason,
                        disposition,
                    )
                )
            if row.id in logged:
                continue
            records.append(
                CallRecord(
                    call_id=row.id,
                    campaign_id=row.campaign_id,
                    lead_id=row.lead_id,
                    phone=row.phone,
                    purpose=row.purpose,
                    decision_id=row.decision_id,
                    carrier=row.carrier,
                    carrier_call_id=row.carrier_call_id,
                    states=(*((str(s), at) for s, at in events[row.id]), (str(end), now)),
                    outcome=row.state,
                    answered_by=row.answered_by,
                    agent_id=row.agent_id,
                    disposition=disposition,
                    abandoned=row.abandoned,
                    safe_harbor_played=row.safe_harbor_played,
                    timezones=tuple(row.timezones),
                )
            )
        engine.leads.finish(session.connection(), outcomes)
    for record in records:  # after the commit: the call log writes in its own transaction
        engine.call_log.append(record)
    with engine.sessions.begin() as session:
        session.execute(
            update(Lead)
            .where(Lead.lease_owner == owner, Lead.status != LeadStatus.IN_PROGRESS)
            .values(lease_owner=None, lease_expires_at=None)
        )
    retry = timedelta(seconds=lost_rule.retry_after_s or 0)
    engine.leads.reclaim_expired(now, retry)
    return len(rows)


def _logged(session: Session, call_ids: list[str]) -> set[str]:
    """Which of these calls the call log already holds."""
    found: set[str] = set()
    for start in range(0, len(call_ids), 500):
        chunk = call_ids[start : start + 500]
        found.update(
            session.scalars(select(CallLogRow.call_id).where(CallLogRow.call_id.in_(chunk)))
        )
    return found


def _attempts(session: Session, lead_id: int) -> int:
    """Attempts made, counted from the call rows (written before each dial)."""
    return int(session.scalar(select(func.count()).where(CallRow.lead_id == lead_id)) or 0)
