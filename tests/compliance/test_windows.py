"""Property tests of the calling-window logic (hypothesis), across DST changes.

Specs are random: candidate zones (with and without DST, half-hour offsets, the southern
hemisphere), random per-day spans, holiday bans and campaign hours. Instants are drawn around
the 2026 DST changes as well as anywhere in the year.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.rules import HolidayCalendar, WindowRule
from compliance.windows import Layer, WindowSpec, check_window, day_span, next_allowed

ZONES = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Indiana/Knox", "America/Anchorage", "Pacific/Honolulu",
    "America/St_Johns", "Europe/London", "Australia/Lord_Howe", "Pacific/Chatham",
)  # fmt: skip
# The 2026 DST changes of the zones above (UTC), where bugs hide.
EDGES = [
    datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 11, 1, 6, tzinfo=UTC),
    datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2026, 4, 4, 15, tzinfo=UTC), datetime(2026, 10, 3, 15, tzinfo=UTC),
]  # fmt: skip
CALENDARS = (HolidayCalendar("US", "PA", ("good_friday",)), HolidayCalendar("US", "RI"))


@st.composite
def day_rules(draw: st.DrawFn) -> tuple[int, int] | None:
    kind = draw(st.sampled_from(["none", "closed", "span", "span"]))
    if kind == "none":
        return None
    if kind == "closed":
        return (0, 0)
    start = draw(st.integers(0, 95)) * 15
    end = draw(st.integers(start // 15 + 1, 96)) * 15
    return start, end


@st.composite
def specs(draw: st.DrawFn) -> WindowSpec:
    zones = tuple(draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True)))
    layers = []
    for i in range(draw(st.integers(1, 3))):
        rule = WindowRule(
            f"T.{i}", "test", True, draw(day_rules()), draw(day_rules()), draw(day_rules()),
            draw(st.sampled_from([None, (0, 0), (600, 900)])),
        )  # fmt: skip
        layers.append(Layer(rule, draw(st.sampled_from(CALENDARS))))
    hours = draw(st.none() | st.tuples(st.integers(0, 22), st.integers(1, 24)))
    campaign = None if hours is None or hours[0] >= hours[1] else (hours[0] * 60, hours[1] * 60)
    return WindowSpec(zones, tuple(layers), campaign)


instants = st.one_of(
    st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31), timezones=st.just(UTC)),
    st.builds(
        lambda edge, minutes: edge + timedelta(minutes=minutes),
        st.sampled_from(EDGES),
        st.integers(-36 * 60, 36 * 60),
    ),
)


def _inside_every_candidate(spec: WindowSpec, at: datetime) -> bool:
    for name in spec.zones:
        local = at.astimezone(ZoneInfo(name))
        lo, hi = day_span(spec, local.date())
        if not lo <= local.hour * 60 + local.minute < hi:
            return False
    return True


def _near_a_transition(spec: WindowSpec, at: datetime) -> bool:
    for name in spec.zones:
        zone = ZoneInfo(name)
        offsets = {(at + timedelta(hours=h)).astimezone(zone).utcoffset() for h in (-26, 0, 26)}
        if len(offsets) > 1:
            return True
    return False


@settings(max_examples=300, deadline=None)
@given(specs(), instants)
def test_never_allows_an_instant_outside_any_candidates_window(
    spec: WindowSpec, at: datetime
) -> None:
    if check_window(spec, at):
        assert _inside_every_candidate(spec, at)


@settings(max_examples=300, deadline=None)
@given(specs(), instants)
def test_allows_every_instant_inside_all_windows_away_from_dst_changes(
    spec: WindowSpec, at: datetime
) -> None:
    if _inside_every_candidate(spec, at) and not _near_a_transition(spec, at):
        assert check_window(spec, at)


@settings(max_examples=200, deadline=None)
@given(specs(), instants)
def test_next_allowed_is_allowed_and_nothing_earlier_is(spec: WindowSpec, at: datetime) -> None:
    found = next_allowed(spec, at)
    if found is None:
        probes = [at + timedelta(minutes=7 * k) for k in range(0, 20 * 24 * 60 // 7)]
        assert not any(check_window(spec, t) for t in probes)
        return
    assert found >= at
    assert check_window(spec, found)
    assert _inside_every_candidate(spec, found)
    if found == at:
        return
    span = (found - at).total_seconds()
    probes = [at + timedelta(seconds=span * k / 97) for k in range(97)]
    probes.append(found - timedelta(seconds=1))
    assert not any(check_window(spec, t) for t in probes if t < found)


def test_spring_forward_gap_is_never_entered() -> None:
    """New York, 8 March 2026: 02:00-03:00 does not exist. A 02:30-04:00 window opens at the
    first instant whose wall time is at or after 02:30, never in the gap."""
    rule = WindowRule("T", "test", True, (150, 240), (150, 240), (150, 240), None)
    spec = WindowSpec(("America/New_York",), (Layer(rule, CALENDARS[1]),))
    start = next_allowed(spec, datetime(2026, 3, 8, 5, tzinfo=UTC))
    assert start is not None
    local = start.astimezone(ZoneInfo("America/New_York"))
    assert (local.hour, local.minute) >= (2, 30)
    assert local.hour < 4


def test_fall_back_repeated_hour_uses_the_stricter_instant() -> None:
    """New York, 1 November 2026: 01:00-02:00 happens twice. A window ending at 01:30 ends at
    the first 01:30; one starting at 01:30 starts at the second."""
    ends = WindowRule("T", "test", True, None, None, (0, 90), None)
    spec = WindowSpec(("America/New_York",), (Layer(ends, CALENDARS[1]),))
    first_0130 = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    assert check_window(spec, first_0130 - timedelta(seconds=1))
    assert not check_window(spec, first_0130)
    assert not check_window(spec, first_0130 + timedelta(minutes=45))  # 01:15 EST, wall inside
    starts = WindowRule("T", "test", True, None, None, (90, 24 * 60), None)
    spec = WindowSpec(("America/New_York",), (Layer(starts, CALENDARS[1]),))
    assert next_allowed(spec, first_0130 - timedelta(hours=1)) == first_0130 + timedelta(hours=1)
