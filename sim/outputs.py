"""Writing a run's outputs: atomically, with checksums, and never half-written.

Each file is written under a temporary name and renamed into place; ``manifest.json`` comes last
and records the status, the resolved config, versions and a SHA-256 of every output. Parquet is
written without timestamps so the same config and seed give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

TABLES = ("timeseries", "territories", "events")
PACKAGES = ("mesa", "numpy", "pandas", "pyarrow", "scipy", "networkx", "hydra-core",
            "omegaconf", "ess-territories-sim")


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp, compression="zstd")
    os.replace(tmp, path)


def write_json(data: dict, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
    os.replace(tmp, path)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def git_commit() -> str | None:
    """The checkout's commit when the package runs from a git work tree, else None."""
    root = Path(__file__).resolve().parents[1]
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=False)
    except OSError:
        return None
    return out.stdout.strip() or None


def write_run(directory: Path, tables: dict[str, pd.DataFrame], summary: dict,
              manifest: dict) -> dict:
    """Write the tables, the summary and finally the manifest (status complete)."""
    directory.mkdir(parents=True, exist_ok=True)
    checksums = {}
    for name in TABLES:
        path = directory / f"{name}.parquet"
        write_parquet(tables[name], path)
        checksums[path.name] = sha256(path)
    write_json(summary, directory / "summary.json")
    checksums["summary.json"] = sha256(directory / "summary.json")
    manifest = {**manifest, "status": "complete", "checksums": checksums, "end_time": now_utc()}
    write_json(manifest, directory / "manifest.json")
    return manifest


def write_failure(directory: Path, manifest: dict, error: BaseException) -> None:
    """Remove partial outputs and record the failure in the manifest."""
    for name in [f"{t}.parquet" for t in TABLES] + ["summary.json"]:
        for path in (directory / name, directory / f"{name}.tmp"):
            path.unlink(missing_ok=True)
    failed = {**manifest, "status": "failed", "error": f"{type(error).__name__}: {error}",
              "end_time": now_utc()}
    directory.mkdir(parents=True, exist_ok=True)
    write_json(failed, directory / "manifest.json")
