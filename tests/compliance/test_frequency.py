"""Frequency caps (issue 3, section 4) from a call history, through ``evaluate``."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.api import Attempt, CampaignFacts, Decision, LeadFacts
from compliance.evaluate import Lookups, evaluate
from tests.compliance.memory import MemoryHistory, campaign, fresh_dnc, lead, utc

PHONE = "+12125550100"
AT = utc("2026-03-10T16:00:00")  # Tuesday 12:00 in New York


def _with(
    attempts: list[Attempt], who: LeadFacts, camp: CampaignFacts, at: datetime = AT
) -> Decision:
    history = MemoryHistory()
    for a in attempts:
        history.add(who.phone, a)
    return evaluate(who, camp, at, Lookups(fresh_dnc(), history))


def _denied_by(d: Decision) -> set[str]:
    return {r.rule_id for r in d.denials}


def test_regulation_f_seven_calls_in_seven_days_per_debt() -> None:
    """12 CFR 1006.14(b)(2)(i)(A): the 8th call about a debt within 7 days is denied."""
    debtor = lead(line_type="landline", debt_id="D1")
    collect = campaign("collections", max_attempts=50, max_attempts_per_day=10)
    calls = [Attempt(AT - timedelta(days=6, hours=20) + timedelta(hours=20 * k), 1, "collections",
                     debt_id="D1") for k in range(7)]  # fmt: skip
    d = _with(calls, debtor, collect)
    assert _denied_by(d) == {"US.collections.cap"}
    release = calls[0].at + timedelta(days=7)
    assert d.next_allowed_at == release
    assert _with(calls, debtor, collect, release).allowed
    other_debt = lead(line_type="landline", debt_id="D2")
    assert _with(calls, other_debt, collect).allowed  # counted per debt
    no_debt = lead(line_type="landline")
    assert not _with(calls, no_debt, collect).allowed  # no debt id: every debt counts


def test_regulation_f_no_call_within_seven_days_after_a_conversation() -> None:
    """12 CFR 1006.14(b)(2)(i)(B)."""
    debtor = lead(line_type="landline", debt_id="D1")
    talk = Attempt(AT - timedelta(days=3), 2, "collections", debt_id="D1", conversation=True)
    d = _with([talk], debtor, campaign("collections"))
    assert _denied_by(d) == {"US.collections.after_conversation"}
    assert d.next_allowed_at == talk.at + timedelta(days=7)
    assert _with([talk], lead(line_type="landline", debt_id="D9"), campaign("collections")).allowed


def test_florida_three_calls_in_24_hours_on_the_same_subject_from_any_campaign() -> None:
    """Fla. Stat. 501.616(6)(b)."""
    fl = lead(states=("FL",), line_type="landline")
    calls = [Attempt(AT - timedelta(hours=h), 7, "telemarketing") for h in (23, 5, 1)]
    d = _with(calls, fl, campaign())
    assert _denied_by(d) == {"US-FL.telemarketing.cap"}
    assert d.next_allowed_at == AT + timedelta(hours=1)
    assert _with(calls, fl, campaign("survey")).allowed  # another subject
    assert _with(calls, lead(line_type="landline"), campaign()).allowed  # New York: no cap


def test_massachusetts_two_collection_calls_per_seven_days() -> None:
    """940 CMR 7.04(1)(f); 209 CMR 18.16(1)(a)."""
    ma = lead(states=("MA",), line_type="landline", debt_id="X")
    calls = [Attempt(AT - timedelta(days=d), 3, "collections", debt_id="X") for d in (6, 2)]
    assert _denied_by(_with(calls, ma, campaign("collections"))) == {"US-MA.collections.cap"}


def test_british_columbia_one_call_per_30_days_unless_permission() -> None:
    bc = LeadFacts(PHONE, ("America/Vancouver",), ("BC",), country="CA", line_type="landline")
    at = utc("2026-03-10T20:00:00")  # 12:00 in Vancouver
    calls = [Attempt(at - timedelta(days=20), 1, "telemarketing")]
    dnc = fresh_dnc()
    history = MemoryHistory({PHONE: calls})
    d = evaluate(bc, campaign(), at, Lookups(dnc, history))
    assert _denied_by(d) == {"CA-BC.telemarketing.cap"}
    allowed = LeadFacts(PHONE, bc.timezones, bc.states, "CA", "landline", "express")
    assert evaluate(allowed, campaign(), at, Lookups(dnc, history)).allowed


def test_uk_no_automated_repeat_within_72_hours_of_an_abandoned_call() -> None:
    uk = LeadFacts("+442079460000", ("Europe/London",), (), country="GB", line_type="landline")
    at = utc("2026-03-10T12:00:00")
    abandoned = Attempt(at - timedelta(hours=30), 1, "survey", abandoned=True)
    history = MemoryHistory({uk.phone: [abandoned]})
    look = Lookups(fresh_dnc(), history)
    assert _denied_by(evaluate(uk, campaign("survey", "predictive"), at, look)) == {"GB.survey.cap"}
    assert evaluate(uk, campaign("survey", "preview"), at, look).allowed


def test_campaign_max_attempts_per_lead_and_per_day() -> None:
    who = lead(line_type="landline")
    own = campaign(max_attempts=3, max_attempts_per_day=2)
    two_today = [Attempt(AT - timedelta(hours=h), 1, "telemarketing") for h in (3, 1)]
    d = _with(two_today, who, own)
    assert _denied_by(d) == {"campaign.max_attempts_per_day"}
    assert d.next_allowed_at == AT + timedelta(hours=21)  # 09:00 tomorrow in New York
    exhausted = [*two_today, Attempt(AT - timedelta(days=9), 1, "telemarketing")]
    d = _with(exhausted, who, own)
    assert "campaign.max_attempts" in _denied_by(d)
    assert d.next_allowed_at is None
    other_campaign = [Attempt(AT - timedelta(hours=h), 2, "telemarketing") for h in (3, 2, 1)]
    assert _with(other_campaign, who, own).allowed


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(1, 14 * 24 * 60), min_size=0, max_size=14),
    st.integers(0, 14 * 24),
)
def test_next_allowed_at_is_callable_and_passes_every_cap(ago: list[int], hour: int) -> None:
    """Whatever the history, the decision at next_allowed_at (same history) allows the call."""
    debtor = lead(line_type="landline", debt_id="D1")
    collect = campaign("collections", max_attempts=100, max_attempts_per_day=2)
    at = AT + timedelta(hours=hour)
    calls = [Attempt(at - timedelta(minutes=m), 1, "collections", debt_id="D1",
                     conversation=m % 11 == 0) for m in ago]  # fmt: skip
    d = _with(calls, debtor, collect, at)
    if d.allowed or d.next_allowed_at is None:
        return
    later = _with(calls, debtor, collect, d.next_allowed_at)
    assert later.allowed, later.denials
