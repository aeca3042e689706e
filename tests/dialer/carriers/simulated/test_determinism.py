"""Same seed, number and attempt: same callee, whatever the order and timing of dialing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.carriers import CallAnswered, CarrierEvent, OriginateRequest
from dialer.carriers.simulated import FateDrawer, SimulatedCarrier, World, load_world
from dialer.clock import VirtualClock
from tests.dialer.carriers.harness import CALLER_ID, START

WORLD = load_world()

#: (number, attempt) -> the call's events as (type, seconds after origination, details)
Story = dict[tuple[str, int], list[tuple[str, float, str]]]


def _story(world: World, seed: int, dials: list[tuple[str, float]]) -> Story:
    """Dial ``dials`` (number, pause before dialing) in order; bridge every answer."""
    placed: dict[str, tuple[str, int, float]] = {}
    story: Story = {}
    with VirtualClock(START) as clock:
        carrier = SimulatedCarrier(clock, world, seed=seed, max_cps=1e9)
        agents = iter(f"a{i}" for i in range(len(dials)))

        async def sink(event: CarrierEvent) -> None:
            to, attempt, t0 = placed[event.call_id]
            detail = getattr(event, "reason", getattr(event, "kind", ""))
            age = clock.monotonic() - t0
            story.setdefault((to, attempt), []).append((type(event).__name__, age, str(detail)))
            if isinstance(event, CallAnswered):
                await carrier.bridge(event.call_id, next(agents))

        async def main() -> None:
            await carrier.start(sink)
            for agent in [f"a{i}" for i in range(len(dials))]:
                await carrier.agent_login(agent, None)
            attempts: dict[str, int] = {}
            for to, pause in dials:
                await clock.sleep(pause)
                attempts[to] = attempts.get(to, 0) + 1
                call_id = await carrier.originate(OriginateRequest(to=to, caller_id=CALLER_ID))
                placed[call_id] = (to, attempts[to], clock.monotonic())
            await clock.sleep(24 * 3600)
            await carrier.stop()

        clock.run(main())
    return story


numbers = st.lists(
    st.integers(min_value=12_000_000_000, max_value=19_999_999_999).map(lambda n: f"+{n}"),
    min_size=1,
    max_size=6,
    unique=True,
)


@settings(max_examples=25, deadline=None)
@given(numbers, st.data())
def test_fate_does_not_depend_on_dial_order_or_timing(names: list[str], data: Any) -> None:
    repeats = data.draw(st.lists(st.integers(1, 3), min_size=len(names), max_size=len(names)))
    dials = [to for to, k in zip(names, repeats, strict=True) for _ in range(k)]
    order = data.draw(st.permutations(dials))
    pauses = data.draw(st.lists(st.floats(0, 120), min_size=len(dials), max_size=len(dials)))
    first = _story(WORLD, 5, [(to, 0.0) for to in dials])
    second = _story(WORLD, 5, list(zip(order, pauses, strict=True)))
    _assert_same(first, second)
    assert len(first) == len(dials)


def _assert_same(first: Story, second: Story) -> None:
    """Same events per (number, attempt), at the same ages (to float rounding)."""
    assert first.keys() == second.keys()
    for key, events in first.items():
        assert [(n, d) for n, _, d in events] == [(n, d) for n, _, d in second[key]]
        assert [t for _, t, _ in events] == pytest.approx([t for _, t, _ in second[key]], abs=1e-6)


def test_the_seed_changes_the_world() -> None:
    dials = [(f"+1415555{i:04d}", 0.0) for i in range(40)]
    _assert_same(_story(WORLD, 1, dials), _story(WORLD, 1, dials))
    assert _story(WORLD, 1, dials) != _story(WORLD, 2, dials)


def test_fates_are_pure_functions_of_seed_number_attempt() -> None:
    a, b = FateDrawer(WORLD, 9), FateDrawer(load_world(), 9)
    keys = [(14155550000 + i, k) for i in range(50) for k in (1, 2, 3)]
    assert [a.draw(n, k) for n, k in keys] == [b.draw(n, k) for n, k in reversed(keys)][::-1]
    assert a.draw(14155550000, 1) != a.draw(14155550000, 2)
