"""The pacing benchmark's grid, modes, table and plot (the runs themselves: the golden test)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pacing.power import PowerPacer
from pacing.predictive import PredictivePacer
from simulations.baselines import IssabelPredictor, VicidialAdapt
from simulations.baselines.vicidial import DropMethod
from simulations.pacing_benchmark import Cell, grid, main, make_mode
from simulations.pacing_metrics import RunMetrics
from simulations.pacing_report import ceiling, render_table, save_plot, shown_modes


def _run(mode: str, seed: int, talk: float, abandon: float, cell: str = "20/high") -> RunMetrics:
    return RunMetrics(
        mode, cell, seed, talk, 0.9, abandon, abandon, abandon, 5.0, 4.0, 9.0, 80.0, 18.0, 2.0, 1.0
    )


RUNS = [
    *(_run("progressive", s, 40.0 + s, 0.0) for s in (1, 2)),
    *(_run("power:2", s, 45.0, 0.01) for s in (1, 2)),
    *(_run("power:3", s, 48.0, 0.02 + 0.015 * s) for s in (1, 2)),  # one run over the cap
    *(_run("predictive", s, 47.0 + s, 0.02) for s in (1, 2)),
]


def test_cells_parse_and_name_themselves() -> None:
    cell = Cell.parse("100/high+drift")
    assert (cell.agents, cell.contact, cell.variants, cell.name) == (
        100,
        "high",
        ("drift",),
        "100/high+drift",
    )
    assert cell.cap == 0.03
    assert Cell.parse("5/low+abandon_cap").cap == pytest.approx(0.01)
    for bad in ("high/100", "100/medium", "x"):
        with pytest.raises(ValueError, match="bad cell"):
            Cell.parse(bad)


def test_modes_build_the_right_pacers() -> None:
    assert isinstance(make_mode("predictive", 8), PredictivePacer)
    power = make_mode("power:2.5", 8)
    assert isinstance(power, PowerPacer)
    assert power.lines_per_agent == 2.5
    tapered = make_mode("vicidial:TAPERED", 2)
    assert isinstance(tapered, VicidialAdapt)
    assert (tapered.method, tapered.day_end_s) == (DropMethod.TAPERED, 7200.0)
    assert isinstance(make_mode("issabel", 8), IssabelPredictor)


def test_grid_gives_every_mode_the_same_seeds() -> None:
    tasks = grid([Cell(5, "high"), Cell(20, "low")], ["progressive", "predictive"], [1, 2], 0.5)
    assert len(tasks) == 8
    for cell in ("5/high", "20/low"):
        seeds = {
            m: {t.seed for t in tasks if t.cell.name == cell and t.mode == m}
            for m in ["progressive", "predictive"]
        }
        assert seeds["progressive"] == seeds["predictive"] == {1, 2}


def test_the_best_fixed_ratio_is_chosen_in_hindsight_among_those_under_the_cap() -> None:
    modes = {m: [r for r in RUNS if r.mode == m] for m in {r.mode for r in RUNS}}
    assert shown_modes(modes, 0.03) == ["progressive", "power:2", "predictive"]
    assert shown_modes(modes, 0.06) == ["progressive", "power:3", "predictive"]


def test_table_reports_means_spread_gain_and_runs_over_the_cap() -> None:
    table = render_table(RUNS, {"20/high": 0.03})
    rows = {line.split(" | ")[0].strip("| "): line for line in table.splitlines() if "|" in line}
    assert "**20/high** (cap 3%, 2 seeds)" in table
    assert rows["predictive"].split(" | ")[1:3] == ["48.5 ± 0.5", "+7.0"]
    headroom = (48.5 - 41.5) / (ceiling() - 41.5)
    assert f"{headroom:.0%}" in rows["predictive"]
    assert "0/2" in rows["fixed ratio k=2"]
    assert ceiling() == pytest.approx(60 * 180 / 195, abs=0.1)


def test_plot_and_reload(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "runs.json"
    saved.write_text(json.dumps([r.as_dict() for r in RUNS]))
    plot = tmp_path / "pacing.png"
    assert main(["--load", str(saved), "--cells", "20/high", "--plot", str(plot)]) == 0
    assert plot.read_bytes()[:4] == b"\x89PNG"
    assert "fixed ratio k=2" in capsys.readouterr().out
    save_plot(RUNS[:2], {}, tmp_path / "one.png")
    assert (tmp_path / "one.png").exists()


def test_bad_cell_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--cells", "100/medium", "--load", "nothing.json"]) == 2
    assert (
        capsys.readouterr().err.strip()
        == "error: bad cell '100/medium' (expected e.g. 100/high or 100/high+drift)"
    )
