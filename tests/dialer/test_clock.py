import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from dialer.clock import RealClock, VirtualClock

START = datetime(2026, 3, 8, 6, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[VirtualClock]:
    with VirtualClock(START) as c:
        yield c


def test_virtual_time_jumps_to_the_next_timer(clock: VirtualClock) -> None:
    async def main() -> datetime:
        await clock.sleep(3600)
        return clock.now()

    assert clock.run(main()) == START + timedelta(hours=1)


def test_concurrent_sleepers_wake_in_order(clock: VirtualClock) -> None:
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        woke.append((name, clock.monotonic()))

    async def main() -> None:
        await asyncio.gather(sleeper("b", 2.5), sleeper("a", 1.0), sleeper("c", 10))

    clock.run(main())
    assert woke == [("a", 1.0), ("b", 2.5), ("c", 10.0)]


def test_timeouts_run_in_virtual_time(clock: VirtualClock) -> None:
    async def main() -> float:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(2):
                await asyncio.sleep(3600)
        return clock.monotonic()

    assert clock.run(main()) == 2.0


def test_real_time_mode_with_speed() -> None:
    with VirtualClock(START, speed=1000) as clock:
        clock.run(clock.sleep(5))
        assert clock.now() == START + timedelta(seconds=5)


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        VirtualClock(datetime(2026, 1, 1))


def test_real_clock_is_aware() -> None:
    assert RealClock().now().tzinfo is not None
