"""Exact reproducibility: same config and seed give the same bytes, whatever the process hash
seed, and a run can be re-created from its manifest alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sim.api import run_to_directory
from sim.config import compose_config
from sim.replay import replay

ARGS = ["territory=tiny", "horizon_months=18", "seed=11", "progress=false"]


def _run_cli(tmp_path, name, hashseed):
    env = {**os.environ, "PYTHONHASHSEED": str(hashseed)}
    out = tmp_path / name
    subprocess.run([sys.executable, "-m", "sim", *ARGS, f"hydra.run.dir={out}"], cwd=tmp_path,
                   env=env, check=True, capture_output=True, timeout=180)
    return out


def test_same_bytes_across_hash_seeds(tmp_path):
    a = _run_cli(tmp_path, "a", 0)
    b = _run_cli(tmp_path, "b", 12345)
    for name in ("timeseries.parquet", "territories.parquet", "events.parquet"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_replay_from_manifest_gives_same_bytes(tmp_path):
    run_to_directory(compose_config(ARGS), tmp_path / "run")
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    matches = replay(tmp_path / "run" / "manifest.json", tmp_path / "again")
    assert matches and all(matches.values()), matches
    assert {"timeseries.parquet", "territories.parquet", "events.parquet"} <= set(matches)


def test_manifest_records_checksums_and_versions(tmp_path):
    run_to_directory(compose_config(ARGS), tmp_path / "run")
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert set(manifest["checksums"]) >= {"timeseries.parquet", "summary.json"}
    assert manifest["versions"]["mesa"].startswith("3.5")
    assert manifest["seed"] == 11 and manifest["levers"] == []


def test_failed_run_leaves_no_partial_outputs(tmp_path, monkeypatch):
    import pytest

    from sim import api
    from sim.outputs import MARKER, ensure_owned

    def boom(*_, **__):
        raise RuntimeError("injected crash")

    monkeypatch.setattr(api, "run_config", boom)
    ensure_owned(tmp_path / "run")  # an earlier run's folder, left with a partial table
    (tmp_path / "run" / "timeseries.parquet.tmp").write_bytes(b"partial")
    with pytest.raises(RuntimeError):
        api.run_to_directory(compose_config(ARGS), tmp_path / "run")
    names = {p.name for p in (tmp_path / "run").iterdir()}
    assert names == {"manifest.json", MARKER}
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["status"] == "failed" and "injected crash" in manifest["error"]
