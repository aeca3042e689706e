"""The terminal dashboard counts agents by state, preview included."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from rich.console import Console

from dialer.agents.state import AgentState
from dialer.engine.dashboard import dashboard


def _run(states: list[AgentState]) -> Any:
    return SimpleNamespace(
        config=SimpleNamespace(name="Previews"),
        agents={f"a{i}": SimpleNamespace(state=s) for i, s in enumerate(states)},
        in_flight={},
        counters=SimpleNamespace(attempts=7, abandoned=0, live_answers=0, bridged=0),
    )


def test_agents_reading_a_preview_lead_have_their_own_column() -> None:
    states = [AgentState.PREVIEW] * 3 + [AgentState.READY, AgentState.ON_CALL]
    console = Console(width=200, record=True)
    console.print(dashboard([_run(states)], 60.0, "12:00"))
    header, row = (
        [c.strip() for c in re.split("[│┃]", line)[1:-1]]
        for line in console.export_text().splitlines()
        if "│" in line or "┃" in line
    )
    cells = dict(zip(header, row, strict=True))
    assert (cells["ready"], cells["preview"], cells["on call"]) == ("1", "3", "1")
