"""The dialing side on its own: the pacer's snapshot, the calls-per-second budget, the plan."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from dialer.carriers.base import AnswerKind
from dialer.clock import VirtualClock
from dialer.engine.demo_data import DemoSpec, create_demo_campaign
from dialer.engine.wiring import Runtime
from dialer.storage import make_engine, session_factory, upgrade
from pacing.api import AgentState as PaceAgent
from pacing.api import CallStage, Outcome, Snapshot
from tests.dialer.engine.scripted import ScriptedCarrier, scripted_runtime

START = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)


class Wants:
    """A pacer that asks for ``n`` calls and keeps what it was shown."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.seen: list[Snapshot] = []

    def observe(self, outcome: Outcome) -> None:
        pass

    def decide(self, snapshot: Snapshot) -> int:
        self.seen.append(snapshot)
        return self.n


@pytest.fixture
def db(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine)
    with session_factory(engine).begin() as s:
        create_demo_campaign(s, DemoSpec(name="Dialing", leads=40), START)
    yield engine
    engine.dispose()


def _runtime(db: Engine, clock: VirtualClock, carrier: ScriptedCarrier) -> Runtime:
    rt = scripted_runtime(db, clock, carrier, owner="dialing-test")
    rt.engine.add_campaign(1)
    return rt


def test_the_carriers_calls_per_second_cut_what_the_pacer_wants(db: Engine) -> None:
    carrier = ScriptedCarrier()
    carrier.max_cps = 3.0
    with VirtualClock(START) as clock:
        rt = _runtime(db, clock, carrier)

        async def main() -> None:
            await rt.engine.start()
            rt.engine.campaigns[1].pacer = Wants(10)
            await rt.desk.login("ann", [1])
            await rt.engine.tick()
            assert len(carrier.placed) == 3  # a full bucket is one second's worth
            await rt.engine.tick()  # no time has passed: nothing more
            assert len(carrier.placed) == 3
            await clock.sleep(1.0)
            await rt.engine.tick()
            assert len(carrier.placed) == 6

        clock.run(main())


def test_the_snapshot_shows_what_a_dialer_observes(db: Engine) -> None:
    carrier = ScriptedCarrier()
    with VirtualClock(START) as clock:
        rt = _runtime(db, clock, carrier)
        pacer = Wants(3)

        async def main() -> None:
            await rt.engine.start()
            run = rt.engine.campaigns[1]
            run.pacer = pacer
            for name in ("ann", "bob", "cy"):
                await rt.desk.login(name, [1])
            rt.desk.pause("cy", "break")
            await rt.engine.tick()  # three calls placed
            pacer.n = 0
            await clock.sleep(4.0)
            await carrier.answer("c1", clock.now(), AnswerKind.MACHINE)  # not waiting for anyone
            await carrier.answer("c2", clock.now(), AnswerKind.HUMAN)  # to ann, longest idle
            await clock.sleep(1.0)
            await rt.engine.tick()
            snap = pacer.seen[-1]
            states = {(a.state, a.seconds_in_state) for a in snap.agents}
            assert states == {
                (PaceAgent.READY, 5.0),
                (PaceAgent.ON_CALL, 1.0),  # since the answer
                (PaceAgent.PAUSED, 5.0),
            }
            assert [(c.stage, c.age_s) for c in snap.calls] == [(CallStage.DIALING, 5.0)]
            assert snap.max_lines == int(run.config.max_lines_per_agent * 2)  # cy is paused
            assert snap.abandon_target == run.config.facts.abandon_target

        clock.run(main())


@given(
    cps=st.floats(0.5, 50),
    tick=st.floats(0.1, 5),
    steps=st.lists(st.tuples(st.floats(0, 10), st.integers(0, 100)), max_size=20),
)
def test_the_bucket_never_allows_more_than_one_ticks_worth(
    cps: float, tick: float, steps: list[tuple[float, int]]
) -> None:
    from dialer.engine.dialing import Dialer

    dialer = Dialer.__new__(Dialer)  # the bucket alone: no engine needed beyond these two
    dialer.engine = type("E", (), {"carrier": type("C", (), {"max_cps": cps})()})()
    dialer.options = type("O", (), {"tick_s": tick})()
    dialer.fill_bucket()
    cap = cps * max(tick, 1.0)
    for elapsed, wanted in steps:
        dialer.replenish(elapsed)
        allowed = dialer.affordable(wanted)
        assert 0 <= allowed <= min(wanted, cap)
        dialer.spend(allowed)
        assert dialer.tokens >= 0
