"""VICIdial's ADAPT dial level (AST_VDadapt.pl), as documented.

Every decision: calls to place = round(level x non-paused agents) - live calls (ringing,
answered and waiting, connected). Every 15 s the level moves with the 15-second averages:
``level *= 1 + (ready - waiting) / logged_in`` (intensity 0), clamped to [1, max level]. Brakes:
over 20 calls and over 50 % drops in the last minute halve the level; over 50 calls today with a
drop rate (drops / human answers) above the target, HARD_LIMIT sets the level to 1, AVERAGE
halves it, TAPERED multiplies it by the time left in the day in HHMM units / 1000 (at most 1).
"""

from __future__ import annotations

from collections import deque
from enum import StrEnum

from pacing._limits import clamp, staffed
from pacing.api import AgentState, CallStage, Outcome, OutcomeKind, Snapshot
from pacing.stats import LIVE_KINDS

__all__ = ["DropMethod", "VicidialAdapt"]

ADAPT_EVERY_S = 15.0


class DropMethod(StrEnum):
    HARD_LIMIT = "HARD_LIMIT"
    AVERAGE = "AVERAGE"
    TAPERED = "TAPERED"


class VicidialAdapt:
    """ADAPT_HARD_LIMIT, ADAPT_AVERAGE or ADAPT_TAPERED."""

    def __init__(
        self,
        method: DropMethod | str = DropMethod.HARD_LIMIT,
        max_level: float = 3.0,
        day_end_s: float = 8 * 3600.0,
        level: float = 1.0,
    ) -> None:
        self.method = DropMethod(method)
        self.max_level = max_level
        self.day_end_s = day_end_s
        self.level = level
        self._samples: list[tuple[int, int, int]] = []  # ready, waiting, logged in
        self._last_adapt: float | None = None
        self._recent: deque[tuple[float, bool, bool]] = deque()  # at, human, dropped
        self._calls_today = self._humans_today = self._drops_today = 0

    def observe(self, outcome: Outcome) -> None:
        if outcome.kind is None or outcome.kind is OutcomeKind.CANCELED:
            return
        human = outcome.kind in LIVE_KINDS
        dropped = outcome.kind is OutcomeKind.ABANDONED
        self._recent.append((outcome.at_s, human, dropped))
        self._calls_today += 1
        self._humans_today += human
        self._drops_today += dropped

    def decide(self, snapshot: Snapshot) -> int:
        now = snapshot.now_s
        self._sample(snapshot)
        if self._last_adapt is None:
            self._last_adapt = now
        elif now - self._last_adapt >= ADAPT_EVERY_S:
            self._adapt(now, snapshot.abandon_target)
            self._last_adapt = now
        connected = sum(1 for a in snapshot.agents if a.state in _CONNECTED)
        live = len(snapshot.calls) + connected
        return clamp(round(self.level * staffed(snapshot)) - live, snapshot)

    def _sample(self, snapshot: Snapshot) -> None:
        ready = sum(1 for a in snapshot.agents if a.state is AgentState.READY)
        waiting = sum(1 for c in snapshot.calls if c.stage is CallStage.WAITING_AGENT)
        self._samples.append((ready, waiting, len(snapshot.agents)))

    def _adapt(self, now: float, target: float) -> None:
        n = len(self._samples)
        ready, waiting, logged_in = (sum(s[i] for s in self._samples) / n for i in range(3))
        self._samples.clear()
        if logged_in > 0:
            self.level *= 1.0 + (ready - waiting) / logged_in
        self.level = min(max(self.level, 1.0), self.max_level)
        self._brake(now, target)
        self.level = min(max(self.level, 1.0), self.max_level)

    def _brake(self, now: float, target: float) -> None:
        while self._recent and self._recent[0][0] < now - 60.0:
            self._recent.popleft()
        humans = sum(1 for _, human, _ in self._recent if human)
        drops = sum(1 for _, _, dropped in self._recent if dropped)
        if len(self._recent) > 20 and humans and drops / humans > 0.5:
            self.level /= 2.0
        today = self._drops_today / self._humans_today if self._humans_today else 0.0
        if self._calls_today > 50 and today > target:
            self.level = self._after_drop_limit(now)

    def _after_drop_limit(self, now: float) -> float:
        if self.method is DropMethod.HARD_LIMIT:
            return 1.0
        if self.method is DropMethod.AVERAGE:
            return self.level / 2.0
        left = max(self.day_end_s - now, 0.0)
        hhmm = (left // 3600) * 100 + (left % 3600) // 60
        return self.level * min(hhmm / 1000.0, 1.0)


_CONNECTED = frozenset({AgentState.ON_CALL, AgentState.RESERVED})
