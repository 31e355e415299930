"""Writing a run's outputs: atomically, with checksums, and never half-written.

Each file is written under a temporary name and renamed into place; ``manifest.json`` comes last
and records the status, the resolved config, versions and a SHA-256 of every output. Parquet is
written without timestamps so the same config and seed give the same bytes.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
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

from sim.config.errors import ConfigError

TABLES = ("timeseries", "territories", "events")
# everything a run writes besides Hydra's own files (.hydra/, the job log) and the folder marker
OUTPUT_FILES = (*(f"{t}.parquet" for t in TABLES), "summary.json")
PACKAGES = ("mesa", "numpy", "pandas", "pyarrow", "scipy", "networkx", "hydra-core",
            "omegaconf", "ess-territories-sim")


def write_parquet(frame: pd.DataFrame | pa.Table, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame,
                                                                          preserve_index=False)
    pq.write_table(table, tmp, compression="zstd")
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
    return dict(_versions())


@functools.cache
def _versions() -> dict[str, str]:
    """Looked up once per process (each lookup scans the installed distributions: 10 ms a
    run in a sweep); what a process runs does not change under it."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


@functools.cache
def git_commit() -> str | None:
    """The checkout's commit when the package runs from a git work tree, else None; asked of
    git once per process (the code a process runs is the one it imported)."""
    root = Path(__file__).resolve().parents[1]
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=False)
    except OSError:
        return None
    return out.stdout.strip() or None


class OutputWriteError(OSError):
    """Writing a run's outputs failed (disk full, permissions): ``str()`` is one line."""


def write_run(directory: Path, tables: dict[str, pd.DataFrame | pa.Table], summary: dict,
              manifest: dict) -> dict:
    """Write the tables, the summary and finally the manifest (status complete).

    On a write error, the tables of this attempt are removed, a ``failed`` manifest is left
    when the disk allows it, and ``OutputWriteError`` says which file in one line."""
    directory.mkdir(parents=True, exist_ok=True)
    checksums = {}
    current = directory / "manifest.json"
    try:
        for name in TABLES:
            current = directory / f"{name}.parquet"
            write_parquet(tables[name], current)
            checksums[current.name] = sha256(current)
        current = directory / "summary.json"
        write_json(summary, current)
        checksums["summary.json"] = sha256(current)
        manifest = {**manifest, "status": "complete", "checksums": checksums,
                    "end_time": now_utc()}
        current = directory / "manifest.json"
        write_json(manifest, current)
    except OSError as error:
        failure = OutputWriteError(f"outputs: could not write {current}: "
                                   f"{error.strerror or error}")
        write_failure(directory, manifest, failure)
        raise failure from None
    return manifest


def write_running(directory: Path, manifest: dict) -> None:
    """Mark a run started: the manifest says ``running`` and an earlier attempt's outputs are
    gone, so a folder reused and then interrupted never shows a complete-looking run."""
    directory.mkdir(parents=True, exist_ok=True)
    write_json({**manifest, "status": "running", "checksums": {}}, directory / "manifest.json")
    _remove_outputs(directory)


def write_failure(directory: Path, manifest: dict, error: BaseException) -> None:
    """Remove partial outputs and record the failure in the manifest (as far as the disk lets:
    when even the manifest cannot be written, none is left rather than a stale one)."""
    _remove_outputs(directory)
    failed = {**manifest, "status": "failed", "error": f"{type(error).__name__}: {error}",
              "checksums": {}, "end_time": now_utc()}
    try:
        directory.mkdir(parents=True, exist_ok=True)
        write_json(failed, directory / "manifest.json")
    except OSError:
        for path in (directory / "manifest.json", directory / "manifest.json.tmp"):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


def _remove_outputs(directory: Path) -> None:
    """The output files a run writes (and their temporary names), nothing else."""
    for name in OUTPUT_FILES:
        for path in (directory / name, directory / f"{name}.tmp"):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        (directory / "manifest.json.tmp").unlink(missing_ok=True)


def verify_outputs(directory: Path, manifest: dict) -> dict[str, str]:
    """Per file the manifest lists: ``ok``, ``missing`` or ``DIFFERENT`` (SHA-256 on disk)."""
    found = {}
    for name, digest in sorted(manifest.get("checksums", {}).items()):
        path = directory / name
        if Path(name).name != name or not path.is_file():
            found[name] = "missing"
        else:
            found[name] = "ok" if sha256(path) == digest else "DIFFERENT"
    return found


# --- owning a run folder ---------------------------------------------------------------------

MARKER = ".ess-sim-run"


def owner_marker(directory: Path) -> Path | None:
    """The marker of the run folder that contains ``directory`` (itself or an ancestor)."""
    for folder in [directory, *directory.parents]:
        if (folder / MARKER).is_file():
            return folder / MARKER
    return None


def ensure_owned(directory: Path, field: str = "output folder", reuse: bool = True) -> Path:
    """Create ``directory`` and mark it as a run folder, or accept it when it is empty or already
    a run folder (or inside one) and ``reuse`` allows writing over an earlier run's files; refuse
    a folder holding files this program did not write. Returns the marker."""
    directory = directory.absolute()
    marker = owner_marker(directory)
    if marker is not None and not reuse and directory.is_dir() and any(
            entry.name != MARKER for entry in directory.iterdir()):
        raise ConfigError(field, f"'{directory}' holds an earlier run's files; allowed: a "
                          "new or empty folder")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(field, f"cannot create the folder '{directory}' "
                          f"({error.strerror or error}); allowed: a new or empty folder you "
                          "can write to") from None
    if marker is not None:
        return marker
    if any(entry.name != MARKER for entry in directory.iterdir()):
        raise ConfigError(field, f"'{directory}' already holds files this program did not "
                          "write; allowed: a new or empty folder")
    return mark_run_folder(directory)


def mark_run_folder(directory: Path) -> Path:
    """Create the marker with ``O_EXCL`` (a marker another process just made is kept)."""
    try:
        fd = os.open(directory / MARKER, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return directory / MARKER
    with os.fdopen(fd, "w") as out:
        out.write(json.dumps({"program": "ess-territories-sim", "created": now_utc(),
                              "pid": os.getpid(), "host": platform.node()}) + "\n")
    return directory / MARKER


class RunFolderLock:
    """Exclusive use of a run folder for this process's lifetime (or until ``release``): a second
    run into the same folder, in any process, is refused while this one holds it. ``reuse``:
    whether an earlier, finished run's folder may be written over (a sweep's resume)."""

    def __init__(self, directory: Path, field: str, reuse: bool = False):
        self.directory = directory.absolute()
        existing = owner_marker(self.directory)
        self._file = None
        if existing is not None:
            self._lock(existing, field)  # busy: "in use" says more than "holds files"
        try:
            marker = ensure_owned(self.directory, field, reuse)
            if self._file is None or Path(self._file.name) != marker:
                self.release()
                self._lock(marker, field)
        except BaseException:
            self.release()
            raise

    def _lock(self, marker: Path, field: str) -> None:
        self._file = open(marker, "a")  # noqa: SIM115 - held open: the lock lives with it
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._file.close()
            self._file = None
            raise ConfigError(field, f"'{self.directory}' is in use by another run; allowed: "
                              "a folder no other run is writing to") from None

    def release(self) -> None:
        if self._file is not None and not self._file.closed:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
        self._file = None
