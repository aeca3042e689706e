"""Carrier harnesses for the contract suite (test_contract.py).

A harness owns a carrier, the clock it runs on, and a way to get a phone number whose next call
behaves in a given way. Add a carrier to the suite by writing a harness factory and listing it in
``HARNESSES`` (the Twilio harness steers its local Twilio-compatible server instead of searching
a simulated world: tests/dialer/carriers/twilio/contract_harness.py).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from dialer.carriers import CallEnded, Carrier, CarrierEvent
from dialer.carriers.base import AnswerKind, EndReason
from dialer.carriers.simulated import FateDrawer, Outcome, SimulatedCarrier, load_world
from dialer.clock import VirtualClock
from tests.dialer.carriers.twilio.contract_harness import twilio_harness

T = TypeVar("T")

START = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
CALLER_ID = "+14155552671"


class Behaviour(StrEnum):
    """What the callee of a number does on the next call."""

    HUMAN = "human"  # a person answers, never presses a key
    HUMAN_OPTS_OUT = "human_opts_out"  # a person answers and presses the opt-out key in a message
    MACHINE = "machine"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"


class CarrierHarness(Protocol):
    carrier: Carrier

    def number(self, behaviour: Behaviour) -> str:
        """A fresh number whose next call behaves as ``behaviour``."""
        ...

    def run(self, main: Coroutine[Any, Any, T]) -> T:
        """Run ``main`` on the carrier's clock."""
        ...

    async def wait(self, seconds: float) -> None:
        """Let ``seconds`` of carrier time pass."""
        ...


class Recorder:
    """An async event sink that records events and lets a test react inside the sink call."""

    def __init__(self) -> None:
        self.events: list[CarrierEvent] = []
        self.react: Callable[[CarrierEvent], Coroutine[Any, Any, None]] | None = None

    async def __call__(self, event: CarrierEvent) -> None:
        self.events.append(event)
        if self.react is not None:
            await self.react(event)

    def of(self, call_id: str) -> list[CarrierEvent]:
        return [e for e in self.events if getattr(e, "call_id", None) == call_id]

    async def settle(
        self, harness: CarrierHarness, call_ids: list[str], limit_s: float = 7200
    ) -> None:
        """Wait until each of ``call_ids`` has had its ``CallEnded`` (at most ``limit_s``)."""
        waited = 0.0
        while not all(any(isinstance(e, CallEnded) for e in self.of(c)) for c in call_ids):
            if waited >= limit_s:
                raise AssertionError(f"calls still up after {limit_s} s: {call_ids}")
            await harness.wait(0.5)
            waited += 0.5

    def ended(self, call_id: str) -> CallEnded:
        (end,) = [e for e in self.of(call_id) if isinstance(e, CallEnded)]
        return end


class SimulatedHarness:
    """The simulated carrier in virtual time; numbers found by searching the world's fates."""

    def __init__(self, clock: VirtualClock, seed: int = 11) -> None:
        self.clock = clock
        self.world = load_world("high")
        self.carrier = SimulatedCarrier(clock, self.world, seed=seed)
        self._drawer = FateDrawer(self.world, seed)
        self._next = 15550000000

    def number(self, behaviour: Behaviour) -> str:
        while True:
            self._next += 1
            fate = self._drawer.draw(self._next, 1)
            if _behaves(fate.outcome, fate, behaviour, self.world.message.opt_out_probability):
                return f"+{self._next}"

    def run(self, main: Coroutine[Any, Any, T]) -> T:
        return self.clock.run(main)

    async def wait(self, seconds: float) -> None:
        await self.clock.sleep(seconds)


def _behaves(outcome: Outcome, fate: Any, behaviour: Behaviour, opt_out_p: float) -> bool:
    match behaviour:
        case Behaviour.HUMAN | Behaviour.HUMAN_OPTS_OUT:
            opts_out = fate.opt_out_u < opt_out_p
            return (
                outcome is Outcome.LIVE
                and fate.amd_kind is AnswerKind.HUMAN
                and opts_out == (behaviour is Behaviour.HUMAN_OPTS_OUT)
            )
        case Behaviour.MACHINE:
            return outcome is Outcome.MACHINE and fate.amd_kind is AnswerKind.MACHINE
        case Behaviour.NO_ANSWER:
            return outcome is Outcome.NO_ANSWER
        case Behaviour.BUSY:
            return outcome is Outcome.UNREACHABLE and fate.unreachable_reason is EndReason.BUSY
        case Behaviour.FAILED:
            return outcome is Outcome.UNREACHABLE and fate.unreachable_reason is EndReason.FAILED
    return False


@contextmanager
def simulated_harness() -> Iterator[CarrierHarness]:
    with VirtualClock(START) as clock:
        harness = SimulatedHarness(clock)
        yield harness
        clock.run(harness.carrier.stop())


#: name -> context manager factory yielding a harness; the contract suite runs once per entry.
HARNESSES: dict[str, Callable[[], Any]] = {
    "simulated": simulated_harness,
    "twilio": twilio_harness,  # the real carrier, its webhook server and a fake Twilio
}
