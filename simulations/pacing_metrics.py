"""What the pacing benchmark measures in one run, besides the engine's own counters.

:class:`Recorder` wraps the pacer under test and sees exactly what it sees: every snapshot and
every outcome. From them it keeps the times of live answers and abandons (for the worst 30- and
60-minute windows), the length of every ready spell of every agent (the wait between calls, to
the engine's tick), the peak of lines in flight per staffed agent, and the talk and wrap-up still
under way at the last tick (the engine books a talk when it ends, so a call still going when the
shift ends would otherwise count for nothing). It changes nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from pacing.api import AgentState, Outcome, OutcomeKind, Pacer, Snapshot

__all__ = ["Recorder", "RunMetrics", "worst_window"]


@dataclass(frozen=True, slots=True)
class RunMetrics:
    """The figures of one run (pacing.md, "Metrics, per run")."""

    mode: str
    cell: str
    seed: int
    talk_per_agent_hour: float
    occupancy: float
    abandon_rate: float
    worst_30min: float
    worst_60min: float
    wait_mean_s: float
    wait_p50_s: float
    wait_p90_s: float
    dials_per_agent_hour: float
    connects_per_agent_hour: float
    peak_lines_per_agent: float
    wall_s: float
    #: Part of ``talk_per_agent_hour``: talk of the calls still going when the shift ended.
    unfinished_talk_per_agent_hour: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class Recorder:
    """A transparent :class:`Pacer` wrapper that records what the benchmark reports."""

    def __init__(self, inner: Pacer) -> None:
        self.inner = inner
        self.live_at: list[float] = []
        self.abandoned_at: list[float] = []
        self.waits: list[float] = []
        self.peak_lines_per_agent = 0.0
        self._ready_for: dict[int, float] = {}  # agent index -> seconds ready at the last tick
        self.unfinished_talk_s = 0.0  # talk under way at the last tick
        self.unfinished_wrap_s = 0.0  # wrap-up under way at the last tick

    def observe(self, outcome: Outcome) -> None:
        if outcome.kind in (OutcomeKind.LIVE, OutcomeKind.ABANDONED):
            self.live_at.append(outcome.at_s)
            if outcome.kind is OutcomeKind.ABANDONED:
                self.abandoned_at.append(outcome.at_s)
        self.inner.observe(outcome)

    def decide(self, snapshot: Snapshot) -> int:
        n = self.inner.decide(snapshot)
        staffed = sum(1 for a in snapshot.agents if a.state is not AgentState.PAUSED)
        if staffed:
            lines = (len(snapshot.calls) + n) / staffed
            self.peak_lines_per_agent = max(self.peak_lines_per_agent, lines)
        self._track_waits(snapshot)
        self._track_unfinished(snapshot)
        return n

    def _track_unfinished(self, snapshot: Snapshot) -> None:
        talk = wrap = 0.0
        for agent in snapshot.agents:
            if agent.state is AgentState.ON_CALL:
                talk += agent.seconds_in_state
            elif agent.state is AgentState.WRAP_UP:
                wrap += agent.seconds_in_state
        self.unfinished_talk_s, self.unfinished_wrap_s = talk, wrap

    def _track_waits(self, snapshot: Snapshot) -> None:
        for i, agent in enumerate(snapshot.agents):
            if agent.state is AgentState.READY:
                self._ready_for[i] = agent.seconds_in_state
            elif i in self._ready_for and agent.state is not AgentState.PAUSED:
                self.waits.append(self._ready_for.pop(i))

    def worst(self, window_s: float) -> float:
        return worst_window(self.live_at, self.abandoned_at, window_s)

    def wait_stats(self) -> tuple[float, float, float]:
        """Mean, median and 90th percentile of the wait between calls, in seconds."""
        if not self.waits:
            return 0.0, 0.0, 0.0
        waits = np.array(self.waits)
        p50, p90 = np.percentile(waits, [50, 90])
        return float(waits.mean()), float(p50), float(p90)


def worst_window(live_at: list[float], abandoned_at: list[float], window_s: float) -> float:
    """The highest abandon rate (abandons / live answers) over any window of ``window_s`` that
    ends at a live answer and has a whole window of history behind it (or the whole run, if
    shorter)."""
    lives = np.sort(np.asarray(live_at, dtype=np.float64))
    if not len(lives):
        return 0.0
    drops = np.sort(np.asarray(abandoned_at, dtype=np.float64))
    ends = lives[lives >= lives[0] + window_s]
    if not len(ends):
        return len(drops) / len(lives)
    starts = ends - window_s
    n = np.searchsorted(lives, ends, "right") - np.searchsorted(lives, starts, "right")
    d = np.searchsorted(drops, ends, "right") - np.searchsorted(drops, starts, "right")
    return float((d / np.maximum(n, 1)).max())
