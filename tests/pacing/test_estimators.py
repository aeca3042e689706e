"""Decayed rate and histogram estimators."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pacing._normal import expected_excess, norm_cdf
from pacing.estimators import DecayedHistogram, DecayedRate
from tests.pacing.world import lognormal


def _lognormal_survival(x: float, mean: float, sd: float) -> float:
    s2 = math.log(1 + (sd / mean) ** 2)
    mu = math.log(mean) - s2 / 2
    return 0.5 * math.erfc((math.log(x) - mu) / math.sqrt(2 * s2))


def test_rate_converges_to_the_share_of_hits() -> None:
    rng = np.random.default_rng(1)
    rate = DecayedRate(half_life=500)
    for hit in rng.random(5000) < 0.25:
        rate.add(bool(hit))
    assert rate.value() == pytest.approx(0.25, abs=0.04)


def test_rate_follows_drift_within_a_few_half_lives() -> None:
    rate = DecayedRate(half_life=100)
    for _ in range(1000):
        rate.add(True)
    for _ in range(500):  # five half-lives of misses
        rate.add(False)
    assert rate.value() < 0.05


def test_rate_weight_saturates_at_the_effective_sample_count() -> None:
    rate = DecayedRate(half_life=100)
    for _ in range(5000):
        rate.add(False)
    assert rate.weight == pytest.approx(100 / math.log(2), rel=0.02)
    assert DecayedRate(10).value(default=0.3) == 0.3


def test_histogram_matches_a_lognormal_body_and_tail() -> None:
    rng = np.random.default_rng(2)
    hist = DecayedHistogram(bin_s=1.0, max_s=3600.0, half_life=5000)
    for _ in range(4000):
        hist.add(lognormal(rng, 180.0, 180.0))
    for x in (30.0, 180.0, 600.0, 2000.0, 6000.0):
        expected = _lognormal_survival(x, 180.0, 180.0)
        assert hist.survival(np.array([x]))[0] == pytest.approx(expected, rel=0.25, abs=0.01)
    assert hist.mean() == pytest.approx(180.0, rel=0.08)


def test_histogram_forgets_old_samples() -> None:
    hist = DecayedHistogram(bin_s=0.5, max_s=100.0, half_life=50)
    for _ in range(500):
        hist.add(10.0)
    for _ in range(500):
        hist.add(30.0)
    assert hist.survival(np.array([20.0]))[0] > 0.99
    assert hist.count == pytest.approx(50 / math.log(2), rel=0.05)


@given(samples=st.lists(st.floats(0, 500), min_size=1, max_size=60))
def test_survival_is_a_survival_function(samples: list[float]) -> None:
    hist = DecayedHistogram(bin_s=1.0, max_s=200.0, half_life=30)
    for x in samples:
        hist.add(x)
    xs = np.linspace(0, 1000, 101)
    s = hist.survival(xs)
    assert np.all((s >= 0) & (s <= 1))
    assert np.all(np.diff(s) <= 1e-12)


def test_empty_histogram_says_nothing_has_ended() -> None:
    assert DecayedHistogram(1.0, 10.0, 10).survival(np.array([0.0, 5.0, 50.0])).tolist() == [
        1.0,
        1.0,
        1.0,
    ]


def test_normal_helpers() -> None:
    z = np.array([-2.0, 0.0, 1.0])
    assert norm_cdf(z) == pytest.approx([0.02275, 0.5, 0.84134], abs=1e-5)
    # E[max(X,0)] for X ~ N(0,1) is 1/sqrt(2 pi); a point mass is its own positive part
    assert expected_excess(np.array([0.0]), np.array([1.0]))[0] == pytest.approx(0.398942, 1e-5)
    assert expected_excess(np.array([3.0, -2.0]), np.array([0.0, 0.0])).tolist() == [3.0, 0.0]
