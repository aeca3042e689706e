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

__all__ = [
    "AgentState",
    "AgentView",
    "CallStage",
    "CallView",
    "Outcome",
    "OutcomeKind",
    "Pacer",
    "Snapshot",
]
