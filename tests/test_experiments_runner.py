"""The experiment runner: arms to overrides, crash recording, resume, and the Hydra multirun."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from sim.experiments import synthetic
from sim.experiments.arms import ArmSpec, resolve_arm
from sim.experiments.runner import RunSpec, execute_run, read_status, run_spec

ROOT = Path(__file__).resolve().parents[1]


def test_arm_names_resolve_to_levers():
    declared = OmegaConf.create({"all_four": ["land_trust", "reserved_markets", "impact_vat",
                                              "conditional_aid"],
                                 "half": {"policies": ["land_trust"], "dose": 0.5,
                                          "overrides": ["policies.land_trust.intensity=0.5"]}})
    assert resolve_arm("baseline").levers == ()
    assert resolve_arm("land_trust+impact_vat").levers == ("impact_vat", "land_trust")
    assert resolve_arm("all_four", declared).levers_key == (
        "conditional_aid,impact_vat,land_trust,reserved_markets")
    half = resolve_arm("half", declared)
    assert half.dose == 0.5 and half.overrides == ("policies.land_trust.intensity=0.5",)


def test_run_spec_passes_model_overrides_and_drops_experiment_keys():
    cfg = OmegaConf.create({"arm": "all_four", "seed": 3, "experiment": {
        "model_overrides": ["progress=false"], "arms": {"all_four": ["land_trust", "impact_vat"]}}})
    job = ["arm=all_four", "seed=3", "+experiment=compare", "experiment.backend=synthetic",
           "territory=tiny", "horizon_months=12"]
    spec = run_spec(cfg, job)
    assert spec.overrides == ("progress=false", "territory=tiny", "horizon_months=12",
                              "policies=[impact_vat,land_trust]", "seed=3")


class Counting:
    def __init__(self, fail=False):
        self.calls, self.fail = 0, fail

    def __call__(self, overrides):
        self.calls += 1
        if self.fail:
            raise RuntimeError("model blew up")
        return synthetic.run(overrides)


def _spec(seed=0, extra=()):
    return RunSpec(ArmSpec("land_trust", ("land_trust",)), seed,
                   ("policies=[land_trust]", f"seed={seed}", *extra))


def test_crash_is_recorded_not_raised(tmp_path):
    record = execute_run(tmp_path / "r", _spec(), Counting(fail=True), "model")
    assert record["status"] == "failed"
    assert record["error"] == "RuntimeError: model blew up"
    assert "Traceback" in read_status(tmp_path / "r")["traceback"]


def test_resume_skips_complete_runs_only(tmp_path):
    fn = Counting()
    execute_run(tmp_path / "r", _spec(), fn, "synthetic")
    assert fn.calls == 1 and read_status(tmp_path / "r")["status"] == "complete"
    assert (tmp_path / "r" / "timeseries.parquet").exists()
    execute_run(tmp_path / "r", _spec(), fn, "synthetic")
    assert fn.calls == 1  # complete with the same overrides: skipped
    execute_run(tmp_path / "r", _spec(extra=("horizon_months=12",)), fn, "synthetic")
    assert fn.calls == 2  # other overrides: run again
    execute_run(tmp_path / "f", _spec(), Counting(fail=True), "synthetic")
    execute_run(tmp_path / "f", _spec(), fn, "synthetic")
    assert fn.calls == 3 and read_status(tmp_path / "f")["status"] == "complete"


def sweep(sweep_dir, *overrides, timeout=600, exit_code=0):
    """Run `python -m sim.experiments` with the synthetic backend; return its stdout (and its
    stderr, last, when it must exit non-zero)."""
    cmd = [sys.executable, "-m", "sim.experiments", "+experiment=compare",
           "experiment.backend=synthetic", f"hydra.sweep.dir={sweep_dir}", *overrides]
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)
    assert done.returncode == exit_code, done.stderr[-3000:]
    return done.stdout + (done.stderr if exit_code else "")


def statuses(sweep_dir):
    return {str(p.parent.relative_to(sweep_dir)): json.loads(p.read_text())
            for p in (Path(sweep_dir) / "runs").rglob("status.json")}


NO_REPORT = "hydra.callbacks.experiment.report=false"


def test_hydra_sweep_runs_records_and_resumes(tmp_path):
    args = ("hydra/launcher=basic", "arm=baseline,land_trust,not_a_lever", "seed=0,1", NO_REPORT)
    out = sweep(tmp_path, *args, exit_code=1)
    runs = statuses(tmp_path)
    assert sorted(runs) == [f"runs/arm={a}/seed={k}" for a in ("baseline", "land_trust",
                                                          "not_a_lever") for k in (0, 1)]
    assert runs["runs/arm=land_trust/seed=1"]["status"] == "complete"
    assert runs["runs/arm=not_a_lever/seed=0"]["status"] == "failed"
    assert "unknown lever" in runs["runs/arm=not_a_lever/seed=0"]["error"]
    assert "[6/6]" in out
    info = json.loads((tmp_path / "sweep.json").read_text())
    assert info["total"] == 6 and info["command"].startswith("python -m sim.experiments")

    # The failed runs make the sweep exit 1, with one line naming them and the resume command.
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("error: 2 of 6 runs did not complete (arm=not_a_lever seed=0 "
                              "failed: ValueError; arm=not_a_lever seed=1 failed: ValueError)")
    assert summary.endswith(f"hydra.sweep.dir={tmp_path.resolve()}")
    assert "resume (complete runs are skipped): python -m sim.experiments " in summary

    (tmp_path / "runs/arm=baseline/seed=1/status.json").unlink()
    out = sweep(tmp_path, *args, exit_code=1)
    lines = [line for line in out.splitlines() if re.match(r"\[\d+/6\] ", line)]
    ran = [line for line in lines if " skipped " not in line]
    # the deleted run and the two failed ones run again; the three complete ones are skipped
    assert sorted(line.split("] ")[1].split(" ")[0:2] for line in ran) == [
        ["arm=baseline", "seed=1"], ["arm=not_a_lever", "seed=0"], ["arm=not_a_lever", "seed=1"]]
    assert len(lines) == 6


def test_hydra_sweep_ends_with_the_report(tmp_path):
    out = sweep(tmp_path, "hydra/launcher=basic", "arm=baseline,land_trust", "seed=0,1,2")
    last = out.strip().splitlines()[-1]
    assert last == f"Report: {tmp_path}/report/report.fr.html"
    assert (tmp_path / "report" / "report.fr.html").exists()


def _checksums(sweep_dir):
    """Every run's output checksums, by run directory: equal checksums, equal results."""
    return {str(p.parent.relative_to(sweep_dir)): json.loads(p.read_text())["checksums"]
            for p in sorted((Path(sweep_dir) / "runs").rglob("manifest.json"))}


LAUNCHERS = [
    ("joblib", ["hydra.launcher.n_jobs=2"]),
    ("resilient_joblib", ["hydra.launcher.n_jobs=2"]),  # the experiments' default
    ("submitit_local", ["hydra.launcher.timeout_min=10"]),
    ("resilient_submitit_local", ["hydra.launcher.timeout_min=10"]),
    pytest.param("ray", ["+hydra.launcher.ray.init.num_cpus=2"], marks=pytest.mark.slow),
]


@pytest.fixture(scope="module")
def basic_reference(tmp_path_factory):
    path = tmp_path_factory.mktemp("basic")
    sweep(path, "hydra/launcher=basic", "arm=baseline,all_four", "seed=0,1,2", NO_REPORT)
    return _checksums(path)


@pytest.mark.parametrize(("launcher", "options"), LAUNCHERS)
def test_launchers_give_identical_results(tmp_path, basic_reference, launcher, options):
    plugin = {"joblib": "hydra_plugins.hydra_joblib_launcher",
              "resilient_joblib": "hydra_plugins.hydra_joblib_launcher",
              "submitit_local": "hydra_plugins.hydra_submitit_launcher",
              "resilient_submitit_local": "hydra_plugins.hydra_submitit_launcher",
              "ray": "hydra_plugins.hydra_ray_launcher"}[launcher]
    pytest.importorskip(plugin)
    # seeds listed in another order: job order must not matter either
    sweep(tmp_path, f"hydra/launcher={launcher}", *options, "arm=all_four,baseline", "seed=2,0,1",
          NO_REPORT)
    assert all(s["status"] == "complete" for s in statuses(tmp_path).values())
    assert len(basic_reference) == 6
    assert _checksums(tmp_path) == basic_reference


def test_model_backend_equals_a_direct_run(tmp_path):
    """Composing once per arm and setting the seed gives what `sim.api.run` gives."""
    from sim.api import run
    from sim.experiments.runner import BACKENDS

    base = ["territory=tiny", "horizon_months=3", "progress=false", "policies=[land_trust]"]
    for seed in (1, 2):  # the second seed reuses the cached composition
        via_runner = BACKENDS["model"]([*base, f"seed={seed}"])
        direct = run([*base, f"seed={seed}"])
        assert via_runner.timeseries.equals(direct.timeseries)
        assert via_runner.territories.equals(direct.territories)
    assert via_runner.manifest["config"] == direct.manifest["config"]
