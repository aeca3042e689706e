"""Table tests: each case is a fact read in the rules' sources (cited per case).

Times are the called party's local wall time; leads are landlines with no history, dialed in
preview mode, so only the calling windows decide (consent and caps are tested elsewhere).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from compliance.evaluate import Lookups, evaluate
from tests.compliance.memory import MemoryHistory, campaign, fresh_dnc, lead

ET, CT, MT, PT = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"
STATE_ZONE = {
    "NY": ET, "FL": ET, "PA": ET, "RI": ET, "MA": ET, "DC": ET, "KY": ET, "MD": ET,
    "TX": CT, "AL": CT, "MS": CT, "OK": CT, "LA": CT, "UT": MT, "WA": PT, "WY": MT,
    "ON": "America/Toronto", "BC": "America/Vancouver", "AZ": "America/Phoenix",
}  # fmt: skip

# (source, state, purpose, local time, allowed)
CASES = [
    ("16 CFR 310.4(c); 47 CFR 64.1200(c)(1)", "NY", "telemarketing", "2026-03-10 07:59", False),
    ("16 CFR 310.4(c); 47 CFR 64.1200(c)(1)", "NY", "telemarketing", "2026-03-10 08:00", True),
    ("16 CFR 310.4(c); 47 CFR 64.1200(c)(1)", "NY", "telemarketing", "2026-03-10 20:59", True),
    ("16 CFR 310.4(c); 47 CFR 64.1200(c)(1)", "NY", "telemarketing", "2026-03-10 21:00", False),
    ("16 CFR 310.4(c): every day, holidays too", "NY", "telemarketing", "2026-12-25 10:00", True),
    ("12 CFR 1006.6(b)(1)(i)", "NY", "collections", "2026-03-10 21:00", False),
    ("12 CFR 1006.6(b)(1)(i)", "NY", "collections", "2026-03-15 08:00", True),
    ("Fla. Stat. 501.616(6)(a)", "FL", "telemarketing", "2026-03-10 19:59", True),
    ("Fla. Stat. 501.616(6)(a)", "FL", "telemarketing", "2026-03-10 20:00", False),
    ("Fla. Stat. 501.616: solicitation only", "FL", "survey", "2026-03-10 20:30", True),
    ("Tex. Bus. & Com. Code 301.051", "TX", "telemarketing", "2026-03-10 08:30", False),
    ("Tex. Bus. & Com. Code 301.051", "TX", "telemarketing", "2026-03-15 11:59", False),
    ("Tex. Bus. & Com. Code 301.051", "TX", "telemarketing", "2026-03-15 12:00", True),
    ("R.I. Gen. Laws 5-61-3.6", "RI", "telemarketing", "2026-03-10 17:59", True),
    ("R.I. Gen. Laws 5-61-3.6", "RI", "telemarketing", "2026-03-10 18:00", False),
    ("R.I. Gen. Laws 5-61-3.6", "RI", "telemarketing", "2026-03-14 09:30", False),
    ("R.I. Gen. Laws 5-61-3.6", "RI", "telemarketing", "2026-03-14 16:59", True),
    ("R.I. Gen. Laws 5-61-3.6: no Sundays", "RI", "telemarketing", "2026-03-15 12:00", False),
    ("R.I. Gen. Laws 5-61-3.6: no holidays", "RI", "telemarketing", "2026-05-25 12:00", False),
    ("73 P.S. 2245(a)(10): Thanksgiving", "PA", "telemarketing", "2026-11-26 12:00", False),
    ("73 P.S. 2245: Good Friday (src 24d)", "PA", "telemarketing", "2026-04-03 12:00", False),
    ("73 P.S. 2245: an ordinary Thursday", "PA", "telemarketing", "2026-04-02 12:00", True),
    ("73 P.S. 2242: collections excluded", "PA", "collections", "2026-11-26 12:00", True),
    ("Utah Code 13-25a-103: no Sundays", "UT", "telemarketing", "2026-03-15 12:00", False),
    ("Utah Code 13-25a-103: Pioneer Day", "UT", "telemarketing", "2026-07-24 12:00", False),
    ("Ala. Admin. Code r. 770-X-5-.17(1)", "AL", "telemarketing", "2026-03-10 20:00", False),
    ("Ala. Admin. Code r. 770-X-5-.17(1)", "AL", "telemarketing", "2026-03-15 12:00", False),
    ("Miss. Code 77-3-723(1): no Sundays", "MS", "telemarketing", "2026-03-15 12:00", False),
    ("Miss. Code 77-3-723(1)", "MS", "telemarketing", "2026-03-14 20:59", True),
    ("201 CMR 12.02(2)", "MA", "telemarketing", "2026-03-10 20:00", False),
    ("940 CMR 7.04(1)(f): 08-21 collections", "MA", "collections", "2026-03-10 20:30", True),
    ("RCW 19.158.040(2)", "WA", "telemarketing", "2026-03-10 20:00", False),
    ("Md. Com. Law 14-4502", "MD", "telemarketing", "2026-03-10 20:00", False),
    ("DC Code 22-3226.08", "DC", "telemarketing", "2026-03-10 20:30", True),
    ("KRS 367.46955 (unverified 10:00)", "KY", "telemarketing", "2026-03-10 09:59", False),
    ("15 O.S. 775C", "OK", "telemarketing", "2026-03-10 20:00", False),
    ("dnc.com holiday alert (LA, src 24e)", "LA", "telemarketing", "2026-12-25 12:00", False),
    ("CRTC UTR: weekdays to 21:30", "ON", "telemarketing", "2026-03-10 21:29", True),
    ("CRTC UTR: weekdays to 21:30", "ON", "telemarketing", "2026-03-10 21:30", False),
    ("CRTC UTR: weekends 10-18", "ON", "telemarketing", "2026-03-14 09:59", False),
    ("CRTC UTR: weekends 10-18", "ON", "telemarketing", "2026-03-14 17:59", True),
    ("CRTC UTR: weekends 10-18", "ON", "telemarketing", "2026-03-15 18:00", False),
    ("Consumer Protection BC: no statutory holidays", "BC", "telemarketing",
     "2026-08-03 12:00", False),
]  # fmt: skip


def _at(zone: str, local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.mark.parametrize(("source", "state", "purpose", "local", "allowed"), CASES)
def test_calling_windows_from_the_sources(
    source: str, state: str, purpose: str, local: str, allowed: bool
) -> None:
    zone = STATE_ZONE[state]
    country = "CA" if state in ("ON", "BC") else "US"
    who = lead(zones=(zone,), states=(state,), country=country, line_type="landline")
    at = _at(zone, local)
    decision = evaluate(who, campaign(purpose), at, Lookups(fresh_dnc(at.date()), MemoryHistory()))
    assert decision.allowed is allowed, (source, decision.denials)
    if not allowed:
        assert any(".window" in r.rule_id for r in decision.denials)
        assert decision.next_allowed_at is not None
        assert decision.next_allowed_at > decision.at


def test_arizona_keeps_standard_time_all_year() -> None:
    """Most of Arizona has no DST (compliance.md section 7): 08:00 MST is 15:00 UTC all year."""
    az = lead(zones=("America/Phoenix",), states=("AZ",), line_type="landline")
    for day in ("2026-01-15", "2026-07-15"):
        look = Lookups(fresh_dnc(date.fromisoformat(day)), MemoryHistory())
        assert not evaluate(
            az, campaign(), datetime.fromisoformat(f"{day}T14:59:00+00:00"), look
        ).allowed
        assert evaluate(
            az, campaign(), datetime.fromisoformat(f"{day}T15:00:00+00:00"), look
        ).allowed


def test_the_intersection_of_every_candidate_zone_and_state_decides() -> None:
    """A Florida number that may be in Texas: the TX Sunday noon start and the FL 20:00 end."""
    both = lead(zones=(ET, CT), states=("FL", "TX"), line_type="landline")
    look = Lookups(fresh_dnc(), MemoryHistory())
    sunday_11_ct = _at(CT, "2026-03-15 11:30")  # 12:30 in Florida, but 11:30 in Texas
    d = evaluate(both, campaign(), sunday_11_ct, look)
    assert not d.allowed
    assert [r.rule_id for r in d.denials] == ["US-TX.telemarketing.window"]
    assert d.next_allowed_at == _at(CT, "2026-03-15 12:00")
    evening = _at(CT, "2026-03-15 19:30")  # 19:30 in Texas, 20:30 in Florida
    d = evaluate(both, campaign(), evening, look)
    assert not d.allowed
    assert {r.rule_id for r in d.denials} == {"US-FL.telemarketing.window"}
    assert d.next_allowed_at == _at(CT, "2026-03-16 09:00")  # TX weekday start, 10:00 in FL


def test_campaign_hours_narrow_the_law() -> None:
    look = Lookups(fresh_dnc(), MemoryHistory())
    who = lead(line_type="landline")
    own = campaign(local_start="10:00", local_end="16:00")
    d = evaluate(who, own, _at(ET, "2026-03-10 09:00"), look)
    assert [r.rule_id for r in d.denials] == ["campaign.hours"]
    assert d.next_allowed_at == _at(ET, "2026-03-10 10:00")
    assert not evaluate(who, own, _at(ET, "2026-03-10 16:00"), look).allowed
    assert evaluate(who, own, _at(ET, "2026-03-10 15:59"), look).allowed


def test_next_allowed_at_skips_closed_days_and_crosses_dst() -> None:
    """Rhode Island, Saturday 17:30 before the spring change: closed Sunday, so Monday 09:00 EDT."""
    look = Lookups(fresh_dnc(), MemoryHistory())
    ri = lead(zones=(ET,), states=("RI",), line_type="landline")
    d = evaluate(ri, campaign(), _at(ET, "2026-03-07 17:30"), look)
    assert d.next_allowed_at == _at(ET, "2026-03-09 09:00")
    assert d.next_allowed_at == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # EDT = UTC-4
