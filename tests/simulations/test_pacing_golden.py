"""Golden scenario: one short seeded shift of the real engine, progressive and predictive.

The figures must stay within the checked-in tolerance of ``pacing_golden.json``: a change that
degrades pacing (or the engine or world under it) fails here and shows in review. A change that
improves them fails too, on purpose: update the file with the new figures in the same commit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulations.pacing_benchmark import Cell, Task, run_one

GOLDEN = json.loads((Path(__file__).parent / "pacing_golden.json").read_text())
SCENARIO = GOLDEN["scenario"]


@pytest.mark.parametrize("mode", sorted(GOLDEN["expected"]))
def test_golden_shift_figures_hold(mode: str) -> None:
    cell = Cell(SCENARIO["agents"], SCENARIO["contact"])
    run = run_one(Task(mode, cell, SCENARIO["seed"], SCENARIO["hours"]))
    assert run.abandon_rate <= SCENARIO["cap"]
    for metric, expected in GOLDEN["expected"][mode].items():
        got = getattr(run, metric)
        tolerance = GOLDEN["tolerance"][metric]
        assert got == pytest.approx(expected, abs=tolerance), f"{mode} {metric}: {got:.4f}"


def test_golden_predictive_gain_over_progressive() -> None:
    expected = GOLDEN["expected"]
    gain = (
        expected["predictive"]["talk_per_agent_hour"]
        - expected["progressive"]["talk_per_agent_hour"]
    )
    assert gain >= 5.0  # the checked-in figures themselves must show a real gain
