"""Preview: the agent reads the lead, then dials or skips. A call is placed only on request.

The engine shows each ready agent its next lead; when the agent presses "dial" it sets
``AgentView.dial_requested`` and the call it then places is bound to that agent. The pacer's part
is to answer one call per request, never more, so preview never abandons.
"""

from __future__ import annotations

from pacing._limits import clamp
from pacing.api import AgentState, Outcome, Snapshot

__all__ = ["PreviewPacer"]


class PreviewPacer:
    """One call per agent who asked to dial the lead on screen."""

    mode = "preview"

    def observe(self, outcome: Outcome) -> None:
        """Preview keeps no statistics."""

    def decide(self, snapshot: Snapshot) -> int:
        requests = sum(
            1 for a in snapshot.agents if a.dial_requested and a.state is AgentState.READY
        )
        return clamp(requests, snapshot)
