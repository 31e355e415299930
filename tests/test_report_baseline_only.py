"""A sweep of the baseline alone reports levels; a report that cannot be built fails the sweep.

Both on synthetic runs written by the runner (no Hydra run, no model): milliseconds each.
"""

import re

import pytest
from omegaconf import OmegaConf

from sim.experiments import synthetic
from sim.experiments.arms import policies_override, resolve_arm
from sim.experiments.callbacks import ExperimentCallback
from sim.experiments.report import build_report
from sim.experiments.runner import RunSpec, execute_run


def _baseline_sweep(root, seeds=range(3)):
    arm = resolve_arm("baseline")
    for seed in seeds:
        execute_run(root / "runs" / "baseline" / f"seed={seed}",
                    RunSpec(arm, seed, (policies_override(()), f"seed={seed}")),
                    synthetic.run, "synthetic")
    return root


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_baseline_only_sweep_reports_levels_with_intervals(tmp_path, lang):
    page = build_report(_baseline_sweep(tmp_path), lang).read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", page)
    assert ("Only the baseline was run" if lang == "en" else "Seule la référence") in text
    first_screen = re.sub(r"<[^>]+>", " ", page.split("<h2")[0]).lower()
    assert "effect" not in first_screen and "effet" not in first_screen
    levels = page.split("<table>")[1]  # the first table: the levels
    cells = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td></tr>", levels)
    assert len(cells) >= 10
    assert all(re.fullmatch(r".+ \[.+\]", c) for c in cells), cells  # every level: its interval
    assert not (tmp_path / "report" / "tables" / "cost_effectiveness.csv").exists()


def _sweep_config(sweep_dir):
    return OmegaConf.create({"hydra": {"sweep": {"dir": str(sweep_dir)}}})


def test_a_failing_report_ends_the_sweep_with_status_1_and_one_line(tmp_path, capsys):
    sweep = _baseline_sweep(tmp_path, seeds=range(2))
    (sweep / "runs" / "baseline" / "seed=1" / "timeseries.parquet").write_bytes(b"not parquet")
    with pytest.raises(SystemExit) as stop:
        ExperimentCallback(lang="en").on_multirun_end(_sweep_config(sweep))
    assert stop.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: the report could not be built (") and "\n" not in err
    assert "python -m sim.experiments.report" in err
    assert "Traceback" in (sweep / "report" / "error.log").read_text()


def test_hydra_does_not_swallow_the_report_failure(tmp_path):
    """Hydra turns a callback's exception into a warning; the exit status must get through."""
    from hydra._internal.callbacks import Callbacks

    sweep = _baseline_sweep(tmp_path, seeds=range(1))
    (sweep / "runs" / "baseline" / "seed=0" / "timeseries.parquet").write_bytes(b"")
    config = OmegaConf.create({"hydra": {"sweep": {"dir": str(sweep)}, "callbacks": {
        "experiment": {"_target_": "sim.experiments.callbacks.ExperimentCallback",
                       "lang": "fr"}}}})
    with pytest.raises(SystemExit) as stop:
        Callbacks(config).on_multirun_end(config=config)
    assert stop.value.code == 1


def test_report_tables_have_no_null_typed_columns(tmp_path):
    """A sweep without sensitivity samples or doses: those columns are all missing, yet typed."""
    import pyarrow.parquet as pq

    sweep = _baseline_sweep(tmp_path, seeds=range(2))
    build_report(sweep, "en")
    for path in sorted((sweep / "report" / "tables").glob("*.parquet")):
        schema = pq.read_schema(path)
        untyped = [f.name for f in schema if str(f.type) == "null"]
        assert not untyped, (path.name, untyped)
    runs = pq.read_schema(sweep / "report" / "tables" / "runs.parquet")
    assert str(runs.field("sample").type) == "int64" and str(runs.field("error").type) in (
        "string", "large_string")
