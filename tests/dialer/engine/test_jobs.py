"""Scheduled jobs: one firing per slot across processes, list recycling, dead leases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, update

from campaigns.enums import LeadStatus
from campaigns.models import Lead
from dialer.engine.demo_data import DemoSpec, create_demo_campaign
from dialer.engine.jobs import claim_slot, recycle_leads, slot_of
from dialer.engine.leads import LeadStore
from dialer.storage import session_factory

T0 = datetime(2026, 3, 9, 14, tzinfo=UTC)


def test_a_job_slot_is_claimed_once(engine: Engine) -> None:
    sessions = session_factory(engine)
    slot = slot_of(T0 + timedelta(seconds=75), 60)
    assert slot == T0 + timedelta(seconds=60)
    assert claim_slot(sessions, "a", "recycle", slot, T0)
    assert not claim_slot(sessions, "b", "recycle", slot, T0)
    assert claim_slot(sessions, "b", "recycle", slot + timedelta(seconds=60), T0)


def test_recycling_reopens_old_unreached_leads_only(engine: Engine) -> None:
    sessions = session_factory(engine)
    with sessions.begin() as s:
        create_demo_campaign(s, DemoSpec(name="R", leads=3), T0)
        ids = s.scalars(select(Lead.id).order_by(Lead.id)).all()
        for lead_id, dispo, age in zip(ids, ["no_answer", "sale", "busy"], [8, 8, 2], strict=True):
            s.execute(
                update(Lead)
                .where(Lead.id == lead_id)
                .values(
                    status=LeadStatus.DONE,
                    last_disposition=dispo,
                    attempts=5,
                    last_attempt_at=T0 - timedelta(days=age),
                )
            )
    assert recycle_leads(sessions, T0) == 1
    with sessions() as s:
        statuses = s.scalars(select(Lead.status).order_by(Lead.id)).all()
    assert statuses == [LeadStatus.RETRY, LeadStatus.DONE, LeadStatus.DONE]


def test_leases_are_exclusive_and_dead_ones_are_reclaimed(engine: Engine) -> None:
    sessions = session_factory(engine)
    with sessions.begin() as s:
        create_demo_campaign(s, DemoSpec(name="L", leads=10), T0)
    a, b = LeadStore(sessions, "a", 60), LeadStore(sessions, "b", 60)
    first = a.claim(1, 6, T0)
    second = b.claim(1, 6, T0)
    assert len(first) == 6
    assert len(second) == 4
    assert not {x.id for x in first} & {x.id for x in second}
    with engine.begin() as conn:
        a.mark_dialing(conn, [(first[0].id, 1, T0)])
    # a dies; after its leases expire, b gets its undialed leads, and the dialed one comes back
    # as a retry after the lost rule's delay
    later = T0 + timedelta(seconds=120)
    assert b.reclaim_expired(later, timedelta(hours=1)) == 1
    again = {x.id for x in b.claim(1, 10, later)}
    assert {x.id for x in first[1:]} <= again
    assert first[0].id not in again
    assert b.claim(1, 10, T0 + timedelta(hours=1, seconds=1))[0].id == first[0].id
