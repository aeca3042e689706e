"""Invariants every pacing mode keeps, whatever it observed before."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pacing import MODES, AgentState, Snapshot, make_pacer
from pacing.api import Pacer
from tests.pacing.strategies import snapshots


def _logged_in_unpaused(snapshot: Snapshot) -> int:
    return sum(1 for a in snapshot.agents if a.state is not AgentState.PAUSED)


def _ready(snapshot: Snapshot) -> int:
    return sum(1 for a in snapshot.agents if a.state is AgentState.READY)


@pytest.mark.parametrize("mode", sorted(MODES))
@given(snapshot=snapshots())
@settings(max_examples=150)
def test_never_negative_never_over_the_line_limit(mode: str, snapshot: Snapshot) -> None:
    pacer: Pacer = make_pacer(mode)
    n = pacer.decide(snapshot)
    assert n >= 0
    assert len(snapshot.calls) + n <= max(snapshot.max_lines, len(snapshot.calls))


@pytest.mark.parametrize("mode", sorted(MODES))
@given(snapshot=snapshots())
@settings(max_examples=150)
def test_never_dials_without_an_available_agent(mode: str, snapshot: Snapshot) -> None:
    if _logged_in_unpaused(snapshot) == 0:
        assert make_pacer(mode).decide(snapshot) == 0


@given(snapshot=snapshots())
def test_progressive_never_has_more_calls_in_flight_than_ready_agents(snapshot: Snapshot) -> None:
    n = make_pacer("progressive").decide(snapshot)
    if n > 0:
        assert len(snapshot.calls) + n <= _ready(snapshot)


@given(snapshot=snapshots())
def test_preview_places_at_most_one_call_per_request(snapshot: Snapshot) -> None:
    requests = sum(1 for a in snapshot.agents if a.dial_requested and a.state is AgentState.READY)
    assert make_pacer("preview").decide(snapshot) <= requests


@given(k=st.floats(1.0, 6.0), snapshot=snapshots())
def test_power_keeps_at_most_k_lines_per_ready_agent(k: float, snapshot: Snapshot) -> None:
    n = make_pacer("power", lines_per_agent=k).decide(snapshot)
    if n > 0:
        assert len(snapshot.calls) + n <= k * _ready(snapshot) + 1e-9
