"""Consent (issue 3, section 3) and do-not-call rules (section 2), through ``evaluate``."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from compliance.api import DncHit, LeadFacts
from compliance.donotcall import add_months
from compliance.evaluate import Lookups, evaluate
from tests.compliance.memory import MemoryDnc, MemoryHistory, campaign, fresh_dnc, lead, utc

NOON_ET = utc("2026-03-10T16:00:00")  # 12:00 in New York, Tuesday
LISTED = (DncHit("national", "2026-03-01", "registered"),)


def _decide(
    who: LeadFacts,
    purpose: str = "telemarketing",
    mode: str = "predictive",
    dnc: MemoryDnc | None = None,
    at: datetime = NOON_ET,
) -> tuple[bool, set[str]]:
    d = evaluate(who, campaign(purpose, mode), at, Lookups(dnc or fresh_dnc(), MemoryHistory()))
    return d.allowed, {r.rule_id for r in d.denials}


# (source, purpose, dial mode, line type, consent, state, allowed)
CONSENT = [
    ("47 CFR 64.1200(a)(2)", "telemarketing", "predictive", "wireless", "none", "NY", False),
    ("47 CFR 64.1200(a)(2)", "telemarketing", "predictive", "wireless", "express", "NY", False),
    ("47 CFR 64.1200(a)(2)", "telemarketing", "power", "wireless", "express_written", "NY", True),
    ("unknown line = wireless", "telemarketing", "progressive", "unknown", "express", "NY", False),
    ("VoIP counted as wireless", "telemarketing", "predictive", "voip", "none", "NY", False),
    ("TCPA: landline, live", "telemarketing", "predictive", "landline", "none", "NY", True),
    ("manual dialing (preview)", "telemarketing", "preview", "unknown", "none", "NY", True),
    ("47 CFR 64.1200(a)(1)(iii)", "collections", "predictive", "wireless", "none", "NY", False),
    ("47 CFR 64.1200(a)(1)(iii)", "collections", "predictive", "wireless", "express", "NY", True),
    ("47 CFR 64.1200(a)(1)(iii)", "survey", "power", "unknown", "express", "NY", True),
    ("Fla. Stat. 501.059: any line", "telemarketing", "predictive", "landline", "express", "FL",
     False),
    ("Fla. Stat. 501.059", "telemarketing", "predictive", "landline", "express_written", "FL",
     True),
    ("Utah Code 13-25a-103", "telemarketing", "predictive", "landline", "none", "UT", False),
]  # fmt: skip


@pytest.mark.parametrize(("source", "purpose", "mode", "line", "consent", "state", "ok"), CONSENT)
def test_consent_for_automated_calls(
    source: str, purpose: str, mode: str, line: str, consent: str, state: str, ok: bool
) -> None:
    zone = "America/Denver" if state == "UT" else "America/New_York"
    who = lead(zones=(zone,), states=(state,), line_type=line, consent_type=consent)
    at = utc("2026-03-10T18:00:00")  # 14:00 ET, 12:00 MT
    allowed, denials = _decide(who, purpose, mode, at=at)
    assert allowed is ok, (source, denials)
    if not ok:
        assert all(d.endswith(".consent") for d in denials)


def test_consent_dated_after_the_call_does_not_count() -> None:
    who = lead(line_type="wireless", consent_type="express_written", consent_date=date(2026, 4, 1))
    d = evaluate(
        who, campaign(dial_mode="predictive"), NOON_ET, Lookups(fresh_dnc(), MemoryHistory())
    )
    assert not d.allowed
    assert d.next_allowed_at is None  # time does not bring consent


def test_national_registry_listing_denies_telemarketing_only() -> None:
    dnc = fresh_dnc()
    dnc.hits["+12125550100"] = LISTED
    who = lead(line_type="landline")
    assert _decide(who, dnc=dnc) == (False, {"US.telemarketing.dnc"})
    for purpose in ("survey", "appointment", "collections"):  # FTC DNC FAQ (src 3)
        assert _decide(who, purpose, dnc=dnc)[0]


@pytest.mark.parametrize(
    ("facts", "ok"),
    [
        ({"ebr_purchase_date": date(2024, 9, 10)}, True),  # 18 months to the day (16 CFR 310.2)
        ({"ebr_purchase_date": date(2024, 9, 9)}, False),  # 18 months and a day
        ({"ebr_inquiry_date": date(2025, 12, 10)}, True),  # 3 months after an inquiry
        ({"ebr_inquiry_date": date(2025, 12, 9)}, False),
        ({"ebr_purchase_date": date(2026, 4, 1)}, False),  # a purchase after the call
        ({"written_permission": True}, True),
        ({"consent_type": "express_written"}, True),  # a signed written agreement
        ({"consent_type": "express"}, False),
    ],
)
def test_registry_exemptions(facts: dict[str, object], ok: bool) -> None:
    dnc = fresh_dnc()
    dnc.hits["+12125550100"] = LISTED
    who = lead(line_type="landline", **facts)
    assert _decide(who, dnc=dnc)[0] is ok


def test_a_number_in_an_area_code_not_imported_is_treated_as_listed_even_with_an_ebr() -> None:
    dnc = fresh_dnc()
    dnc.hits["+12125550100"] = (DncHit("national", "2026-03-01", "area code 212 is not in..."),)
    who = lead(line_type="landline", ebr_purchase_date=date(2026, 1, 1))
    assert _decide(who, dnc=dnc) == (False, {"US.telemarketing.dnc"})


def test_company_list_denies_every_purpose_and_overrides_the_ebr() -> None:
    dnc = fresh_dnc()
    dnc.hits["+12125550100"] = (DncHit("company", "2025-01-01T00:00:00+00:00", "agent"),)
    who = lead(line_type="landline", ebr_purchase_date=date(2026, 1, 1), written_permission=True)
    for purpose in ("telemarketing", "survey", "appointment", "collections"):
        assert _decide(who, purpose, dnc=dnc) == (False, {"company.dnc"})


def test_a_campaign_list_denies_its_own_campaign_only() -> None:
    dnc = fresh_dnc()
    dnc.hits["+12125550100"] = (DncHit("campaign:1", "2026-01-01", "x"),)
    who = lead(line_type="landline")
    assert _decide(who, "survey", dnc=dnc) == (False, {"campaign.dnc"})
    dnc.hits["+12125550100"] = (DncHit("campaign:2", "2026-01-01", "x"),)
    assert _decide(who, "survey", dnc=dnc)[0]


def test_stale_national_registry_denies_all_telemarketing_with_a_clear_message() -> None:
    """16 CFR 310.4(b)(3)(iv): a registry obtained more than 31 days before the call."""
    who = lead(line_type="landline")
    at = utc("2026-04-01T16:00:00")
    fine = fresh_dnc(date(2026, 3, 1))  # 31 days old
    assert _decide(who, dnc=fine, at=at)[0]
    stale = fresh_dnc(date(2026, 2, 28))  # 32 days old
    d = evaluate(who, campaign(), at, Lookups(stale, MemoryHistory()))
    assert not d.allowed
    assert d.next_allowed_at is None
    assert "32 days old" in d.denials[0].detail
    assert "every telemarketing call is denied" in d.denials[0].detail
    assert _decide(who, "survey", dnc=stale, at=at)[0]  # surveys do not use the registry


def test_missing_registries_fail_closed_only_where_required() -> None:
    who = lead(line_type="landline")
    nothing = MemoryDnc()
    d = evaluate(who, campaign(), NOON_ET, Lookups(nothing, MemoryHistory()))
    assert [r.rule_id for r in d.denials] == ["US.telemarketing.dnc"]
    assert "not loaded" in d.denials[0].detail
    only_national = MemoryDnc(loaded={"national": date(2026, 3, 1)})
    pa = lead(states=("PA",), line_type="landline")
    assert _decide(pa, dnc=only_national) == (False, {"US-PA.telemarketing.dnc"})
    fl = lead(states=("FL",), line_type="landline", consent_type="express_written")
    assert _decide(fl, dnc=only_national)[0]  # the Florida list is applied only if loaded


def test_state_list_listing_denies_unless_written_permission() -> None:
    dnc = fresh_dnc()
    dnc.hits["+12155550100"] = (DncHit("state:PA", "2026-03-01", "registered"),)
    pa = lead("+12155550100", states=("PA",), line_type="landline",
              ebr_purchase_date=date(2026, 1, 1))  # fmt: skip
    assert _decide(pa, dnc=dnc) == (False, {"US-PA.telemarketing.dnc"})
    assert _decide(LeadFacts(**{**_fields(pa), "written_permission": True}), dnc=dnc)[0]


def _fields(who: LeadFacts) -> dict[str, object]:
    return {k: getattr(who, k) for k in who.__slots__}  # type: ignore[attr-defined]


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(date(2025, 8, 31), 18) == date(2027, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)
