"""Outcome mixes: what share of attempts reach a live person, a machine, no one, or fail.

A :class:`ContactSchedule` changes the mix over the shift (benchmark variant (a), drifting contact
rate). Picking an outcome is a pure map from a uniform draw, so one attempt's draw lands on the
same outcome under any pacing mode whenever the mix in force is the same.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dialer.errors import ConfigError

__all__ = ["ContactSchedule", "Outcome", "OutcomeMix"]

_TOLERANCE = 1e-9


class Outcome(StrEnum):
    """What the world does with one attempt (the truth; the dialer learns it from events)."""

    LIVE = "live"
    MACHINE = "machine"
    NO_ANSWER = "no_answer"
    UNREACHABLE = "unreachable"  # busy, SIT tone or invalid number


@dataclass(frozen=True, slots=True)
class OutcomeMix:
    live: float
    machine: float
    no_answer: float
    unreachable: float

    def __post_init__(self) -> None:
        shares = (self.live, self.machine, self.no_answer, self.unreachable)
        if min(shares) < 0 or abs(sum(shares) - 1) > 1e-6:
            raise ConfigError(f"world: outcome shares must be >= 0 and sum to 1, got {shares}")

    @classmethod
    def parse(cls, raw: Any, name: str) -> OutcomeMix:
        if not isinstance(raw, Mapping) or set(raw) != {o.value for o in Outcome}:
            keys = ", ".join(o.value for o in Outcome)
            raise ConfigError(f"world: {name}: give exactly the shares {keys}")
        return cls(**{key: float(value) for key, value in raw.items()})

    def pick(self, u: float) -> Outcome:
        """The outcome whose cumulative band holds ``u`` (in live, machine, no answer order)."""
        if u < self.live:
            return Outcome.LIVE
        if u < self.live + self.machine:
            return Outcome.MACHINE
        if u < self.live + self.machine + self.no_answer:
            return Outcome.NO_ANSWER
        return Outcome.UNREACHABLE

    def with_live(self, live: float) -> OutcomeMix:
        """This mix with the live share set to ``live``, the others scaled to fill the rest."""
        if not 0 <= live <= 1:
            raise ConfigError(f"world: a live share must be within [0, 1], got {live}")
        rest = 1 - self.live
        if rest <= _TOLERANCE:
            raise ConfigError("world: cannot rescale a mix that is all live")
        scale = (1 - live) / rest
        return OutcomeMix(
            live, self.machine * scale, self.no_answer * scale, self.unreachable * scale
        )


@dataclass(frozen=True, slots=True)
class ContactSchedule:
    """Piecewise-constant mix over virtual seconds since the shift start."""

    starts_s: tuple[float, ...]
    mixes: tuple[OutcomeMix, ...]

    @classmethod
    def constant(cls, mix: OutcomeMix) -> ContactSchedule:
        return cls((0.0,), (mix,))

    @classmethod
    def parse(cls, raw: Any, base: OutcomeMix) -> ContactSchedule:
        """Read ``[{after_s: t, live: p}, ...]``; an empty list is the base mix all shift."""
        if not raw:
            return cls.constant(base)
        if not isinstance(raw, Sequence):
            raise ConfigError("world: contact_schedule must be a list of {after_s, live}")
        try:
            steps = sorted((float(step["after_s"]), float(step["live"])) for step in raw)
        except (TypeError, KeyError, ValueError) as exc:
            raise ConfigError(f"world: contact_schedule: malformed step ({exc})") from exc
        if steps[0][0] != 0:
            raise ConfigError("world: contact_schedule must start at after_s: 0")
        return cls(tuple(t for t, _ in steps), tuple(base.with_live(p) for _, p in steps))

    def mix_at(self, elapsed_s: float) -> OutcomeMix:
        """The mix in force ``elapsed_s`` after the shift start (the first one before it)."""
        index = bisect.bisect_right(self.starts_s, elapsed_s) - 1
        return self.mixes[max(index, 0)]
