"""Predictive over whole shifts of the pure test world: ahead of progressive, under the cap."""

from __future__ import annotations

import pytest

from pacing import make_pacer
from pacing.predictive import PredictivePacer
from tests.pacing.shift import run_shift


@pytest.mark.parametrize(("agents", "hours", "seed"), [(20, 1.5, 1), (5, 3.0, 2)])
def test_predictive_beats_progressive_and_keeps_the_cap(
    agents: int, hours: float, seed: int
) -> None:
    progressive = run_shift(make_pacer("progressive"), agents, hours=hours, seed=seed)
    predictive = run_shift(PredictivePacer(), agents, hours=hours, seed=seed)
    assert progressive.abandoned == 0
    assert predictive.talk_per_agent_hour > progressive.talk_per_agent_hour
    assert predictive.abandon_rate <= 0.03


def test_a_tight_target_is_kept_too() -> None:
    result = run_shift(PredictivePacer(), 20, hours=1.5, seed=3, target=0.01)
    assert result.abandon_rate <= 0.01
    assert result.worst_window(1800.0) <= 0.05


def test_the_budget_guard_holds_with_an_optimistic_model() -> None:
    """Even told to accept 20 times the risk, predictive stays within the legal budget."""
    result = run_shift(PredictivePacer(marginal_risk=0.2), 20, hours=1.5, seed=4)
    assert result.abandon_rate <= 0.03
    assert result.abandoned > 0  # it did dial aggressively
