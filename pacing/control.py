"""Feedback on the abandon rate, and the guard on the legal abandon budget.

:class:`AbandonFeedback` scales the marginal abandon risk the predictive mode accepts. It is an
integral controller on the abandon surplus: every live answer that was connected adds
``aim * gain`` to the log of the scale, every abandon takes ``(1 - aim) * gain`` from it, where
``aim`` is a share of the campaign's target. At equilibrium the measured rate is the aim; the
model's own bias is corrected within a few abandons.

:class:`BudgetGuard` is the hard guarantee: the expected abandons of the calls in flight plus
those placed now must stay within the abandon budget of the legal window (from the compliance
layer) less a reserve; when the budget no longer covers the calls already in flight and the
reserve, predictive holds back (the predictive mode places calls for ready agents only), and once
the budget is spent, dialing falls back to progressive until the budget has recovered by a margin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["AbandonFeedback", "BudgetGuard"]


@dataclass(slots=True)
class AbandonFeedback:
    aim_share: float = 0.8  # aim at this share of the target
    gain: float = 0.08
    log_scale: float = 0.0
    min_log: float = math.log(0.02)
    max_log: float = math.log(20.0)

    def record(self, abandoned: bool, target: float) -> None:
        aim = self.aim_share * target
        step = -(1.0 - aim) if abandoned else aim
        self.log_scale = min(max(self.log_scale + self.gain * step, self.min_log), self.max_log)

    @property
    def scale(self) -> float:
        return math.exp(self.log_scale)


@dataclass(slots=True)
class BudgetGuard:
    margin: float = 0.5  # abandons kept in reserve beyond what calls in flight may cause
    recover: float = 0.25  # extra budget needed before predictive dialing resumes
    engaged: bool = False
    spent: bool = False  # engaged because the budget was spent: progressive until recovered

    def check(self, budget: float, at_risk: float) -> bool:
        """True while the reserve is held (``at_risk``: expected abandons in flight): dialing
        is then progressive if the budget was spent on the way (``spent``), cautious if not."""
        floor = at_risk + self.margin
        if budget <= 0 or budget <= floor:
            self.engaged = True
            self.spent = self.spent or budget <= 0
        elif self.engaged and budget >= floor + self.recover:
            self.engaged = self.spent = False
        return self.engaged

    def allowance(self, budget: float) -> float:
        """Expected abandons the calls in flight and the new ones may cause, at most."""
        return budget - self.margin
