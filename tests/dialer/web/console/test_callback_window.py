"""Callback hours from the compliance rules, in the lead's local time."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from compliance.api import CampaignFacts, LeadFacts
from dialer.errors import InputError
from dialer.web.console.callback_window import callback_window, check_callback

NOW = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)  # Monday 10:00 in New York
NY = LeadFacts(phone="+12025550100", timezones=("America/New_York",), states=("NY",))
CAMPAIGN = CampaignFacts(campaign_id=1, purpose="telemarketing", dial_mode="predictive")


def test_hours_come_from_the_rules_for_the_next_week() -> None:
    hours, spec = callback_window(NY, CAMPAIGN, "America/New_York", NOW)
    assert spec is not None
    assert hours.timezone == "America/New_York"
    assert hours.note.startswith("Mon ")
    assert hours.note.count(" · ") == 6
    assert hours.local_start <= time(9) <= time(20) <= hours.local_end


def test_a_time_outside_the_window_is_refused_with_the_next_allowed() -> None:
    _, spec = callback_window(NY, CAMPAIGN, "America/New_York", NOW)
    check_callback(spec, datetime(2026, 3, 10, 15, 0, tzinfo=UTC), "America/New_York")  # 11:00
    with pytest.raises(InputError, match=r"next allowed time is Wed 2026-03-11 0\d:00"):
        check_callback(spec, datetime(2026, 3, 11, 3, 0, tzinfo=UTC), "America/New_York")  # 23:00


def test_the_campaigns_own_hours_narrow_the_window() -> None:
    narrow = CampaignFacts(1, "telemarketing", "predictive", local_start="10:00", local_end="12:00")
    hours, spec = callback_window(NY, narrow, "America/New_York", NOW)
    assert (hours.local_start, hours.local_end) == (time(10), time(12))
    with pytest.raises(InputError, match="Tue 2026-03-10 10:00"):
        check_callback(spec, datetime(2026, 3, 10, 13, 0, tzinfo=UTC), "America/New_York")  # 9:00


def test_a_lead_the_rules_cannot_place_gets_the_default_hours() -> None:
    nowhere = LeadFacts(phone="+12025550100", timezones=(), states=())
    hours, spec = callback_window(nowhere, CAMPAIGN, "UTC", NOW)
    assert spec is None
    assert (hours.local_start, hours.local_end) == (time(8), time(21))
    check_callback(spec, NOW, "UTC")  # the gate decides when it is dialed
