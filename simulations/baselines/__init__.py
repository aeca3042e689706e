"""Pacing algorithms of other dialers, rebuilt from their published descriptions.

They exist only to be compared with ours in the pacing benchmark; they are not product modes.
Each implements :class:`pacing.api.Pacer` and observes nothing a real dialer could not.
"""

from simulations.baselines.issabel import IssabelPredictor
from simulations.baselines.vicidial import VicidialAdapt

__all__ = ["IssabelPredictor", "VicidialAdapt"]
