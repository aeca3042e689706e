"""A pure test world for pacing: agents, lines and callees on an event heap, in virtual seconds.

Not the engine (the benchmark runs the real one): a small queueing model of the benchmark world
(the simulated carrier's ``world.yaml``), so pacing tests and tuning can drive a pacer through a
whole shift in a second. Every tick the pacer sees what a real dialer sees (agent states and
times in state, calls in flight and their stage and age, the abandon budget) and is told every
finished attempt, talk and wrap-up. The k-th call placed meets the same callee under every pacer.
A live person is answered after the greeting and abandoned unless an agent takes the call within
``patience_s``.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from dialer.carriers.simulated import load_world
from dialer.carriers.simulated.mix import Outcome as Fate
from dialer.carriers.simulated.world import World
from pacing.api import (
    AgentState,
    AgentView,
    CallStage,
    CallView,
    Outcome,
    OutcomeKind,
    Pacer,
    Snapshot,
)

__all__ = ["ShiftResult", "run_shift"]


@dataclass(slots=True)
class ShiftResult:
    agents: int
    hours: float
    talk_s: float = 0.0
    wrap_s: float = 0.0
    dials: int = 0
    live: int = 0
    abandoned: int = 0
    peak_lines: int = 0
    abandons_at: list[float] = field(default_factory=list)
    lives_at: list[float] = field(default_factory=list)

    @property
    def talk_per_agent_hour(self) -> float:
        return self.talk_s / 60.0 / (self.agents * self.hours)

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.live if self.live else 0.0

    def worst_window(self, window_s: float) -> float:
        """Highest abandon rate over any window of ``window_s`` (ending at a live answer)."""
        lives = np.array(self.lives_at)
        drops = np.array(self.abandons_at)
        worst = 0.0
        for end in lives[lives >= window_s] if len(lives) else ():
            n = np.count_nonzero((lives > end - window_s) & (lives <= end))
            d = np.count_nonzero((drops > end - window_s) & (drops <= end))
            worst = max(worst, d / n if n else 0.0)
        return worst


@dataclass(slots=True)
class _Agent:
    state: AgentState = AgentState.READY
    since: float = 0.0


@dataclass(slots=True)
class _Call:
    placed: float
    stage: CallStage = CallStage.DIALING
    agent: int | None = None


class _Shift:
    def __init__(
        self, pacer: Pacer, world: World, agents: int, hours: float, seed: int, target: float
    ) -> None:
        self.pacer, self.world, self.target = pacer, world, target
        self.end = hours * 3600.0
        self.agents = [_Agent() for _ in range(agents)]
        self.calls: dict[int, _Call] = {}
        self.waiting: deque[int] = deque()
        self.heap: list[tuple[float, int, Callable[[], None]]] = []
        self.seq = itertools.count()
        self.draws = np.random.default_rng(seed).random((400_000, 6))
        self.placed = 0
        self.now = 0.0
        self.result = ShiftResult(agents, hours)

    def at(self, when: float, action: Callable[[], None]) -> None:
        heapq.heappush(self.heap, (when, next(self.seq), action))

    def run(self, tick_s: float, max_lines: int) -> ShiftResult:
        for i in range(int(self.end / tick_s)):
            self.at(i * tick_s, lambda: self.tick(max_lines))
        while self.heap:
            self.now, _, action = heapq.heappop(self.heap)
            action()
        return self.result

    def snapshot(self, max_lines: int) -> Snapshot:
        now = self.now
        agents = tuple(AgentView(a.state, now - a.since) for a in self.agents)
        calls = tuple(CallView(c.stage, now - c.placed) for c in self.calls.values())
        budget = self.target * self.result.live - self.result.abandoned
        return Snapshot(now, agents, calls, self.target, budget, max_lines)

    def tick(self, max_lines: int) -> None:
        n = self.pacer.decide(self.snapshot(max_lines))
        for _ in range(n):
            self.place()
        self.result.peak_lines = max(self.result.peak_lines, len(self.calls))

    def place(self) -> None:
        k, self.placed = self.placed, self.placed + 1
        u = self.draws[k]
        w = self.world
        call = self.calls[k] = _Call(self.now)
        self.result.dials += 1
        pdd = w.post_dial_s.quantile(u[1])
        self.at(self.now + pdd, lambda: setattr(call, "stage", CallStage.RINGING))
        fate = w.schedule.mix_at(self.now).pick(u[0])
        if fate is Fate.LIVE:
            ring = w.live.ring_s.quantile(u[2]) + w.live.greeting_s.quantile(0.5)
            self.at(self.now + pdd + ring, lambda: self.answered(k))
        elif fate is Fate.MACHINE:
            ring = w.machine.ring_s.quantile(u[2]) + w.machine.detection_s.quantile(0.5)
            self.at(self.now + pdd + ring, lambda: self.ended(k, OutcomeKind.MACHINE))
        elif fate is Fate.NO_ANSWER:
            self.at(self.now + pdd + 25.0, lambda: self.ended(k, OutcomeKind.NO_ANSWER))
        else:
            release = w.unreachable.release_s.quantile(u[2])
            self.at(self.now + release, lambda: self.ended(k, OutcomeKind.BUSY))

    def ended(self, k: int, kind: OutcomeKind) -> None:
        call = self.calls.pop(k)
        self.pacer.observe(Outcome(kind, setup_s=self.now - call.placed, at_s=self.now))

    def answered(self, k: int) -> None:
        self.calls[k].stage = CallStage.WAITING_AGENT
        self.waiting.append(k)
        self.route()
        if k in self.calls:
            self.at(self.now + 2.0, lambda: self.abandon(k))

    def abandon(self, k: int) -> None:
        call = self.calls.get(k)
        if call is None or call.agent is not None:
            return
        self.waiting.remove(k)
        self.ended(k, OutcomeKind.ABANDONED)
        self.result.abandoned += 1
        self.result.live += 1
        self.result.abandons_at.append(self.now)
        self.result.lives_at.append(self.now)

    def route(self) -> None:
        """Waiting live people go, oldest first, to the longest-idle ready agents."""
        while self.waiting:
            ready = [i for i, a in enumerate(self.agents) if a.state is AgentState.READY]
            if not ready:
                return
            agent = min(ready, key=lambda i: self.agents[i].since)
            self.connect(self.waiting.popleft(), agent)

    def connect(self, k: int, agent: int) -> None:
        call = self.calls.pop(k)
        self.result.live += 1
        self.result.lives_at.append(self.now)
        self.pacer.observe(Outcome(OutcomeKind.LIVE, setup_s=self.now - call.placed, at_s=self.now))
        self.agents[agent] = _Agent(AgentState.ON_CALL, self.now)
        u = self.draws[k]
        talk = self.world.live.talk_s.quantile(u[3])
        wrap = self.world.agents.wrap_up_s.quantile(u[4])
        self.result.talk_s += max(0.0, min(talk, self.end - self.now))
        self.result.wrap_s += max(0.0, min(wrap, self.end - self.now - talk))
        self.at(self.now + talk, lambda: self.talked(agent, talk, wrap))

    def talked(self, agent: int, talk: float, wrap: float) -> None:
        self.agents[agent] = _Agent(AgentState.WRAP_UP, self.now)
        self.pacer.observe(Outcome(talk_s=talk, at_s=self.now))
        self.at(self.now + wrap, lambda: self.wrapped(agent, wrap))

    def wrapped(self, agent: int, wrap: float) -> None:
        self.agents[agent] = _Agent(AgentState.READY, self.now)
        self.pacer.observe(Outcome(wrap_s=wrap, at_s=self.now))
        self.route()


def run_shift(
    pacer: Pacer,
    agents: int,
    contact: str = "high",
    variants: tuple[str, ...] = (),
    hours: float = 8.0,
    seed: int = 0,
    target: float = 0.03,
    tick_s: float = 1.0,
    lines_per_agent: int = 10,
) -> ShiftResult:
    """One shift of ``agents`` agents paced by ``pacer`` in the test world."""
    world = load_world(contact, variants=variants)
    shift = _Shift(pacer, world, agents, hours, seed, target)
    return shift.run(tick_s, lines_per_agent * agents)
