"""The design on the project's launchers: each batch is one sweep of `python -m sim.experiments`
(here the resilient joblib launcher), measures read back from the sweep folder equal those of
the same runs in process, and a design resumed after a kill re-uses the finished runs."""

import json
import shutil

import pytest

from sim.design import evaluate
from sim.design.__main__ import run_design
from sim.design.batch import SWEEPS
from sim.design.config import DesignError, load

TINY = ["model_overrides=[territory=tiny,horizon_months=3]", "space.levers=[reserved_markets]",
        "space.intensity=[0,1]", "space.start_months=[0]", "space.targets=[all,rural]",
        "search.population=2", "search.generations=1", "seeds=[0]", "robustness.candidates=1",
        "robustness.scenarios=[central]", "robustness.parameter_samples=0",
        "robustness.seeds=[0]", "budget_eur_per_year=1e9", "launcher=resilient_joblib",
        "launcher_overrides=[hydra.launcher.n_jobs=2]"]


def _complete_runs(folder) -> dict[str, float]:
    """Every complete run of the design's sweeps: its folder and when its status was written."""
    return {str(p.parent.relative_to(folder)): p.stat().st_mtime_ns
            for p in (folder / SWEEPS).glob("*/runs/*/*/status.json")
            if json.loads(p.read_text())["status"] == "complete"}


def test_a_design_runs_its_batches_as_sweeps_and_resumes_from_the_sweep_folders(tmp_path):
    folder = run_design(load([*TINY, f"out={tmp_path / 'd'}"]), log=lambda _: None)
    rows = [json.loads(line) for line in (folder / "evaluations.jsonl").read_text().splitlines()]
    assert len(rows) >= 2  # the baseline and at least one package, all through one sweep
    assert len(list((folder / SWEEPS).iterdir())) == 1
    runs = _complete_runs(folder)
    assert len(runs) == len(rows)
    for row in rows:  # the same numbers as the same run in process
        assert {k: v for k, v in row.items() if k != "key"} == evaluate._measure(
            row["key"].split(" "))
    tables = {p.name: p.read_bytes() for p in (folder / "tables").iterdir()}

    # killed after the sweep ended, before the design recorded anything: nothing runs again
    for name in ("evaluations.jsonl", "study.journal"):
        (folder / name).unlink()
    run_design(load([*TINY, f"out={tmp_path / 'd'}"]), log=lambda _: None)
    assert _complete_runs(folder) == runs
    assert {p.name: p.read_bytes() for p in (folder / "tables").iterdir()} == tables

    # one run lost: only that one runs again, in a sweep of its own
    lost = sorted(runs)[0]
    shutil.rmtree(folder / lost)
    for name in ("evaluations.jsonl", "study.journal"):
        (folder / name).unlink()
    run_design(load([*TINY, f"out={tmp_path / 'd'}"]), log=lambda _: None)
    again = _complete_runs(folder)
    assert len(again) == len(runs) and {k: v for k, v in again.items() if k in runs} == {
        k: v for k, v in runs.items() if k != lost}
    assert {p.name: p.read_bytes() for p in (folder / "tables").iterdir()} == tables


@pytest.mark.parametrize("setting, field", [
    ("launcher=kubernetes", "launcher"),
    ("launcher_overrides=[seed=3]", "launcher_overrides"),
])
def test_an_unknown_launcher_or_setting_is_refused_in_one_line(tmp_path, setting, field):
    with pytest.raises(DesignError, match=f"^{field}"):
        load([*TINY, setting, f"out={tmp_path / 'd'}"])


def test_a_setting_the_sweep_refuses_ends_the_design_in_one_line(tmp_path, capsys):
    from sim.design.__main__ import main

    assert main([*TINY, "launcher_overrides=[hydra.launcher.nonsense=1]",
                 f"out={tmp_path / 'd'}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: launcher=resilient_joblib: ")
    assert "hydra.launcher.nonsense" in err
