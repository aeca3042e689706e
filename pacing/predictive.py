"""Predictive: place the calls whose expected cost in abandons is worth the agent time they save.

Each decision forecasts, on a grid of the next ``horizon_s`` seconds, how many agents will be free
(:mod:`pacing.forecast`, by look-up in :mod:`pacing.tables`, rebuilt at most every ``refresh_s``
when the statistics changed) and how many live people will be waiting for them, from the calls in
flight plus ``n`` new calls. With ``X(t) = arrivals(t) - frees(t)``, ``max_t E[X(t)+]``
(:mod:`pacing.overflow`: exact for small teams, normal for large ones) estimates the abandons to
come. The ``n``-th call is placed while the abandons it adds, per live person it may reach, stay
under the accepted marginal risk; that risk is scaled by :class:`pacing.control.AbandonFeedback`
until the measured rate sits at the aim below the campaign's target, and shrinks as the legal
abandon budget runs low (below ``cushion_per_agent`` spare abandons per staffed agent).

Safeguards: progressive during warm-up (too few samples); the expected abandons of the calls in
flight and the new ones stay within the legal budget less a reserve; when the budget no longer
covers the calls in flight and the reserve, only ready agents get calls (enough to expect
``low_budget_contacts`` live answers each), and once it is spent dialing is progressive until it
recovers (:class:`pacing.control.BudgetGuard`); never fewer calls than progressive would place;
never more than ``max_lines_per_agent`` calls in flight per agent who is not paused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from pacing._limits import ready_agents, staffed
from pacing.api import Outcome, OutcomeKind, Snapshot
from pacing.control import AbandonFeedback, BudgetGuard
from pacing.forecast import Forecast, forecast_from
from pacing.overflow import Overflow, overflow_for
from pacing.stats import LIVE_KINDS, CampaignStats, StatsConfig
from pacing.tables import ForecastTables

__all__ = ["PredictiveConfig", "PredictivePacer"]


@dataclass(frozen=True, slots=True)
class PredictiveConfig:
    horizon_s: float = 40.0
    step_s: float = 1.0
    grace_s: float = 1.0  # a live person may wait this long for an agent (the law says 2 s)
    marginal_risk: float = 0.02  # accepted abandons per live answer of the last call placed
    warmup_s: float = 300.0  # dial progressively at least this long after the first outcome
    max_lines_per_agent: float = 8.0
    exact_up_to: int = 60  # agents + calls in flight up to which abandons are computed exactly
    aim_share: float = 0.95  # aim the measured abandon rate at this share of the target
    feedback_gain: float = 0.05
    cushion_per_agent: float = 0.15  # below this many spare abandons per agent, accept less risk
    #: the budget guard: abandons kept in reserve beyond those the calls in flight may cause,
    #: and the extra budget needed before predictive dialing resumes. Small: a campaign's budget
    #: grows by 0.03 abandons per live answer, about 1.5 an hour for 5 agents on a low-contact
    #: list, so each abandon of reserve is most of an hour of progressive dialing for them
    guard_margin: float = 0.5
    guard_recover: float = 0.25
    #: while the guard holds the reserve (the budget is low but not spent): lines for ready
    #: agents only, enough to expect this many live answers each, at most ``low_budget_lines``
    #: per ready agent (more than one only on lists with a live rate under this share)
    low_budget_contacts: float = 0.16
    low_budget_lines: float = 3.0
    refresh_s: float = 60.0  # rebuild the forecast tables at most this often (if stats changed)
    stats: StatsConfig = field(default_factory=StatsConfig)


class PredictivePacer:
    """Model-based pacing under an abandon-rate target (see the module docstring)."""

    mode = "predictive"

    def __init__(self, config: PredictiveConfig | None = None, **overrides: Any) -> None:
        known = {f.name for f in fields(PredictiveConfig)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise TypeError(f"unexpected settings: {', '.join(unknown)}")
        self.config = cfg = replace(config or PredictiveConfig(), **overrides)
        self.stats = CampaignStats(cfg.stats)
        self.feedback = AbandonFeedback(aim_share=cfg.aim_share, gain=cfg.feedback_gain)
        self.guard = BudgetGuard(margin=cfg.guard_margin, recover=cfg.guard_recover)
        self._times = np.arange(0.0, cfg.horizon_s + cfg.step_s / 2, cfg.step_s)
        self._target = 0.03
        self.last_forecast: Forecast | None = None
        self._tables: ForecastTables | None = None
        self._tables_at = (-math.inf, -1)  # (now_s, stats version) when built

    def observe(self, outcome: Outcome) -> None:
        self.stats.observe(outcome)
        if outcome.kind in LIVE_KINDS:
            self.feedback.record(outcome.kind is OutcomeKind.ABANDONED, self._target)

    def decide(self, snapshot: Snapshot) -> int:
        self._target = snapshot.abandon_target
        team = staffed(snapshot)
        if team == 0:
            return 0
        free_lines = snapshot.max_lines - len(snapshot.calls)
        floor = max(0, min(ready_agents(snapshot) - len(snapshot.calls), free_lines))
        if not self._warm(snapshot.now_s):
            return floor
        fc = forecast_from(self._tables_for(snapshot.now_s), snapshot.agents, snapshot.calls)
        self.last_forecast = fc
        abandons = overflow_for(fc, self.config.exact_up_to)
        if self.guard.check(snapshot.abandon_budget, abandons.at_risk()):
            return floor if self.guard.spent else max(floor, self._cautious(snapshot, free_lines))
        cap = math.floor(self.config.max_lines_per_agent * team)
        room = max(0, min(cap, snapshot.max_lines) - len(snapshot.calls))
        cushion = max(self.config.cushion_per_agent * team, 0.5)
        wanted = self._calls_worth_placing(abandons, room, snapshot.abandon_budget, cushion)
        return max(floor, min(wanted, free_lines))

    def _cautious(self, snapshot: Snapshot, free_lines: int) -> int:
        """Calls for ready agents only while the budget is low: ``low_budget_contacts`` live
        answers expected per ready agent (on low-contact lists one line each leaves them idle
        for minutes, and calls for agents still busy are what risks abandons)."""
        p_live = max(self.stats.live_rate.value(), 1e-6)
        per_agent = min(self.config.low_budget_contacts / p_live, self.config.low_budget_lines)
        return min(int(per_agent * ready_agents(snapshot)) - len(snapshot.calls), free_lines)

    def _tables_for(self, now_s: float) -> ForecastTables:
        """The forecast tables, rebuilt when the statistics changed and they are old enough."""
        built_s, version = self._tables_at
        stale = version != self.stats.version and now_s - built_s >= self.config.refresh_s
        if self._tables is None or stale or now_s < built_s:
            self._tables = ForecastTables(self.stats, self._times, self.config.grace_s)
            self._tables_at = (now_s, self.stats.version)
        return self._tables

    def _warm(self, now_s: float) -> bool:
        first = self.stats.first_at_s
        return self.stats.warmed_up and first is not None and now_s - first >= self.config.warmup_s

    def _calls_worth_placing(
        self, abandons: Overflow, room: int, budget: float, cushion: float
    ) -> int:
        """The leading calls each of which adds at most the accepted risk in abandons, and
        with which the abandons expected stay within the budget's allowance."""
        p_live = max(self.stats.live_rate.value(), 1e-6)
        spare = min(max(self.guard.allowance(budget) / cushion, 0.0), 1.0)
        limit = self.config.marginal_risk * self.feedback.scale * p_live * spare
        most = min(room, abandons.saturation())
        return abandons.calls_within(limit, most, self.guard.allowance(budget))
