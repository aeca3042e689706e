"""Hypothesis strategies for pacing snapshots."""

from __future__ import annotations

from hypothesis import strategies as st

from pacing.api import AgentState, AgentView, CallStage, CallView, Snapshot

__all__ = ["agents", "calls", "snapshots"]

agents = st.builds(
    AgentView,
    state=st.sampled_from(AgentState),
    seconds_in_state=st.floats(0, 3600),
    dial_requested=st.booleans(),
)
calls = st.builds(CallView, stage=st.sampled_from(CallStage), age_s=st.floats(0, 60))


@st.composite
def snapshots(draw: st.DrawFn, max_agents: int = 40, budget: float | None = None) -> Snapshot:
    """Any snapshot a dialer could observe, from an empty team to a busy one."""
    team = tuple(draw(st.lists(agents, max_size=max_agents)))
    max_lines = draw(st.integers(0, 4 * max_agents))
    in_flight = tuple(draw(st.lists(calls, max_size=max_lines)))
    return Snapshot(
        now_s=draw(st.floats(0, 8 * 3600)),
        agents=team,
        calls=in_flight,
        abandon_target=draw(st.sampled_from([0.01, 0.03, 0.05])),
        abandon_budget=budget if budget is not None else draw(st.floats(-5, 500)),
        max_lines=max_lines,
    )
