"""The benchmark's baseline pacers follow their published descriptions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from pacing.api import AgentState, AgentView, CallStage, CallView, Outcome, OutcomeKind, Snapshot
from simulations.baselines import IssabelPredictor, VicidialAdapt
from simulations.baselines.vicidial import DropMethod
from tests.pacing.strategies import snapshots


def _snap(
    ready: int = 0,
    talking: int = 0,
    paused: int = 0,
    calls: tuple[CallView, ...] = (),
    now_s: float = 0.0,
    talked_s: float = 30.0,
) -> Snapshot:
    agents = (
        tuple(AgentView(AgentState.READY, 1.0) for _ in range(ready))
        + tuple(AgentView(AgentState.ON_CALL, talked_s) for _ in range(talking))
        + tuple(AgentView(AgentState.PAUSED, 1.0) for _ in range(paused))
    )
    return Snapshot(now_s, agents, calls, 0.03, 10.0, max_lines=1000)


@given(snapshot=snapshots())
@settings(max_examples=60)
def test_baselines_respect_line_limit_and_need_agents(snapshot: Snapshot) -> None:
    for pacer in (VicidialAdapt(), IssabelPredictor()):
        n = pacer.decide(snapshot)
        assert n >= 0
        assert len(snapshot.calls) + n <= max(snapshot.max_lines, len(snapshot.calls))
        if all(a.state is AgentState.PAUSED for a in snapshot.agents):
            assert n == 0


def test_adapt_dials_level_times_agents_less_live_calls() -> None:
    pacer = VicidialAdapt(level=2.0)
    ringing = tuple(CallView(CallStage.RINGING, 3.0) for _ in range(4))
    # round(2 x 10 non-paused) - (4 ringing + 6 connected) = 10
    assert pacer.decide(_snap(ready=4, talking=6, paused=3, calls=ringing)) == 10


def test_adapt_raises_the_level_while_agents_wait_and_caps_it() -> None:
    pacer = VicidialAdapt()
    for second in range(0, 16):
        pacer.decide(_snap(ready=5, talking=5, now_s=float(second)))
    assert pacer.level == pytest.approx(1.5)  # 1 x (1 + 5/10)
    for second in range(16, 200):
        pacer.decide(_snap(ready=5, talking=5, now_s=float(second)))
    assert pacer.level == 3.0


@pytest.mark.parametrize(
    ("method", "expected"),
    [(DropMethod.HARD_LIMIT, 1.0), (DropMethod.AVERAGE, 1.5), (DropMethod.TAPERED, 2.4)],
)
def test_adapt_brakes_when_today_is_over_the_drop_target(
    method: DropMethod, expected: float
) -> None:
    # no ready agent and nobody waiting: the 15-second adjustment leaves the level alone
    pacer = VicidialAdapt(method=method, level=3.0, day_end_s=10 * 3600.0)
    for i in range(60):
        kind = OutcomeKind.ABANDONED if i % 10 == 0 else OutcomeKind.LIVE
        pacer.observe(Outcome(kind, setup_s=10.0, at_s=0.0))
    pacer.decide(_snap(talking=10, now_s=0.0))
    pacer.decide(_snap(talking=10, now_s=7200.0))  # 8 h left: 800 / 1000
    assert pacer.level == pytest.approx(expected)


def test_adapt_halves_on_a_minute_of_mostly_drops() -> None:
    pacer = VicidialAdapt(level=3.0, method=DropMethod.AVERAGE)
    for _ in range(30):
        pacer.observe(Outcome(OutcomeKind.ABANDONED, setup_s=10.0, at_s=100.0))
    pacer.decide(_snap(talking=10, now_s=90.0))
    pacer.decide(_snap(talking=10, now_s=110.0))
    # the last minute halves 3 to 1.5; 30 calls today is not yet over 50
    assert pacer.level == pytest.approx(1.5)


def test_issabel_divides_free_agents_by_the_answer_rate() -> None:
    pacer = IssabelPredictor()
    for i in range(20):
        kind = (OutcomeKind.LIVE, OutcomeKind.MACHINE, OutcomeKind.NO_ANSWER, OutcomeKind.BUSY)[
            i % 4
        ]
        pacer.observe(Outcome(kind, setup_s=10.0, at_s=float(i)))
    setting_up = (CallView(CallStage.RINGING, 2.0),)
    # (3 free - 1 setting up) / ASR 0.5
    assert pacer.decide(_snap(ready=3, calls=setting_up, now_s=30.0)) == 4
    waiting = (CallView(CallStage.WAITING_AGENT, 12.0),) * 3
    assert pacer.decide(_snap(ready=3, calls=waiting, now_s=30.0)) == 0


def test_issabel_counts_long_talks_as_finishing_soon_after_ten_calls() -> None:
    pacer = IssabelPredictor()
    long_talks = _snap(talking=4, talked_s=700.0)
    assert pacer.decide(long_talks) == 0
    for _ in range(10):
        pacer.observe(Outcome(talk_s=180.0))
    # 1 - exp(-700/180) = 0.98 >= 0.97: four agents about to finish, no ASR yet
    assert pacer.decide(long_talks) == 4
    assert pacer.decide(_snap(talking=4, talked_s=300.0)) == 0
