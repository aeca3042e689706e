"""Campaign statistics and the forecast built on them."""

from __future__ import annotations

import numpy as np
import pytest

from pacing.api import AgentState, AgentView, CallStage, CallView, Outcome, OutcomeKind
from pacing.forecast import forecast
from pacing.stats import CampaignStats
from tests.pacing.world import outcomes

TIMES = np.arange(0.0, 41.0)


@pytest.fixture(scope="module")
def stats() -> CampaignStats:
    s = CampaignStats()
    for outcome in outcomes(np.random.default_rng(3), 3000):
        s.observe(outcome)
    return s


def test_outcome_mix_and_durations(stats: CampaignStats) -> None:
    assert stats.live_rate.value() == pytest.approx(0.25, abs=0.05)
    assert stats.kind_rates[OutcomeKind.MACHINE].value() == pytest.approx(0.25, abs=0.05)
    assert stats.live_setup.mean() == pytest.approx(2 + 7.9 + 1.5, abs=1.0)
    assert stats.talk.mean() == pytest.approx(180, rel=0.15)
    assert stats.wrap.mean() == pytest.approx(15, rel=0.1)
    assert stats.warmed_up


def test_warm_up_needs_every_kind_of_sample() -> None:
    s = CampaignStats()
    for i in range(500):
        s.observe(Outcome(OutcomeKind.NO_ANSWER, setup_s=25.0, at_s=float(i)))
    assert not s.warmed_up
    assert s.abandon_rate == 0.0


def test_abandon_rate_counts_abandons_over_live_answers() -> None:
    s = CampaignStats()
    for kind in [OutcomeKind.LIVE] * 3 + [OutcomeKind.ABANDONED, OutcomeKind.MACHINE]:
        s.observe(Outcome(kind, setup_s=10.0))
    s.observe(Outcome(OutcomeKind.CANCELED, setup_s=1.0))
    assert (s.attempts, s.live_answers, s.abandons) == (5, 4, 1)
    assert s.abandon_rate == 0.25


def test_ready_agents_are_free_at_once_paused_never(stats: CampaignStats) -> None:
    agents = (AgentView(AgentState.READY, 3.0), AgentView(AgentState.PAUSED, 3.0))
    fc = forecast(agents, (), stats, TIMES, grace_s=0.0)
    assert fc.frees_mean.tolist() == [1.0] * len(TIMES)
    assert fc.frees_var.max() == 0.0


def test_agent_in_wrap_up_frees_as_the_remaining_wrap_time_says(stats: CampaignStats) -> None:
    just_started = forecast((AgentView(AgentState.WRAP_UP, 0.0),), (), stats, TIMES, 0.0)
    late = forecast((AgentView(AgentState.WRAP_UP, 25.0),), (), stats, TIMES, 0.0)
    # median wrap is about 13.5 s: half-way there at 13-14 s
    assert just_started.frees_mean[13] == pytest.approx(0.5, abs=0.1)
    assert just_started.frees_mean[40] > 0.97
    assert late.frees_mean[5] > just_started.frees_mean[5]


def test_talking_agent_frees_later_than_one_in_wrap_up(stats: CampaignStats) -> None:
    talking = forecast((AgentView(AgentState.ON_CALL, 60.0),), (), stats, TIMES, 0.0)
    wrapping = forecast((AgentView(AgentState.WRAP_UP, 5.0),), (), stats, TIMES, 0.0)
    assert np.all(talking.frees_mean <= wrapping.frees_mean + 1e-9)
    # a talk that has lasted 60 s ends within 40 s with probability about 0.17, then the wrap
    assert 0.03 < talking.frees_mean[-1] < 0.2
    assert np.all(np.diff(talking.frees_mean) >= -1e-12)


def test_calls_waiting_for_an_agent_arrive_now_ringing_ones_later(stats: CampaignStats) -> None:
    calls = (CallView(CallStage.WAITING_AGENT, 12.0), CallView(CallStage.RINGING, 2.0))
    fc = forecast((), calls, stats, TIMES, 0.0)
    assert fc.arrivals_mean[0] == pytest.approx(1.0, abs=0.01)
    # the ringing call is live with probability about 0.25 (not yet resolved at 2 s: slightly more)
    assert 1.2 < fc.arrivals_mean[-1] < 1.4


def test_old_unanswered_calls_are_unlikely_to_become_live(stats: CampaignStats) -> None:
    young = forecast((), (CallView(CallStage.RINGING, 5.0),), stats, TIMES, 0.0)
    old = forecast((), (CallView(CallStage.RINGING, 26.0),), stats, TIMES, 0.0)
    assert old.arrivals_mean[-1] < 0.5 * young.arrivals_mean[-1]


def test_new_call_reaches_a_live_person_with_the_live_rate(stats: CampaignStats) -> None:
    fc = forecast((), (), stats, TIMES, 0.0)
    assert fc.per_new_call[0] == 0.0
    assert fc.per_new_call[-1] == pytest.approx(stats.live_rate.value(), abs=1e-3)
    assert fc.per_new_call[11] == pytest.approx(0.5 * stats.live_rate.value(), abs=0.05)
