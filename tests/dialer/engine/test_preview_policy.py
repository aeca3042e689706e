"""The skip policy, as properties: a skip never changes attempts, the lead comes back after the
delay until its last allowed skip sets it aside."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from campaigns.enums import LeadStatus
from compliance.api import LeadFacts
from dialer.engine.leads import ClaimedLead
from dialer.engine.preview_policy import PreviewPolicy, after_skip

NOW = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
READY = (LeadStatus.NEW, LeadStatus.RETRY, LeadStatus.CALLBACK)


def _lead(status: LeadStatus, attempts: int) -> ClaimedLead:
    facts = LeadFacts("+12025550100", ("America/New_York",), ("US-DC",))
    return ClaimedLead(7, 1, "+12025550100", facts, attempts, status, None, {})


@given(
    status=st.sampled_from(READY),
    attempts=st.integers(0, 20),
    skips=st.integers(1, 10),
    delay=st.floats(1.0, 86400.0),
    max_skips=st.integers(1, 6),
)
def test_a_skip_never_counts_as_an_attempt(
    status: LeadStatus, attempts: int, skips: int, delay: float, max_skips: int
) -> None:
    policy = PreviewPolicy(skip_delay_s=delay, max_skips=max_skips)
    out = after_skip(_lead(status, attempts), skips, NOW, policy)
    assert out.lead_id == 7
    assert out.attempts is None  # the attempt count is left as it is
    assert out.last_attempt_at is None
    if skips >= max_skips:
        assert (out.status, out.disposition, out.next_eligible_at) == (
            LeadStatus.DONE,
            "skipped",
            None,
        )
    else:
        assert out.status in (LeadStatus.RETRY, LeadStatus.CALLBACK)
        assert out.status is not LeadStatus.RETRY or status is not LeadStatus.CALLBACK
        assert out.next_eligible_at == NOW + timedelta(seconds=delay)
        assert out.disposition is None  # the last real disposition stays
