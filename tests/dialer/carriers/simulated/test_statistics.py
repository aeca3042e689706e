"""The world's draws against pacing.md, over many attempts (fixed seeds: deterministic)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from dialer.carriers import CallAnswered, CallEnded, CallRinging, CarrierEvent
from dialer.carriers import OriginateRequest as Request
from dialer.carriers.base import AnswerKind, EndReason
from dialer.carriers.simulated import Fate, FateDrawer, Outcome, SimulatedCarrier, load_world
from dialer.clock import VirtualClock
from tests.dialer.carriers.harness import CALLER_ID, START

N = 80_000
FIRST = 12_125_550_000


def _fates(contact: str = "high", variants: tuple[str, ...] = (), seed: int = 1) -> list[Fate]:
    drawer = FateDrawer(load_world(contact, variants), seed)
    return [drawer.draw(FIRST + i, 1) for i in range(N)]


@pytest.fixture(scope="module")
def high() -> list[Fate]:
    return _fates()


def _shares(fates: list[Fate]) -> dict[Outcome, float]:
    counts = Counter(f.outcome for f in fates)
    return {o: counts[o] / len(fates) for o in Outcome}


def _of(fates: list[Fate], outcome: Outcome) -> list[Fate]:
    return [f for f in fates if f.outcome is outcome]


@pytest.mark.parametrize(
    ("contact", "expected"), [("high", (0.25, 0.25, 0.35, 0.15)), ("low", (0.08, 0.30, 0.45, 0.17))]
)
def test_outcome_mix(
    contact: str, expected: tuple[float, ...], request: pytest.FixtureRequest
) -> None:
    fates = request.getfixturevalue("high") if contact == "high" else _fates(contact)
    shares = _shares(fates)
    assert [shares[o] for o in Outcome] == pytest.approx(expected, abs=0.008)


def test_post_dial_delay(high: list[Fate]) -> None:
    delays = np.array([f.post_dial_s for f in high])
    assert delays.min() >= 1
    assert delays.max() <= 3
    assert delays.mean() == pytest.approx(2, abs=0.02)


def test_live_ring_time(high: list[Fate]) -> None:
    rings = np.array([f.ring_s for f in _of(high, Outcome.LIVE)])
    assert rings.max() <= 24
    # lognormal mean 8 sd 5, resampled above 24 s: mean 7.69 s after truncation
    assert rings.mean() == pytest.approx(load_world().live.ring_s.mean, rel=0.02)
    assert rings.mean() == pytest.approx(7.69, abs=0.15)


def test_machine_ring_and_detection(high: list[Fate]) -> None:
    machines = _of(high, Outcome.MACHINE)
    rings = np.array([f.ring_s for f in machines])
    assert rings.min() >= 12
    assert rings.max() <= 24
    assert rings.mean() == pytest.approx(18, abs=0.1)
    assert {f.detection_s for f in machines} == {4}
    assert {f.talk_s for f in machines} == {8}
    assert {f.amd_kind for f in machines} == {AnswerKind.MACHINE}


def test_live_talk_time(high: list[Fate]) -> None:
    talks = np.array([f.talk_s for f in _of(high, Outcome.LIVE)])
    assert talks.mean() == pytest.approx(180, rel=0.04)
    assert np.median(talks) == pytest.approx(180 / np.sqrt(2), rel=0.03)
    assert {f.greeting_s for f in _of(high, Outcome.LIVE)} == {1.5}


def test_silence_patience_is_above_the_two_second_rule(high: list[Fate]) -> None:
    patience = np.array([f.patience_s for f in _of(high, Outcome.LIVE)])
    assert patience.min() > 2
    assert patience.mean() == pytest.approx(5.5, abs=0.05)


def test_unreachable_release_and_split(high: list[Fate]) -> None:
    unreachable = _of(high, Outcome.UNREACHABLE)
    release = np.array([f.release_s for f in unreachable])
    assert release.min() >= 1
    assert release.max() <= 6
    assert release.mean() == pytest.approx(3.5, abs=0.05)
    busy = sum(f.unreachable_reason is EndReason.BUSY for f in unreachable) / len(unreachable)
    assert busy == pytest.approx(0.6, abs=0.02)


def test_opt_out_probability(high: list[Fate]) -> None:
    live = _of(high, Outcome.LIVE)
    share = sum(f.opt_out_u < 0.05 for f in live) / len(live)
    assert share == pytest.approx(0.05, abs=0.005)
    assert all(f.opt_out_u == 1.0 for f in _of(high, Outcome.MACHINE))


def test_imperfect_detection_variant() -> None:
    fates = _fates(variants=("imperfect_amd",))
    machines, live = _of(fates, Outcome.MACHINE), _of(fates, Outcome.LIVE)
    as_human = sum(f.amd_kind is AnswerKind.HUMAN for f in machines) / len(machines)
    as_machine = sum(f.amd_kind is AnswerKind.MACHINE for f in live) / len(live)
    assert as_human == pytest.approx(0.10, abs=0.01)
    assert as_machine == pytest.approx(0.02, abs=0.004)


def test_drift_variant_mix_by_time_since_shift_start() -> None:
    drawer = FateDrawer(load_world("high", ("drift",)), 3)
    for hour, live in ((1, 0.25), (3, 0.20), (5, 0.13), (7, 0.19)):
        fates = [drawer.draw(FIRST + i, 1, hour * 3600.0) for i in range(20_000)]
        assert _shares(fates)[Outcome.LIVE] == pytest.approx(live, abs=0.01)


def test_agent_wrap_up_and_dispositions() -> None:
    world = load_world()
    drawer = FateDrawer(world, 4)
    after = [drawer.after_call(FIRST + i, 1) for i in range(40_000)]
    wraps = np.array([a.wrap_up_s for a in after])
    assert wraps.mean() == pytest.approx(15, rel=0.02)
    assert wraps.std() == pytest.approx(7.5, rel=0.06)
    counts = Counter(a.disposition for a in after)
    for name, share in world.agents.dispositions:
        assert counts[name] / len(after) == pytest.approx(share, abs=0.01)


def test_carrier_end_to_end_mix_and_timing() -> None:
    """4,000 calls through the carrier in virtual time, every answer bridged at once."""
    events: list[CarrierEvent] = []
    with VirtualClock(START) as clock:
        carrier = SimulatedCarrier(clock, load_world(), seed=8)

        async def sink(event: CarrierEvent) -> None:
            events.append(event)
            if isinstance(event, CallAnswered):
                await carrier.agent_login(event.call_id, None)
                await carrier.bridge(event.call_id, event.call_id)

        async def main() -> None:
            await carrier.start(sink)
            for i in range(4000):
                await carrier.originate(Request(to=f"+1646555{i:04d}", caller_id=CALLER_ID))
            await clock.sleep(6 * 3600)
            await carrier.stop()

        clock.run(main())
    ends = Counter(e.reason.value for e in events if isinstance(e, CallEnded))
    assert sum(ends.values()) == 4000
    shares = {reason: n / 4000 for reason, n in ends.items()}
    assert shares == pytest.approx(
        {"completed": 0.50, "no_answer": 0.35, "busy": 0.09, "failed": 0.06}, abs=0.025
    )
    at = {(type(e), e.call_id): e.at for e in events}
    human = [e for e in events if isinstance(e, CallAnswered) and e.kind.value == "human"]
    waits = [(e.at - at[(CallRinging, e.call_id)]).total_seconds() for e in human]
    assert np.mean(waits) == pytest.approx(7.69 + 1.5, rel=0.05)
    talks = [(at[(CallEnded, e.call_id)] - e.at).total_seconds() for e in human]
    assert np.mean(talks) == pytest.approx(180, rel=0.1)
