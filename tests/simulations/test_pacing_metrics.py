"""The benchmark's per-run metrics: abandon windows, waits between calls, peak lines."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pacing import make_pacer
from pacing.api import AgentState, AgentView, CallStage, CallView, Outcome, OutcomeKind, Snapshot
from simulations.pacing_metrics import Recorder, worst_window


def test_worst_window_finds_the_bad_half_hour() -> None:
    lives = [float(t) for t in range(0, 7200, 10)]  # a live answer every 10 s for 2 h
    drops = [t for t in lives if 3600 <= t < 3900]  # 30 abandons in five minutes
    assert worst_window(lives, drops, 1800.0) == pytest.approx(30 / 180)
    assert worst_window(lives, drops, 3600.0) == pytest.approx(30 / 360)
    assert worst_window(lives, [], 1800.0) == 0.0
    assert worst_window([], [], 1800.0) == 0.0


@given(
    lives=st.lists(st.floats(0, 10_000), min_size=1, max_size=60),
    share=st.floats(0, 1),
    window=st.floats(60, 4000),
)
def test_worst_window_is_at_least_the_overall_rate_of_some_window(
    lives: list[float], share: float, window: float
) -> None:
    drops = lives[: int(share * len(lives))]
    worst = worst_window(lives, drops, window)
    assert 0.0 <= worst <= 1.0
    if drops and max(lives) - min(lives) < window:
        assert worst == pytest.approx(len(drops) / len(lives))


def _snap(now: float, *agents: AgentView, calls: int = 0) -> Snapshot:
    ringing = tuple(CallView(CallStage.RINGING, 1.0) for _ in range(calls))
    return Snapshot(now, agents, ringing, 0.03, 10.0, max_lines=100)


def test_recorder_measures_ready_spells_and_peak_lines_and_passes_through() -> None:
    rec = Recorder(make_pacer("power", lines_per_agent=2.0))
    ready, talking = AgentState.READY, AgentState.ON_CALL
    assert rec.decide(_snap(0.0, AgentView(ready, 0.0), AgentView(talking, 5.0))) == 2
    rec.decide(_snap(1.0, AgentView(ready, 1.0), AgentView(talking, 6.0), calls=2))
    rec.decide(_snap(2.0, AgentView(ready, 2.0), AgentView(AgentState.WRAP_UP, 0.0), calls=2))
    rec.decide(_snap(3.0, AgentView(talking, 0.0), AgentView(ready, 1.0), calls=1))
    assert rec.waits == [2.0]  # agent 0 waited 2 s; agent 1 is still ready
    assert rec.peak_lines_per_agent == 1.0  # two lines for two staffed agents
    rec.observe(Outcome(OutcomeKind.LIVE, setup_s=10.0, at_s=5.0))
    rec.observe(Outcome(OutcomeKind.ABANDONED, setup_s=10.0, at_s=6.0))
    rec.observe(Outcome(OutcomeKind.MACHINE, setup_s=20.0, at_s=7.0))
    assert (rec.live_at, rec.abandoned_at) == ([5.0, 6.0], [6.0])
    assert rec.wait_stats() == (2.0, 2.0, 2.0)


def test_recorder_keeps_the_talk_and_wrap_up_under_way_at_the_last_tick() -> None:
    rec = Recorder(make_pacer("progressive"))
    talking, wrapping = AgentState.ON_CALL, AgentState.WRAP_UP
    rec.decide(_snap(0.0, AgentView(talking, 30.0), AgentView(talking, 5.0)))
    assert (rec.unfinished_talk_s, rec.unfinished_wrap_s) == (35.0, 0.0)
    rec.decide(_snap(1.0, AgentView(talking, 31.0), AgentView(wrapping, 0.5)))
    assert (rec.unfinished_talk_s, rec.unfinished_wrap_s) == (31.0, 0.5)
