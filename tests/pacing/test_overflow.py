"""The two estimators of expected abandons against brute force and each other."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pacing.forecast import Forecast
from pacing.overflow import ExactOverflow, NormalOverflow, overflow_for

probs = st.floats(0.0, 1.0)


def _fc(agents: list[float], calls: list[float], new: float) -> Forecast:
    """A one-instant forecast."""
    return Forecast(
        times=np.array([0.0]),
        agent_rows=np.array(agents, dtype=np.float64).reshape(-1, 1),
        call_rows=np.array(calls, dtype=np.float64).reshape(-1, 1),
        per_new_call=np.array([new]),
    )


def _brute(agents: list[float], calls: list[float]) -> float:
    """E[(sum calls - sum agents)+] by enumerating every outcome."""
    items = [(p, +1) for p in calls] + [(q, -1) for q in agents]
    total = 0.0
    for bits in itertools.product((0, 1), repeat=len(items)):
        weight, x = 1.0, 0
        for (p, sign), bit in zip(items, bits, strict=True):
            weight *= p if bit else 1.0 - p
            x += sign * bit
        total += weight * max(x, 0)
    return total


@given(
    agents=st.lists(probs, max_size=5),
    calls=st.lists(probs, max_size=5),
    new=probs,
    most=st.integers(0, 3),
)
@settings(max_examples=80, deadline=None)
def test_exact_matches_enumeration(
    agents: list[float], calls: list[float], new: float, most: int
) -> None:
    curve = ExactOverflow(_fc(agents, calls, new)).curve(most)
    for n in range(most + 1):
        assert curve[n] == pytest.approx(_brute(agents, calls + [new] * n), abs=1e-9)


def test_normal_is_close_to_exact_for_a_large_team() -> None:
    rng = np.random.default_rng(4)
    fc = _fc(list(rng.uniform(0, 1, 100)), list(rng.uniform(0, 0.4, 150)), 0.25)
    exact, normal = ExactOverflow(fc).curve(40), NormalOverflow(fc).curve(40)
    assert np.allclose(exact, normal, atol=0.15)
    assert np.all(np.diff(exact) >= -1e-12)  # each call adds abandons, never removes


def test_the_worst_instant_counts() -> None:
    fc = Forecast(
        times=np.array([0.0, 10.0]),
        agent_rows=np.array([[0.0, 1.0]]),  # free only at 10 s
        call_rows=np.array([[1.0, 1.0]]),  # a live person waiting now
        per_new_call=np.array([0.0, 0.5]),
    )
    assert ExactOverflow(fc).curve(0)[0] == pytest.approx(1.0)
    assert NormalOverflow(fc).curve(0)[0] == pytest.approx(1.0)


def test_estimator_choice_follows_size() -> None:
    small = _fc([0.5] * 3, [0.2] * 3, 0.25)
    assert isinstance(overflow_for(small, exact_up_to=10), ExactOverflow)
    assert isinstance(overflow_for(small, exact_up_to=5), NormalOverflow)
    assert overflow_for(small, 10).saturation() >= 1
