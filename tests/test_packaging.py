"""The package as users install it: a wheel, run from another directory, finds its Hydra configs
and its territory data, and gives the same bytes as the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["territory=tiny", "horizon_months=6", "seed=5", "progress=false"]


def _run(cwd: Path, out: Path, env: dict) -> None:
    subprocess.run([sys.executable, "-m", "sim", *ARGS, f"hydra.run.dir={out}"], cwd=cwd,
                   env=env, check=True, capture_output=True, timeout=300)


def test_installed_wheel_runs_from_another_directory(tmp_path):
    wheels, site, elsewhere = tmp_path / "wheels", tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                    "-q", "-w", str(wheels), str(ROOT)], check=True, capture_output=True,
                   timeout=300)
    wheel = next(wheels.glob("*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(site), str(wheel)], check=True, capture_output=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run(
        [sys.executable, "-c", "import sim, sim.config as c; print(sim.__file__); "
         "print(c.config_dir()); from hydra_plugins.ess_sim import resilient_joblib_launcher "
         "as p; print(p.__file__)"], cwd=elsewhere, env=env, check=True, capture_output=True,
        text=True, timeout=120).stdout.split()
    assert all(line.startswith(str(site)) for line in where), where  # the wheel, not the checkout
    _run(elsewhere, elsewhere / "from_wheel", env)
    _run(ROOT, tmp_path / "from_checkout", dict(os.environ))
    for name in ("timeseries.parquet", "territories.parquet", "events.parquet"):
        assert (elsewhere / "from_wheel" / name).read_bytes() == (
            tmp_path / "from_checkout" / name).read_bytes(), name
    # An experiment sweep, on the experiments' default launcher (a plugin the wheel ships).
    subprocess.run([sys.executable, "-m", "sim.experiments", "experiment.backend=synthetic",
                    "arm=baseline,land_trust", "seed=0", "hydra.launcher.n_jobs=2",
                    f"hydra.sweep.dir={elsewhere / 'sweep'}"], cwd=elsewhere, env=env,
                   check=True, capture_output=True, timeout=300)
    statuses = [json.loads(p.read_text())["status"]
                for p in (elsewhere / "sweep" / "runs").rglob("status.json")]
    assert statuses == ["complete", "complete"]
    assert (elsewhere / "sweep" / "report" / "report.fr.html").is_file()
