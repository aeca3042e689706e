"""The pacing benchmark's grid, modes, table and plot (the runs themselves: the golden test)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pacing.power import PowerPacer
from pacing.predictive import PredictivePacer
from simulations import pacing_benchmark as benchmark
from simulations.baselines import IssabelPredictor, VicidialAdapt
from simulations.baselines.vicidial import DropMethod
from simulations.pacing_benchmark import Cell, Runner, Task, grid, main, make_mode, run_ratio
from simulations.pacing_metrics import RunMetrics
from simulations.pacing_ratio import ratio_grid, search_ratio
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
    over = render_table([r for r in RUNS if r.mode != "power:2"], {"20/high": 0.03})
    assert "fixed ratio k=3 (none kept the cap)" in over
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


def test_ratio_grid_covers_the_range() -> None:
    assert ratio_grid(1.5, 3.0, 0.5) == [1.5, 2.0, 2.5, 3.0]
    assert ratio_grid(1.5, 3.2, 0.5) == [1.5, 2.0, 2.5, 3.0, 3.2]
    assert ratio_grid(2.0, 2.0, 0.25) == [2.0]
    with pytest.raises(ValueError, match="bad ratio range"):
        ratio_grid(3.0, 2.0, 0.5)


def _searched(limit: float, low: float = 1.5, high: float = 6.0) -> list[float]:
    """The ratios bisection tries when every k up to ``limit`` keeps a 3% cap (2 seeds)."""
    tried: list[float] = []

    def evaluate(k: float) -> list[RunMetrics]:
        tried.append(k)
        rate = 0.02 if k <= limit else 0.05
        return [_run(f"power:{k:g}", s, 40.0 + k, rate) for s in (1, 2)]

    runs = search_ratio(evaluate, 0.03, low, high, 0.25)
    assert len(runs) == 2 * len(tried)
    return tried


def test_bisection_finds_the_largest_ratio_under_the_cap_with_few_tries() -> None:
    tried = _searched(4.3)
    assert tried[:2] == [6.0, 1.5]
    assert max(k for k in tried if k <= 4.3) == 4.25
    assert min(k for k in tried if k > 4.3) == 4.5
    assert len(tried) <= 2 + 5  # against 19 ratios on the grid
    assert _searched(9.0) == [6.0]  # the highest keeps the cap: nothing else to try
    assert _searched(1.0) == [6.0, 1.5]  # even the lowest breaks it


def test_a_ratio_stops_at_its_first_run_over_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_run(task: Task) -> RunMetrics:
        return _run(task.mode, task.seed, 45.0, 0.05 if task.seed == 2 else 0.01, task.cell.name)

    monkeypatch.setattr(benchmark, "run_one", fake_run)
    with Runner(jobs=1) as runner:
        runs = run_ratio(runner, Cell(20, "high"), [1, 2, 3, 4], 1.0, 3.0)
        assert [r.seed for r in runs] == [1, 2]
        assert [r.mode for r in runner.runs] == ["power:3", "power:3"]
