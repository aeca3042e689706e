"""The simulated carrier's timing and behaviour, beyond the shared contract."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from datetime import timedelta
from typing import Any

import pytest

from dialer.carriers import (
    AgentLineClosed,
    AnswerKind,
    CallAnswered,
    CallEnded,
    CallRinging,
    CarrierEvent,
    EndReason,
    KeyPressed,
    OriginateRequest,
)
from dialer.carriers.simulated import Fate, FateDrawer, Outcome, SimulatedCarrier, World, load_world
from dialer.clock import VirtualClock
from dialer.errors import AgentLineClosedError, CarrierError, CarrierRejectedError, ConfigError
from tests.dialer.carriers.harness import CALLER_ID, START, Recorder

SEED = 21
LONG = " ".join(["word"] * 25)  # 10 s at 2.5 words a second


class Sim:
    """A simulated carrier on a virtual clock, with a recorder and a way to pick callees."""

    def __init__(self, clock: VirtualClock, world: World, **kwargs: Any) -> None:
        self.clock = clock
        self.carrier = SimulatedCarrier(clock, world, seed=SEED, **kwargs)
        self.drawer = FateDrawer(world, SEED)
        self.rec = Recorder()
        self._next = 13105550000

    def number(self, wanted: Callable[[Fate], bool]) -> tuple[str, Fate]:
        """A fresh number whose first call has a fate ``wanted`` accepts."""
        while True:
            self._next += 1
            fate = self.drawer.draw(self._next, 1)
            if wanted(fate):
                return f"+{self._next}", fate

    def run(self, main: Callable[[], Coroutine[Any, Any, None]]) -> None:
        async def wrapper() -> None:
            await self.carrier.start(self.rec)
            await self.carrier.agent_login("a1", None)
            await main()
            await self.clock.sleep(3600)
            await self.carrier.stop()

        self.clock.run(wrapper())

    def times(self, call_id: str) -> list[tuple[str, float]]:
        """(event type, seconds since the start) for one call."""
        return [(type(e).__name__, _s(e)) for e in self.rec.of(call_id)]

    def on_answer(self, action: Callable[[CallAnswered], Coroutine[Any, Any, None]]) -> None:
        async def react(event: CarrierEvent) -> None:
            if isinstance(event, CallAnswered):
                await action(event)

        self.rec.react = react


def _s(event: CarrierEvent) -> float:
    return round((event.at - START).total_seconds(), 6)


def _request(to: str, **kwargs: Any) -> OriginateRequest:
    return OriginateRequest(to=to, caller_id=CALLER_ID, **kwargs)


def _live(fate: Fate) -> bool:
    return fate.outcome is Outcome.LIVE and fate.amd_kind is AnswerKind.HUMAN


def _machine(fate: Fate) -> bool:
    return fate.outcome is Outcome.MACHINE and fate.amd_kind is AnswerKind.MACHINE


@pytest.fixture
def clock() -> Iterator[VirtualClock]:
    with VirtualClock(START) as c:
        yield c


@pytest.fixture
def sim(clock: VirtualClock) -> Sim:
    return Sim(clock, load_world())


def _approx(pairs: list[tuple[str, float]]) -> list[tuple[str, Any]]:
    return [(name, pytest.approx(t, abs=1e-6)) for name, t in pairs]


def test_live_call_timeline_when_bridged(sim: Sim) -> None:
    to, fate = sim.number(_live)
    sim.on_answer(lambda e: sim.carrier.bridge(e.call_id, "a1"))
    ids: list[str] = []

    async def main() -> None:
        ids.append(await sim.carrier.originate(_request(to)))

    sim.run(main)
    ring = fate.post_dial_s
    answer = ring + fate.ring_s + 1.5
    assert sim.times(ids[0]) == _approx(
        [("CallRinging", ring), ("CallAnswered", answer), ("CallEnded", answer + fate.talk_s)]
    )
    end = sim.rec.ended(ids[0])
    assert (end.reason, end.detail) == (EndReason.COMPLETED, "callee hung up")


def test_live_callee_hangs_up_on_silence_after_patience(sim: Sim) -> None:
    to, fate = sim.number(_live)
    ids: list[str] = []

    async def main() -> None:
        ids.append(await sim.carrier.originate(_request(to)))

    sim.run(main)
    answer = fate.post_dial_s + fate.ring_s + 1.5
    assert sim.times(ids[0])[1:] == _approx(
        [("CallAnswered", answer), ("CallEnded", answer + fate.patience_s)]
    )
    assert fate.patience_s > 2
    assert sim.rec.ended(ids[0]).detail == "silence"


def test_machine_answer_after_detection_then_silence_limit(sim: Sim) -> None:
    to, fate = sim.number(_machine)
    ids: list[str] = []

    async def main() -> None:
        ids.append(await sim.carrier.originate(_request(to)))

    sim.run(main)
    answer = fate.post_dial_s + fate.ring_s + 4
    assert sim.times(ids[0])[1:] == _approx([("CallAnswered", answer), ("CallEnded", answer + 10)])
    (answered,) = [e for e in sim.rec.events if isinstance(e, CallAnswered)]
    assert answered.kind is AnswerKind.MACHINE


def test_without_detection_every_answer_is_unknown_after_the_greeting(sim: Sim) -> None:
    to, fate = sim.number(_machine)
    ids: list[str] = []

    async def main() -> None:
        ids.append(await sim.carrier.originate(_request(to, detect_machine=False)))

    sim.run(main)
    (answered,) = [e for e in sim.rec.events if isinstance(e, CallAnswered)]
    assert answered.kind is AnswerKind.UNKNOWN
    assert _s(answered) == pytest.approx(fate.post_dial_s + fate.ring_s + 1.5)


def test_no_answer_is_released_at_the_ring_timeout(sim: Sim) -> None:
    to, fate = sim.number(lambda f: f.outcome is Outcome.NO_ANSWER)
    ids: list[str] = []

    async def main() -> None:
        ids.append(await sim.carrier.originate(_request(to)))

    sim.run(main)
    ring = fate.post_dial_s
    assert sim.times(ids[0]) == _approx([("CallRinging", ring), ("CallEnded", ring + 25)])
    assert sim.rec.ended(ids[0]).reason is EndReason.NO_ANSWER


def test_a_pick_up_after_a_short_ring_timeout_is_a_no_answer(sim: Sim) -> None:
    to, fate = sim.number(lambda f: _live(f) and f.ring_s > 10)
    ids: list[str] = []

    async def main() -> None:
        ids.append(await sim.carrier.originate(_request(to, ring_timeout_s=10)))

    sim.run(main)
    assert sim.times(ids[0])[-1] == ("CallEnded", pytest.approx(fate.post_dial_s + 10))
    assert sim.rec.ended(ids[0]).reason is EndReason.NO_ANSWER


@pytest.mark.parametrize(("reason", "sip"), [(EndReason.BUSY, 486), (EndReason.FAILED, 404)])
def test_unreachable_numbers_end_without_ringing(sim: Sim, reason: EndReason, sip: int) -> None:
    to, fate = sim.number(
        lambda f: f.outcome is Outcome.UNREACHABLE and f.unreachable_reason is reason
    )
    ids: list[str] = []

    async def main() -> None:
        ids.append(await sim.carrier.originate(_request(to, reference="ours-1")))

    sim.run(main)
    assert sim.times(ids[0]) == _approx([("CallEnded", fate.post_dial_s + fate.release_s)])
    end = sim.rec.ended(ids[0])
    assert (end.reason, end.sip_code, end.extra) == (reason, sip, {"reference": "ours-1"})


def test_safe_harbor_message_and_opt_out_key_timing(sim: Sim) -> None:
    p = sim.carrier.world.message.opt_out_probability
    to, fate = sim.number(lambda f: _live(f) and f.opt_out_u < p)
    sim.on_answer(lambda e: sim.carrier.play_message(e.call_id, LONG, hangup_after=True))
    ids: list[str] = []

    async def main() -> None:
        ids.append(await sim.carrier.originate(_request(to)))

    sim.run(main)
    answer = fate.post_dial_s + fate.ring_s + 1.5
    key = answer + 10 * fate.opt_out_u / p
    assert sim.times(ids[0])[1:] == _approx(
        [("CallAnswered", answer), ("KeyPressed", key), ("CallEnded", answer + 10)]
    )
    (pressed,) = [e for e in sim.rec.events if isinstance(e, KeyPressed)]
    assert pressed.digits == "9"
    assert sim.rec.ended(ids[0]).detail == "message played"


def test_message_without_hangup_then_bridge(sim: Sim) -> None:
    p = sim.carrier.world.message.opt_out_probability
    to, fate = sim.number(lambda f: _live(f) and f.opt_out_u < p)
    ids: list[str] = []

    async def hold(event: CallAnswered) -> None:
        await sim.carrier.play_message(event.call_id, LONG, hangup_after=False)
        await sim.clock.sleep(12)
        await sim.carrier.play_message(event.call_id, LONG, hangup_after=False)
        await sim.carrier.bridge(event.call_id, "a1")

    sim.on_answer(hold)

    async def main() -> None:
        ids.append(await sim.carrier.originate(_request(to)))

    sim.run(main)
    answer = fate.post_dial_s + fate.ring_s + 1.5
    kinds = [name for name, _ in sim.times(ids[0])]
    assert kinds == ["CallRinging", "CallAnswered", "KeyPressed", "CallEnded"]  # one key press
    assert _s(sim.rec.ended(ids[0])) == pytest.approx(answer + 12 + fate.talk_s)


def test_imperfect_detection_bridged_machine_wastes_eight_seconds(clock: VirtualClock) -> None:
    sim = Sim(clock, load_world(variants=["imperfect_amd"]))
    to, fate = sim.number(lambda f: f.outcome is Outcome.MACHINE and f.amd_kind is AnswerKind.HUMAN)
    sim.on_answer(lambda e: sim.carrier.bridge(e.call_id, "a1"))
    ids: list[str] = []

    async def main() -> None:
        ids.append(await sim.carrier.originate(_request(to)))

    sim.run(main)
    answer = fate.post_dial_s + fate.ring_s + 1.5
    assert sim.times(ids[0])[1:] == _approx([("CallAnswered", answer), ("CallEnded", answer + 8)])
    assert sim.carrier.truth(ids[0]) is Outcome.MACHINE


def test_imperfect_detection_live_person_reported_as_machine(clock: VirtualClock) -> None:
    sim = Sim(clock, load_world(variants=["imperfect_amd"]))
    to, fate = sim.number(lambda f: f.outcome is Outcome.LIVE and f.amd_kind is AnswerKind.MACHINE)
    ids: list[str] = []

    async def main() -> None:
        ids.append(await sim.carrier.originate(_request(to)))

    sim.run(main)
    (answered,) = [e for e in sim.rec.events if isinstance(e, CallAnswered)]
    assert answered.kind is AnswerKind.MACHINE
    assert _s(answered) == pytest.approx(fate.post_dial_s + fate.ring_s + 4)
    assert sim.carrier.truth(ids[0]) is Outcome.LIVE


def test_repeat_calls_to_a_number_are_successive_attempts(sim: Sim) -> None:
    to, _ = sim.number(lambda f: True)
    ids: list[str] = []

    async def main() -> None:
        for _ in range(4):
            ids.append(await sim.carrier.originate(_request(to)))

    sim.run(main)
    number = int(to[1:])
    truths = [sim.carrier.truth(i) for i in ids]
    assert truths == [sim.drawer.draw(number, k).outcome for k in range(1, 5)]
    assert [sim.carrier.after_call(i) for i in ids] == [
        sim.drawer.after_call(number, k) for k in range(1, 5)
    ]


def test_max_cps_queues_originations(clock: VirtualClock) -> None:
    sim = Sim(clock, load_world(), max_cps=1)
    pairs = [sim.number(lambda f: f.outcome is Outcome.NO_ANSWER) for _ in range(3)]
    ids: list[str] = []

    async def main() -> None:
        for to, _ in pairs:
            ids.append(await sim.carrier.originate(_request(to)))

    sim.run(main)
    rings = [_s(sim.rec.of(i)[0]) for i in ids]
    assert rings == pytest.approx([fate.post_dial_s + k for k, (_, fate) in enumerate(pairs)])


def test_an_agent_takes_one_call_at_a_time(sim: Sim) -> None:
    (to1, _), (to2, _) = sim.number(_live), sim.number(_live)
    errors: list[str] = []

    async def connect(event: CallAnswered) -> None:
        try:
            await sim.carrier.bridge(event.call_id, "a1")
        except CarrierError as exc:
            errors.append(str(exc))
            await sim.carrier.hangup(event.call_id)

    sim.on_answer(connect)

    async def main() -> None:
        await sim.carrier.originate(_request(to1))
        await sim.carrier.originate(_request(to2))

    sim.run(main)
    assert len(errors) == 1
    assert "is on sim-" in errors[0]


def test_agent_freed_by_hangup_and_logout_ends_the_bridged_call(sim: Sim) -> None:
    (to1, _), (to2, _) = sim.number(_live), sim.number(_live)
    answered: list[str] = []

    async def connect(event: CallAnswered) -> None:
        answered.append(event.call_id)

    sim.on_answer(connect)

    async def main() -> None:
        first = await sim.carrier.originate(_request(to1))
        second = await sim.carrier.originate(_request(to2))
        while len(answered) < 2:
            await sim.clock.sleep(0.1)
        await sim.carrier.bridge(first, "a1")
        await sim.carrier.hangup(first)
        await sim.carrier.bridge(second, "a1")
        await sim.carrier.agent_logout("a1")
        await sim.clock.sleep(0)

    sim.run(main)
    ends = [e for e in sim.rec.events if isinstance(e, CallEnded)]
    assert [(e.reason, e.detail) for e in ends] == [
        (EndReason.COMPLETED, "hung up by the dialer"),
        (EndReason.COMPLETED, "agent logged out"),
    ]


def test_a_dropped_agent_line_ends_its_call_and_is_reported(sim: Sim) -> None:
    (to, _), (other, _) = sim.number(_live), sim.number(_live)
    answered: list[str] = []

    async def connect(event: CallAnswered) -> None:
        answered.append(event.call_id)

    sim.on_answer(connect)

    async def main() -> None:
        call_id = await sim.carrier.originate(_request(to))
        second = await sim.carrier.originate(_request(other))
        while len(answered) < 2:
            await sim.clock.sleep(0.1)
        await sim.carrier.bridge(call_id, "a1")
        sim.carrier.drop_agent_line("a1")
        await sim.clock.sleep(0)
        with pytest.raises(AgentLineClosedError):
            await sim.carrier.bridge(second, "a1")
        await sim.carrier.hangup(second)

    sim.run(main)
    ends = [e for e in sim.rec.events if isinstance(e, CallEnded)]
    assert [(e.reason, e.detail) for e in ends] == [
        (EndReason.COMPLETED, "the agent's line dropped"),
        (EndReason.COMPLETED, "hung up by the dialer"),
    ]
    (closed,) = [e for e in sim.rec.events if isinstance(e, AgentLineClosed)]
    assert closed.agent_id == "a1"


def test_shift_start_sets_the_drifting_mix(clock: VirtualClock) -> None:
    world = load_world(variants=["drift"])
    sim = Sim(clock, world, shift_start=START - timedelta(hours=5))
    numbers = [f"+1310555{i:04d}" for i in range(400)]
    ids: list[str] = []

    async def main() -> None:
        for to in numbers:
            ids.append(await sim.carrier.originate(_request(to)))

    sim.run(main)
    drawer = FateDrawer(world, SEED)
    expected = [drawer.draw(int(to[1:]), 1, 5 * 3600.0).outcome for to in numbers]
    assert [sim.carrier.truth(i) for i in ids] == expected
    assert expected != [drawer.draw(int(to[1:]), 1, 0.0).outcome for to in numbers]


def test_misuse_is_a_carrier_error(sim: Sim, clock: VirtualClock) -> None:
    async def main() -> None:
        with pytest.raises(CarrierError, match="not started"):
            await sim.carrier.originate(_request("+14155550100"))
        await sim.carrier.start(sim.rec)
        with pytest.raises(CarrierError, match="already started"):
            await sim.carrier.start(sim.rec)
        with pytest.raises(CarrierRejectedError, match=r"E\.164"):
            await sim.carrier.originate(_request("+0123"))
        for call_id in ("sim-0", "CA123", "sim-x"):
            await sim.carrier.hangup(call_id)  # not ours: a no-op, like an ended call
            with pytest.raises(CarrierRejectedError, match="unknown call id"):
                await sim.carrier.bridge(call_id, "a1")
            with pytest.raises(CarrierRejectedError, match="unknown call id"):
                sim.carrier.truth(call_id)
        await sim.carrier.stop()

    clock.run(main())
    with pytest.raises(ConfigError, match="positive"):
        SimulatedCarrier(clock, max_cps=0)


def test_stop_ends_the_calls_in_progress_silently(sim: Sim, clock: VirtualClock) -> None:
    to, _ = sim.number(_live)

    async def main() -> list[str]:
        await sim.carrier.start(sim.rec)
        await sim.carrier.originate(_request(to))
        await sim.carrier.stop()
        await clock.sleep(600)
        return await sim.carrier.active_calls()

    assert clock.run(main()) == []
    assert sim.rec.events == []


def test_a_failing_sink_does_not_stop_delivery(sim: Sim, clock: VirtualClock) -> None:
    seen: list[CarrierEvent] = []

    def sink(event: CarrierEvent) -> None:
        seen.append(event)
        if isinstance(event, CallRinging):
            raise RuntimeError("engine bug")

    to, _ = sim.number(lambda f: f.outcome is Outcome.NO_ANSWER)
    clock.loop.set_exception_handler(lambda loop, context: None)

    async def main() -> None:
        await sim.carrier.start(sink)
        await sim.carrier.originate(_request(to))
        await clock.sleep(60)

    clock.run(main())
    assert [type(e) for e in seen] == [CallRinging, CallEnded]


def test_async_sink_sees_events_one_at_a_time_in_order(sim: Sim, clock: VirtualClock) -> None:
    """A slow async sink: later events wait, and each call's events stay in order."""
    inside = 0
    overlaps = 0
    seen: list[CarrierEvent] = []

    async def sink(event: CarrierEvent) -> None:
        nonlocal inside, overlaps
        inside += 1
        overlaps += inside > 1
        await clock.sleep(0.7)
        seen.append(event)
        inside -= 1

    numbers = [sim.number(lambda f: f.outcome is not Outcome.LIVE)[0] for _ in range(20)]

    async def main() -> None:
        await sim.carrier.start(sink)
        for to in numbers:
            await sim.carrier.originate(_request(to))
        await clock.sleep(600)

    clock.run(main())
    assert overlaps == 0
    assert sum(isinstance(e, CallEnded) for e in seen) == 20
    for call_id in {e.call_id for e in seen}:
        kinds = [type(e) for e in seen if e.call_id == call_id]
        assert kinds[-1] is CallEnded
        assert kinds.count(CallEnded) == 1


def test_runs_in_real_time_too() -> None:
    """The carrier only uses loop timers: with a clock that really sleeps it behaves the same."""
    with VirtualClock(START, speed=2000) as clock:
        sim = Sim(clock, load_world())
        to, fate = sim.number(lambda f: f.outcome is Outcome.NO_ANSWER)
        ids: list[str] = []

        async def main() -> None:
            await sim.carrier.start(sim.rec)
            ids.append(await sim.carrier.originate(_request(to)))
            await clock.sleep(40)
            await sim.carrier.stop()

        clock.run(main())
    ring = fate.post_dial_s
    assert sim.times(ids[0]) == [
        ("CallRinging", pytest.approx(ring, abs=0.05)),
        ("CallEnded", pytest.approx(ring + 25, abs=0.05)),
    ]
