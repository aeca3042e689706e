"""Campaign hours: dialing pauses outside the campaign's own hours (in its leads' local time)
and resumes inside them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, update

from campaigns.models import Campaign
from dialer.clock import VirtualClock
from dialer.engine.demo_data import DemoSpec, create_demo_campaign
from dialer.engine.hours import open_at
from dialer.storage import make_engine, session_factory, upgrade
from tests.dialer.engine.scripted import ScriptedCarrier, scripted_runtime

START = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)  # 10:00 in New York (EDT since March 8)
ZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles", "Pacific/Honolulu")


@given(
    at=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
    ),
    start=st.integers(0, 22),
    length=st.integers(1, 12),
    zones=st.lists(st.sampled_from(ZONES), min_size=1, max_size=3),
)
def test_open_when_local_time_is_within_the_hours_in_some_zone(
    at: datetime, start: int, length: int, zones: list[str]
) -> None:
    end = min(start + length, 23)
    first, last = time(start), time(end)
    inside = any(first <= at.astimezone(ZoneInfo(z)).time() < last for z in zones)
    assert open_at(f"{start:02d}:00", f"{end:02d}:00", zones, at) is inside
    assert open_at(None, None, zones, at)  # no hours of its own: always open
    assert open_at(f"{start:02d}:00", f"{end:02d}:00", ["Nowhere/Unknown"], at)  # gate decides


@pytest.fixture
def db(tmp_path: object) -> Iterator[Engine]:
    engine = make_engine("sqlite://")
    upgrade(engine)
    with session_factory(engine).begin() as s:
        cid = create_demo_campaign(s, DemoSpec(name="Hours", leads=400), START)
        s.execute(
            update(Campaign)
            .where(Campaign.id == cid)
            .values(local_start="11:00", local_end="12:00")
        )
    yield engine
    engine.dispose()


def test_dialing_pauses_outside_the_campaign_hours_and_resumes_inside(db: Engine) -> None:
    placed_at: list[datetime] = []
    with VirtualClock(START) as clock:
        carrier = ScriptedCarrier()
        rt = scripted_runtime(db, clock, carrier, owner="h")

        async def main() -> None:
            rt.engine.add_campaign(1)
            await rt.engine.start()
            await rt.desk.login("ann", [1])
            end = START + timedelta(hours=2, minutes=30)
            while clock.now() < end:
                before = len(carrier.placed)
                await rt.engine.tick()
                placed_at.extend(clock.now() for _ in carrier.placed[before:])
                for n in range(before, len(carrier.placed)):  # nobody answers
                    await carrier.end(f"c{n + 1}", clock.now())
                await clock.sleep(30.0)
            await rt.engine.stop(drain_s=0.0)

        clock.run(main())
    assert placed_at, "nothing was dialed inside the hours"
    opens, closes = START + timedelta(hours=1), START + timedelta(hours=2)  # 11:00, 12:00 NY
    assert min(placed_at) >= opens
    assert min(placed_at) <= opens + timedelta(seconds=90)  # resumed within a check interval
    assert max(placed_at) < closes + timedelta(seconds=90)  # paused again after 11:00
