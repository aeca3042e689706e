"""The predictive mode: invariants once warmed up, the budget guard, and its pacing choices."""

from __future__ import annotations

import copy
import dataclasses
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pacing import make_pacer
from pacing.api import AgentState, AgentView, CallStage, CallView, OutcomeKind, Snapshot
from pacing.predictive import PredictivePacer
from pacing.progressive import progressive_calls
from tests.pacing.strategies import snapshots
from tests.pacing.world import outcomes

Team = tuple[AgentView, ...]


@cache
def _warm() -> PredictivePacer:
    pacer = PredictivePacer()
    for outcome in outcomes(np.random.default_rng(7), 2000):
        pacer.observe(outcome)
    assert pacer.stats.warmed_up
    return pacer


def warm_pacer() -> PredictivePacer:
    return copy.deepcopy(_warm())


def _later(snapshot: Snapshot) -> Snapshot:
    return dataclasses.replace(snapshot, now_s=snapshot.now_s + 3000.0)


def _team(
    ready: int, talking: int, wrapping: int, talked_s: float = 150.0
) -> tuple[AgentView, ...]:
    return (
        tuple(AgentView(AgentState.READY, 2.0) for _ in range(ready))
        + tuple(AgentView(AgentState.ON_CALL, talked_s) for _ in range(talking))
        + tuple(AgentView(AgentState.WRAP_UP, 5.0) for _ in range(wrapping))
    )


def _snapshot(agents: tuple[AgentView, ...], budget: float = 100.0, **kw: object) -> Snapshot:
    fields: dict[str, object] = dict(
        now_s=5000.0,
        agents=agents,
        calls=(),
        abandon_target=0.03,
        abandon_budget=budget,
        max_lines=3 * len(agents),
    )
    fields.update(kw)
    return Snapshot(**fields)  # type: ignore[arg-type]


@given(snapshot=snapshots(max_agents=60))
@settings(max_examples=120, deadline=None)
def test_warm_predictive_respects_the_line_limit_and_needs_agents(snapshot: Snapshot) -> None:
    snapshot = _later(snapshot)
    n = warm_pacer().decide(snapshot)
    assert n >= 0
    assert len(snapshot.calls) + n <= max(snapshot.max_lines, len(snapshot.calls))
    if all(a.state is AgentState.PAUSED for a in snapshot.agents):
        assert n == 0


@given(snapshot=snapshots(max_agents=60, budget=0.0), spent=st.floats(-50.0, 0.0))
@settings(max_examples=120, deadline=None)
def test_with_the_budget_spent_predictive_dials_progressively(
    snapshot: Snapshot, spent: float
) -> None:
    snapshot = dataclasses.replace(_later(snapshot), abandon_budget=spent)
    assert warm_pacer().decide(snapshot) == progressive_calls(snapshot)


def test_guard_holds_until_the_budget_has_recovered() -> None:
    pacer = warm_pacer()
    team = _team(ready=5, talking=80, wrapping=15)
    assert pacer.decide(_snapshot(team, budget=50.0)) > progressive_calls(_snapshot(team))
    assert pacer.decide(_snapshot(team, budget=0.0)) == 5
    assert pacer.decide(_snapshot(team, budget=0.7)) == 5  # not recovered by the margin yet
    assert pacer.decide(_snapshot(team, budget=50.0)) > 5


def _warm_low_contact() -> PredictivePacer:
    pacer = PredictivePacer()
    for outcome in outcomes(np.random.default_rng(3), 4000, live=0.08):
        pacer.observe(outcome)
    return pacer


def test_with_the_budget_low_only_ready_agents_get_calls_and_spent_means_progressive() -> None:
    pacer = _warm_low_contact()
    team = _team(ready=4, talking=1, wrapping=0)
    busy = _team(ready=0, talking=5, wrapping=0)
    low = pacer.decide(_snapshot(team, budget=0.3))  # under the reserve, not spent
    assert pacer.guard.engaged
    assert not pacer.guard.spent
    p_live = pacer.stats.live_rate.value()
    assert low == int(min(0.16 / p_live, 3.0) * 4) > 4  # lines for the four ready agents only
    assert pacer.decide(_snapshot(busy, budget=0.3)) == 0  # nobody ready: nothing ahead
    assert pacer.decide(_snapshot(team, budget=-0.5)) == 4  # spent: progressive
    assert pacer.decide(_snapshot(team, budget=0.3)) == 4  # and so until it has recovered
    assert pacer.decide(_snapshot(team, budget=50.0)) > 4


def test_warm_up_dials_progressively() -> None:
    pacer = PredictivePacer()
    team = _team(ready=3, talking=20, wrapping=2)
    assert pacer.decide(_snapshot(team)) == 3
    for outcome in outcomes(np.random.default_rng(1), 2000):
        pacer.observe(dataclasses.replace(outcome, at_s=0.0))
    assert pacer.decide(_snapshot(team, now_s=100.0)) == 3  # samples, but not yet 300 s
    assert pacer.decide(_snapshot(team, now_s=400.0)) > 3


def test_dials_ahead_for_agents_about_to_free_up() -> None:
    pacer = warm_pacer()
    soon = pacer.decide(_snapshot(_team(ready=0, talking=80, wrapping=20)))
    later = pacer.decide(_snapshot(_team(ready=0, talking=100, wrapping=0, talked_s=10.0)))
    assert soon > later >= 0
    assert soon > 5


def test_calls_in_flight_reduce_new_calls() -> None:
    pacer = warm_pacer()
    team = _team(ready=2, talking=80, wrapping=18)
    idle_lines = pacer.decide(_snapshot(team))
    ringing = tuple(CallView(CallStage.RINGING, 4.0) for _ in range(idle_lines))
    assert pacer.decide(_snapshot(team, calls=ringing)) < idle_lines


def test_small_team_places_few_calls_per_agent() -> None:
    pacer = warm_pacer()
    n = pacer.decide(_snapshot(_team(ready=1, talking=4, wrapping=0)))
    assert 1 <= n <= 4


def test_abandons_tighten_and_connects_loosen_the_accepted_risk() -> None:
    pacer = warm_pacer()
    team = _team(ready=0, talking=80, wrapping=20)
    base = pacer.decide(_snapshot(team))
    tight, loose = copy.deepcopy(pacer), copy.deepcopy(pacer)
    for outcome in outcomes(np.random.default_rng(8), 4000):
        loose.observe(outcome)
        if outcome.kind is OutcomeKind.LIVE:
            outcome = dataclasses.replace(outcome, kind=OutcomeKind.ABANDONED)
        tight.observe(outcome)
    assert tight.decide(_snapshot(team)) < base < loose.decide(_snapshot(team))


def test_unknown_setting_is_refused() -> None:
    with pytest.raises(TypeError, match="unexpected settings: bogus"):
        PredictivePacer(bogus=1.0)
    assert isinstance(make_pacer("predictive", marginal_risk=0.05), PredictivePacer)
