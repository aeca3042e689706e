"""Running statistics of one campaign, fed by ``Pacer.observe``.

Everything decays per sample (see :mod:`pacing.estimators`), so the figures follow a list whose
contact rate drifts. Attempt outcomes feed the outcome mix and the set-up time distribution of
each kind (origination to answer for live people, origination to machine verdict for machines,
origination to release otherwise); talks and wrap-ups feed their duration distributions.
"""

from __future__ import annotations

from dataclasses import dataclass

from pacing.api import Outcome, OutcomeKind
from pacing.estimators import DecayedHistogram, DecayedRate

__all__ = ["LIVE_KINDS", "CampaignStats", "StatsConfig"]

LIVE_KINDS = frozenset({OutcomeKind.LIVE, OutcomeKind.ABANDONED})
#: Outcomes whose set-up time distributions are kept apart (the rest pool as "other").
_SETUP_KINDS = (OutcomeKind.MACHINE, OutcomeKind.NO_ANSWER)


@dataclass(frozen=True, slots=True)
class StatsConfig:
    attempts_half_life: float = 400.0  # attempts
    durations_half_life: float = 300.0  # samples of each distribution
    abandon_half_life: float = 1000.0  # live answers
    warmup_attempts: int = 100
    warmup_live: int = 20
    warmup_talks: int = 20


class CampaignStats:
    """Decayed outcome mix, set-up times, talk and wrap-up times, and abandon counts."""

    def __init__(self, config: StatsConfig | None = None) -> None:
        self.config = cfg = config or StatsConfig()
        self.live_rate = DecayedRate(cfg.attempts_half_life)
        self.kind_rates = {k: DecayedRate(cfg.attempts_half_life) for k in _SETUP_KINDS}
        self.live_setup = DecayedHistogram(0.25, 120.0, cfg.durations_half_life)
        self.kind_setup = {
            k: DecayedHistogram(0.25, 120.0, cfg.durations_half_life) for k in _SETUP_KINDS
        }
        self.other_setup = DecayedHistogram(0.25, 120.0, cfg.durations_half_life)
        self.talk = DecayedHistogram(1.0, 3600.0, cfg.durations_half_life)
        self.wrap = DecayedHistogram(0.25, 600.0, cfg.durations_half_life)
        self.recent_abandon = DecayedRate(cfg.abandon_half_life)
        self.attempts = 0
        self.live_answers = 0
        self.abandons = 0
        self.first_at_s: float | None = None
        self.version = 0  # counts observations: the distributions changed if it moved

    def observe(self, outcome: Outcome) -> None:
        self.version += 1
        if self.first_at_s is None:
            self.first_at_s = outcome.at_s
        if outcome.kind is not None and outcome.kind is not OutcomeKind.CANCELED:
            self._attempt(outcome.kind, outcome.setup_s)
        if outcome.talk_s is not None:
            self.talk.add(outcome.talk_s)
        if outcome.wrap_s is not None:
            self.wrap.add(outcome.wrap_s)

    def _attempt(self, kind: OutcomeKind, setup_s: float) -> None:
        self.attempts += 1
        live = kind in LIVE_KINDS
        self.live_rate.add(live)
        for k, rate in self.kind_rates.items():
            rate.add(kind is k)
        if live:
            self.live_answers += 1
            self.abandons += kind is OutcomeKind.ABANDONED
            self.recent_abandon.add(kind is OutcomeKind.ABANDONED)
            self.live_setup.add(setup_s)
        elif kind in self.kind_setup:
            self.kind_setup[kind].add(setup_s)
        else:
            self.other_setup.add(setup_s)

    @property
    def warmed_up(self) -> bool:
        """Enough samples to forecast: until then predictive dials progressively."""
        cfg = self.config
        return (
            self.attempts >= cfg.warmup_attempts
            and self.live_answers >= cfg.warmup_live
            and self.talk.count >= cfg.warmup_talks
            and self.wrap.count >= cfg.warmup_talks
        )

    @property
    def abandon_rate(self) -> float:
        """Abandons over live answers since the pacer started."""
        return self.abandons / self.live_answers if self.live_answers else 0.0
