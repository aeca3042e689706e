"""One attempt's fate: what the callee of the k-th call to a number will do.

A fate is a pure function of (world, seed, number, attempt, mix in force): every random quantity
comes from one block of keyed uniforms (:mod:`.keyed`), each quantity from its own slot, by inverse
transform. So the outcome, ring time and talk time of an attempt are the same in every pacing mode;
under a drifting contact rate only the mix in force can differ, and the same uniform is mapped
through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from dialer.carriers.base import AnswerKind, EndReason
from dialer.carriers.simulated.keyed import KeyedUniforms, unit
from dialer.carriers.simulated.mix import Outcome
from dialer.carriers.simulated.world import World

__all__ = ["AfterCall", "Fate", "FateDrawer", "pick_disposition"]


class _Slot(IntEnum):
    """Which uniform of the block feeds which quantity (fixed: changing it changes worlds)."""

    OUTCOME = 0
    POST_DIAL = 1
    RING = 2
    GREETING = 3
    DETECTION = 4
    AMD = 5
    TALK = 6
    PATIENCE = 7
    UNREACHABLE_KIND = 8
    RELEASE = 9
    OPT_OUT = 10
    WRAP_UP = 11
    DISPOSITION = 12


@dataclass(frozen=True, slots=True)
class AfterCall:
    """What a simulated agent does after talking to this callee."""

    wrap_up_s: float
    disposition: str


@dataclass(frozen=True, slots=True)
class Fate:
    """The callee's side of one attempt, in seconds. Fields that do not apply to the outcome are
    0 (e.g. ``ring_s`` of a no answer, ``release_s`` of a live person)."""

    outcome: Outcome
    post_dial_s: float  # origination to ringing (or to the network's verdict)
    ring_s: float = 0.0  # live/machine: ringing to pick-up
    greeting_s: float = 0.0  # pick-up to the end of the greeting
    detection_s: float = 0.0  # pick-up to the answering-machine detection verdict
    amd_kind: AnswerKind = AnswerKind.UNKNOWN  # what detection reports (HUMAN or MACHINE)
    talk_s: float = 0.0  # once bridged: live talk time, or agent time wasted on a machine
    patience_s: float = (
        0.0  # silence a live callee tolerates, or a machine records, before hanging up
    )
    opt_out_u: float = 1.0  # presses the opt-out key if < p, at fraction opt_out_u / p of a message
    release_s: float = 0.0  # unreachable: release after set-up
    unreachable_reason: EndReason = EndReason.FAILED  # unreachable: BUSY or FAILED


class FateDrawer:
    """Draws fates for one world and seed."""

    __slots__ = ("_uniforms", "world")

    def __init__(self, world: World, seed: int) -> None:
        self.world = world
        self._uniforms = KeyedUniforms(seed)

    def draw(self, number: int, attempt: int, elapsed_s: float = 0.0) -> Fate:
        """The fate of the ``attempt``-th call (1-based) to ``number``, ``elapsed_s`` into the
        shift (which picks the outcome mix under a contact-rate schedule)."""
        words = self._uniforms.draw(number, attempt)
        w = self.world
        outcome = w.schedule.mix_at(elapsed_s).pick(unit(words[_Slot.OUTCOME]))
        post_dial_s = w.post_dial_s.quantile(unit(words[_Slot.POST_DIAL]))
        if outcome is Outcome.LIVE or outcome is Outcome.MACHINE:
            return self._answering(outcome, post_dial_s, words)
        if outcome is Outcome.UNREACHABLE:
            busy = unit(words[_Slot.UNREACHABLE_KIND]) < w.unreachable.busy_share
            return Fate(
                outcome,
                post_dial_s,
                release_s=w.unreachable.release_s.quantile(unit(words[_Slot.RELEASE])),
                unreachable_reason=EndReason.BUSY if busy else EndReason.FAILED,
            )
        return Fate(outcome, post_dial_s)

    def after_call(self, number: int, attempt: int) -> AfterCall:
        """What a simulated agent does after talking to the callee of this attempt."""
        words = self._uniforms.draw(number, attempt)
        agents = self.world.agents
        return AfterCall(
            wrap_up_s=agents.wrap_up_s.quantile(unit(words[_Slot.WRAP_UP])),
            disposition=pick_disposition(agents.dispositions, unit(words[_Slot.DISPOSITION])),
        )

    def _answering(self, outcome: Outcome, post_dial_s: float, words: tuple[int, ...]) -> Fate:
        w = self.world
        live = outcome is Outcome.LIVE
        amd_u = unit(words[_Slot.AMD])
        if live:
            ring, wasted = w.live.ring_s, w.live.talk_s
            amd_kind = AnswerKind.MACHINE if amd_u < w.amd.human_as_machine else AnswerKind.HUMAN
        else:
            ring, wasted = w.machine.ring_s, w.machine.bridged_talk_s
            amd_kind = AnswerKind.HUMAN if amd_u < w.amd.machine_as_human else AnswerKind.MACHINE
        patience = w.live.silence_patience_s if live else w.machine.silence_hangup_s
        return Fate(
            outcome,
            post_dial_s,
            ring_s=ring.quantile(unit(words[_Slot.RING])),
            greeting_s=w.live.greeting_s.quantile(unit(words[_Slot.GREETING])),
            detection_s=w.machine.detection_s.quantile(unit(words[_Slot.DETECTION])),
            amd_kind=amd_kind,
            talk_s=wasted.quantile(unit(words[_Slot.TALK])),
            patience_s=patience.quantile(unit(words[_Slot.PATIENCE])),
            opt_out_u=unit(words[_Slot.OPT_OUT]) if live else 1.0,
        )


def pick_disposition(shares: tuple[tuple[str, float], ...], u: float) -> str:
    """The disposition whose cumulative band holds ``u``."""
    total = 0.0
    for name, share in shares:
        total += share
        if u < total:
            return name
    return shares[-1][0]
