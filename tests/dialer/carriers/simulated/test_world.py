"""The world file and its loader, distributions and outcome mixes."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from dialer.carriers.simulated import LogNormal, Outcome, OutcomeMix, Uniform, load_world
from dialer.carriers.simulated.distributions import Fixed, parse_distribution
from dialer.carriers.simulated.mix import ContactSchedule
from dialer.errors import ConfigError

units = st.floats(min_value=1e-9, max_value=1 - 1e-9)
HOUR = 3600.0


def test_base_world_is_the_pacing_benchmark_world() -> None:
    world = load_world()
    mix = world.schedule.mix_at(0)
    assert (mix.live, mix.machine, mix.no_answer, mix.unreachable) == (0.25, 0.25, 0.35, 0.15)
    assert world.post_dial_s == Uniform(1, 3)
    assert world.live.ring_s == LogNormal(8, 5, 24)
    assert world.live.greeting_s == Fixed(1.5)
    assert world.live.talk_s == LogNormal(180, 180)
    assert world.machine.ring_s == Uniform(12, 24)
    assert world.machine.detection_s == Fixed(4)
    assert world.machine.bridged_talk_s == Fixed(8)
    assert world.unreachable.release_s == Uniform(1, 6)
    assert world.agents.wrap_up_s == LogNormal(15, 7.5)
    assert (world.amd.machine_as_human, world.amd.human_as_machine) == (0, 0)
    assert world.agents.breaks is None
    assert world.abandon_cap is None
    assert "pacing" in world.source


def test_low_contact_profile() -> None:
    mix = load_world("low").schedule.mix_at(0)
    assert (mix.live, mix.machine, mix.no_answer, mix.unreachable) == (0.08, 0.30, 0.45, 0.17)


def test_drift_variant_follows_the_schedule() -> None:
    schedule = load_world("high", ["drift"]).schedule
    lives = [schedule.mix_at(h * HOUR + 1).live for h in range(8)]
    assert lives == [0.25, 0.25, 0.20, 0.20, 0.13, 0.13, 0.19, 0.19]
    late = schedule.mix_at(5 * HOUR)
    assert late.machine / late.no_answer == pytest.approx(0.25 / 0.35)


def test_other_variants() -> None:
    amd = load_world(variants=["imperfect_amd"]).amd
    assert (amd.machine_as_human, amd.human_as_machine) == (0.10, 0.02)
    breaks = load_world(variants=["breaks"]).agents.breaks
    assert breaks is not None
    assert (breaks.every_s, breaks.length_s) == (7200, 600)
    assert load_world(variants=["abandon_cap"]).abandon_cap == 0.01
    both = load_world("low", ["drift", "imperfect_amd"])
    assert both.variants == ("drift", "imperfect_amd")
    assert both.amd.machine_as_human == 0.10


@pytest.mark.parametrize(
    ("contact", "variants", "message"),
    [("medium", [], "unknown contact profile"), ("high", ["nope"], "unknown variant")],
)
def test_unknown_names_are_config_errors(contact: str, variants: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_world(contact, variants)


def _world_file(tmp_path: Path, change: dict[str, object]) -> Path:
    raw = yaml.safe_load(
        (Path(__file__).parents[4] / "dialer/carriers/simulated/world.yaml").read_text()
    )
    raw.update(change)
    path = tmp_path / "world.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.mark.parametrize(
    "change",
    [
        {"contact": {"high": {"live": 0.5, "machine": 0.5, "no_answer": 0.5, "unreachable": 0}}},
        {"contact": {"high": {"live": 1.0}}},
        {"post_dial_s": {"uniform": [3, 1]}},
        {"post_dial_s": {"gamma": 2}},
        {"post_dial_s": "soon"},
        {"live": None},
        {"contact_schedule": [{"after_s": 60, "live": 0.1}]},
        {"contact_schedule": [{"after_s": 0}]},
        {"amd": {"machine_as_human": 1.5, "human_as_machine": 0}},
        {"message": {"words_per_s": 0, "min_s": 3, "opt_out_probability": 0.1}},
    ],
)
def test_malformed_world_files_are_config_errors(tmp_path: Path, change: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match="world"):
        load_world(path=_world_file(tmp_path, change))


def test_unreadable_world_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_world(path=tmp_path / "missing.yaml")


def test_parse_distribution_forms() -> None:
    assert parse_distribution(2, "x") == Fixed(2.0)
    assert parse_distribution({"uniform": [1, 2]}, "x") == Uniform(1, 2)
    assert parse_distribution({"lognormal": {"mean": 3, "sd": 1}}, "x") == LogNormal(3, 1)
    for bad in (-1, True, {"lognormal": {"mean": 0, "sd": 1}}, {"uniform": [1]}):
        with pytest.raises(ConfigError):
            parse_distribution(bad, "x")


@given(units, units)
def test_quantiles_are_monotone_and_bounded(u: float, v: float) -> None:
    lo, hi = sorted((u, v))
    for dist in (Uniform(12, 24), LogNormal(8, 5, 24), LogNormal(180, 180)):
        assert dist.quantile(lo) <= dist.quantile(hi)
    assert 12 <= Uniform(12, 24).quantile(u) <= 24
    assert 0 < LogNormal(8, 5, 24).quantile(u) <= 24 + 1e-9


def test_lognormal_parameters_give_the_stated_mean_and_sd() -> None:
    dist = LogNormal(180, 180)
    assert math.exp(dist.mu + dist.sigma**2 / 2) == pytest.approx(180)
    variance = (math.exp(dist.sigma**2) - 1) * math.exp(2 * dist.mu + dist.sigma**2)
    assert math.sqrt(variance) == pytest.approx(180)
    assert dist.mean == 180


def test_truncated_mean_matches_numpy_rejection_sampling() -> None:
    """ "Resample above 24 s" (pacing.md), done the slow way, agrees with the inverse transform."""
    dist = LogNormal(8, 5, 24)
    rng = np.random.default_rng(5)
    draws = rng.lognormal(dist.mu, dist.sigma, 400_000)
    kept = draws[draws <= 24]
    assert kept.mean() == pytest.approx(dist.mean, rel=0.005)
    ours = np.array([dist.quantile(u) for u in rng.random(100_000)])
    for q in (0.1, 0.5, 0.9, 0.99):
        assert np.quantile(ours, q) == pytest.approx(np.quantile(kept, q), rel=0.02)


@given(units)
def test_mix_pick_respects_bands(u: float) -> None:
    mix = OutcomeMix(0.25, 0.25, 0.35, 0.15)
    expected = (
        Outcome.LIVE
        if u < 0.25
        else Outcome.MACHINE
        if u < 0.5
        else Outcome.NO_ANSWER
        if u < 0.85
        else Outcome.UNREACHABLE
    )
    assert mix.pick(u) is expected


@given(st.floats(min_value=0, max_value=1))
def test_with_live_keeps_a_valid_mix_and_proportions(live: float) -> None:
    base = OutcomeMix(0.25, 0.25, 0.35, 0.15)
    mix = base.with_live(live)
    assert mix.live == live
    assert mix.live + mix.machine + mix.no_answer + mix.unreachable == pytest.approx(1)
    if live < 1:
        assert mix.unreachable / mix.machine == pytest.approx(0.15 / 0.25)


def test_constant_schedule() -> None:
    mix = OutcomeMix(0.08, 0.30, 0.45, 0.17)
    schedule = ContactSchedule.parse([], mix)
    assert schedule.mix_at(0) == schedule.mix_at(10 * HOUR) == mix
    assert schedule.mix_at(-5) == mix


def test_message_duration() -> None:
    message = load_world().message
    assert message.duration_s("hi") == 3
    assert message.duration_s(" ".join(["word"] * 25)) == pytest.approx(10)
