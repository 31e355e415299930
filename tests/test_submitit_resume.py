"""A resumed submitit sweep (Slurm's launcher, here its local twin: the same code path) submits
only the jobs not already complete, where Hydra's submitit launcher resubmits every array task."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _sweep(sweep_dir):
    cmd = [sys.executable, "-m", "sim.experiments", "experiment.backend=synthetic",
           "hydra/launcher=resilient_submitit_local", "hydra.launcher.timeout_min=10",
           "arm=baseline,land_trust", "seed=0,1", "hydra.callbacks.experiment.report=false",
           f"hydra.sweep.dir={sweep_dir}"]
    done = subprocess.run(cmd, cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _submitted(sweep_dir) -> set[str]:
    """The submitit jobs of the sweep: a folder each under .submitit/ (`%j` holds the batch)."""
    return {p.name for p in (sweep_dir / ".submitit").iterdir() if p.is_dir() and p.name != "%j"}


def test_resume_submits_only_the_runs_not_complete(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher", reason="the cluster extra")
    _sweep(tmp_path)
    first = _submitted(tmp_path)
    assert len(first) == 4
    lost = tmp_path / "runs" / "arm=land_trust" / "seed=1" / "status.json"
    lost.unlink()  # as if its job had been lost before it could write
    out = _sweep(tmp_path)
    again = _submitted(tmp_path) - first
    assert len(again) == 1, again  # only the run without a complete status
    assert json.loads(lost.read_text())["status"] == "complete"
    skipped = [line for line in out.splitlines() if " skipped " in line]
    assert len(skipped) == 3, out
