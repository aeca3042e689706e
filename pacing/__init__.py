"""Pacing: how many calls to place now. Pure: no I/O, no clock reads, no engine imports."""

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
from pacing.factory import MODES, make_pacer

__all__ = [
    "MODES",
    "AgentState",
    "AgentView",
    "CallStage",
    "CallView",
    "Outcome",
    "OutcomeKind",
    "Pacer",
    "Snapshot",
    "make_pacer",
]
