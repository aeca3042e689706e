"""The Issabel (Elastix) CallCenter predictor, as documented and as in its source.

calls = free agents + agents likely to finish soon - answered calls waiting for an agent, less the
calls still being set up; a talking agent counts as finishing soon if
``1 - exp(-(elapsed talk + mean answer time) / mean call time) >= 0.97`` (only after 10 completed
calls). Then ``calls = round(calls / max(ASR, 0.20))``, ASR = answered / attempts over the last
30 minutes (when there were at least 10).
"""

from __future__ import annotations

import math
from collections import deque

from pacing._limits import clamp
from pacing.api import AgentState, CallStage, Outcome, OutcomeKind, Snapshot
from pacing.stats import LIVE_KINDS

__all__ = ["IssabelPredictor"]

_ANSWERED = LIVE_KINDS | {OutcomeKind.MACHINE}


class IssabelPredictor:
    def __init__(
        self,
        quality: float = 0.97,
        min_calls: int = 10,
        asr_window_s: float = 1800.0,
        asr_floor: float = 0.20,
    ) -> None:
        self.quality = quality
        self.min_calls = min_calls
        self.asr_window_s = asr_window_s
        self.asr_floor = asr_floor
        self._talks = 0
        self._talk_total = 0.0
        self._answers = 0
        self._answer_total = 0.0
        self._attempts: deque[tuple[float, bool]] = deque()  # at, answered

    def observe(self, outcome: Outcome) -> None:
        if outcome.talk_s is not None:
            self._talks += 1
            self._talk_total += outcome.talk_s
        if outcome.kind is None or outcome.kind is OutcomeKind.CANCELED:
            return
        self._attempts.append((outcome.at_s, outcome.kind in _ANSWERED))
        if outcome.kind is OutcomeKind.LIVE:
            self._answers += 1
            self._answer_total += outcome.setup_s

    def decide(self, snapshot: Snapshot) -> int:
        free = sum(1 for a in snapshot.agents if a.state is AgentState.READY)
        waiting = sum(1 for c in snapshot.calls if c.stage is CallStage.WAITING_AGENT)
        setting_up = len(snapshot.calls) - waiting
        calls = max(free + self._finishing_soon(snapshot) - waiting, 0)
        calls = calls - setting_up if calls > setting_up else 0
        asr = self._asr(snapshot.now_s)
        if calls > 0 and asr is not None:
            calls = round(calls / max(asr, self.asr_floor))
        return clamp(calls, snapshot)

    def _finishing_soon(self, snapshot: Snapshot) -> int:
        if self._talks < self.min_calls:
            return 0
        mean_call = self._talk_total / self._talks
        mean_answer = self._answer_total / self._answers if self._answers else 0.0
        return sum(
            1
            for a in snapshot.agents
            if a.state is AgentState.ON_CALL
            and 1.0 - math.exp(-(a.seconds_in_state + mean_answer) / mean_call) >= self.quality
        )

    def _asr(self, now: float) -> float | None:
        while self._attempts and self._attempts[0][0] < now - self.asr_window_s:
            self._attempts.popleft()
        total = len(self._attempts)
        answered = sum(1 for _, ok in self._attempts if ok)
        if total < self.min_calls or answered == 0:
            return None
        return answered / total
