"""The mode factory."""

from __future__ import annotations

import pytest

from dialer.errors import InputError
from pacing import make_pacer
from pacing.api import AgentState, AgentView, Snapshot


def _snapshot(ready: int, calls: int = 0, max_lines: int = 100) -> Snapshot:
    return Snapshot(
        now_s=0.0,
        agents=tuple(AgentView(AgentState.READY, 1.0) for _ in range(ready)),
        calls=(),
        abandon_target=0.03,
        abandon_budget=10.0,
        max_lines=max_lines,
    )


def test_progressive_dials_one_per_ready_agent() -> None:
    assert make_pacer("progressive").decide(_snapshot(ready=7)) == 7


def test_power_dials_k_per_ready_agent_within_the_line_limit() -> None:
    assert make_pacer("power", lines_per_agent=2.5).decide(_snapshot(ready=4)) == 10
    assert make_pacer("power", lines_per_agent=3).decide(_snapshot(ready=4, max_lines=5)) == 5


def test_unknown_mode_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown dial mode 'turbo'"):
        make_pacer("turbo")


def test_unknown_setting_is_an_input_error() -> None:
    with pytest.raises(InputError, match="bad settings"):
        make_pacer("progressive", lines_per_agent=2)
