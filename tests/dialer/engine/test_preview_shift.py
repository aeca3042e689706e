"""A preview campaign end to end in virtual time: the real engine, the simulated carrier and
simulated agents who read each lead, then dial it or skip it. Every decision is recorded, every
call was asked for by the agent it reached, and no lead is lost or left claimed."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import Engine, select

from campaigns.enums import LeadStatus
from campaigns.models import Lead
from dialer.engine.models import AgentStateLogRow, CallRow
from dialer.engine.preview_models import PreviewDecisionRow
from dialer.engine.simulation import ShiftConfig, run_shift
from dialer.storage import make_engine, session_factory


def _rows(db: Engine) -> tuple[list[PreviewDecisionRow], list[CallRow], list[Lead]]:
    with session_factory(db)() as s:
        decisions = list(s.scalars(select(PreviewDecisionRow).order_by(PreviewDecisionRow.id)))
        calls = list(s.scalars(select(CallRow)))
        leads = list(s.scalars(select(Lead)))
        return decisions, calls, leads


def test_a_preview_shift_records_every_decision_and_loses_no_lead(db_url: str) -> None:
    result = run_shift(
        ShiftConfig(agents=4, hours=1.0, pacer="preview", seed=5, database_url=db_url, leads=300)
    )
    db = make_engine(db_url)
    try:
        decisions, calls, leads = _rows(db)
        with session_factory(db)() as s:
            preview_s = sum(
                s.scalars(
                    select(AgentStateLogRow.seconds).where(AgentStateLogRow.state == "preview")
                )
            )
    finally:
        db.dispose()

    kinds = Counter(d.decision for d in decisions)
    assert kinds["offered"] > 20
    assert kinds["dialed"] > 10
    assert kinds["skipped"] > 0
    assert preview_s > 0  # time reading leads is accounted as its own state

    # every offer ended exactly once, by its own agent's lead
    offers = {d.id: d for d in decisions if d.decision == "offered"}
    ends = [d for d in decisions if d.decision != "offered"]
    assert sorted(d.offer_id for d in ends if d.offer_id is not None) == sorted(offers)
    for end in ends:
        offer = offers[end.offer_id or -1]
        assert (end.lead_id, end.agent_id) == (offer.lead_id, offer.agent_id)
        assert end.at >= offer.at
    assert all(o.closed for o in offers.values())

    # each call was dialed by an agent's decision and reached no one else
    dialed = {d.call_id: d for d in ends if d.decision == "dialed"}
    assert {c.id for c in calls} == set(dialed)
    for call in calls:
        assert call.lead_id == dialed[call.id].lead_id
        assert call.agent_id in (None, dialed[call.id].agent_id)
        assert call.final
        assert not call.abandoned
    assert result.abandoned == 0
    assert result.attempts == len(calls)

    # no lead lost: none left claimed or in progress; attempts are calls, skips are not
    per_lead = Counter(c.lead_id for c in calls)
    for lead in leads:
        assert lead.lease_owner is None, lead.id
        assert lead.status != LeadStatus.IN_PROGRESS, lead.id
        assert lead.attempts == per_lead[lead.id], lead.id
    skipped = defaultdict(list)
    for d in ends:
        if d.decision == "skipped":
            skipped[d.lead_id].append(d.at)
    by_id = {lead.id: lead for lead in leads}
    for lead_id, times in skipped.items():
        lead = by_id[lead_id]
        assert lead.status in (LeadStatus.RETRY, LeadStatus.CALLBACK, LeadStatus.DONE) or (
            per_lead[lead_id] > 0
        )
        if lead.status is LeadStatus.RETRY and per_lead[lead_id] == 0:
            assert lead.next_eligible_at is not None
            assert lead.next_eligible_at >= max(times)
