"""The regression record: the output tables of a few fixed configurations, kept as Parquet files.

A refactor or an optimisation must leave every value unchanged; a change of the model's behaviour
(calibration, mechanisms) changes them, and is recorded with its reason::

    python -m benchmarks.regression                               # compare, name what moved
    python -m benchmarks.regression --update --reason "why outputs changed"

Comparison is value by value, column by column, so a failure says which table, column and first
row moved, and it does not depend on the library versions that write Parquet bytes. Integer,
boolean and text columns must be equal; floating-point columns equal within ``RELATIVE_TOLERANCE``
(see ``docs/guarantees.md``, "Reproducibility": bytes on one machine, values across machines).
The record lives in ``tests/regression/``: one folder per configuration, one Parquet file per
table, and ``record.json`` with the overrides, each table's SHA-256 on the recording machine and
the log of reasons.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from sim.policies import REGISTRY

RECORD_DIR = Path(__file__).resolve().parents[1] / "tests" / "regression"
RECORD_FILE = RECORD_DIR / "record.json"
RELATIVE_TOLERANCE = 1e-9
"""Largest relative difference accepted in a floating-point column across machines: far above
the one-ulp (1e-16) differences of processor-specific maths, far below any modelling change."""
ABSOLUTE_TOLERANCE = 1e-9
"""Floor of the tolerance for values near zero (euros, jobs and shares are all far above it)."""
CONFIGS = {
    "tiny_baseline": ["territory=tiny", "horizon_months=60"],
    "classroom_two_levers": ["territory=classroom", "horizon_months=60",
                             "policies=[land_trust,reserved_markets]"],
    "classroom_all_levers": ["territory=classroom", "horizon_months=36",
                             f"policies=[{','.join(sorted(REGISTRY))}]"],
    "drome_baseline": ["territory=drome", "horizon_months=60"],
}
VERSIONED = ("numpy", "pandas", "pyarrow")


@dataclass(frozen=True)
class Difference:
    """Where a table first departs from its record."""

    table: str
    column: str
    detail: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column}: {self.detail}"


def run_tables(overrides: list[str]) -> dict[str, pd.DataFrame]:
    """The output tables of one configuration, as ``sim.api.run`` returns them."""
    from sim.api import run

    return run([*overrides, "progress=false"]).tables()


def table_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a table as ``sim.outputs`` writes it to disk (the byte-level fingerprint)."""
    from sim.outputs import write_parquet

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.parquet"
        write_parquet(frame, path)
        return hashlib.sha256(path.read_bytes()).hexdigest()


def compare_tables(table: str, new: pd.DataFrame, old: pd.DataFrame) -> list[Difference]:
    """Every column of ``new`` that departs from ``old``: layout, exact or toleranced values."""
    if list(new.columns) != list(old.columns):
        added = [c for c in new.columns if c not in old.columns]
        removed = [c for c in old.columns if c not in new.columns]
        return [Difference(table, "(columns)",
                           f"added {added or '[]'}, removed {removed or '[]'}, or reordered")]
    if len(new) != len(old):
        return [Difference(table, "(rows)", f"{len(old)} rows recorded, {len(new)} now")]
    found = []
    for column in new.columns:
        detail = _column_difference(new[column], old[column])
        if detail:
            found.append(Difference(table, column, detail))
    return found


def _column_difference(new: pd.Series, old: pd.Series) -> str | None:
    if str(new.dtype) != str(old.dtype):
        return f"type {old.dtype} recorded, {new.dtype} now"
    if pd.api.types.is_float_dtype(new.dtype):
        a, b = new.to_numpy(dtype=np.float64), old.to_numpy(dtype=np.float64)
        close = np.isclose(a, b, rtol=RELATIVE_TOLERANCE, atol=ABSOLUTE_TOLERANCE, equal_nan=True)
    else:
        a, b = new.to_numpy(dtype=object), old.to_numpy(dtype=object)
        close = (a == b) | (pd.isna(a) & pd.isna(b))
    if close.all():
        return None
    row = int(np.flatnonzero(~close)[0])
    return (f"{int((~close).sum())} of {len(close)} rows differ; first at row {row}: "
            f"{b[row]!r} recorded, {a[row]!r} now")


def load_record() -> dict:
    if not RECORD_FILE.exists():
        return {"configs": {}, "log": []}
    return json.loads(RECORD_FILE.read_text())


def recorded_tables(name: str) -> dict[str, pd.DataFrame]:
    folder = RECORD_DIR / name
    return {path.stem: pd.read_parquet(path) for path in sorted(folder.glob("*.parquet"))}


def check(name: str, tables: dict[str, pd.DataFrame] | None = None) -> list[Difference]:
    """Differences between a configuration's outputs now and its record."""
    tables = run_tables(CONFIGS[name]) if tables is None else tables
    recorded = recorded_tables(name)
    if set(recorded) != set(tables):
        return [Difference("(tables)", "-", f"recorded {sorted(recorded)}, now {sorted(tables)}")]
    return [d for table in tables for d in compare_tables(table, tables[table], recorded[table])]


def _write_record(name: str, tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    folder = RECORD_DIR / name
    staging = RECORD_DIR / f".{name}.new"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for table, frame in tables.items():
        frame.to_parquet(staging / f"{table}.parquet", compression="zstd", index=False)
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return {table: table_digest(frame) for table, frame in tables.items()}


def _verdict(name: str, tables: dict[str, pd.DataFrame], differences: list, record: dict) -> str:
    if differences:
        return "CHANGED"
    recorded = record["configs"].get(name, {}).get("sha256", {})
    same_bytes = all(recorded.get(t) == table_digest(f) for t, f in tables.items())
    return "same bytes" if same_bytes else "same values (bytes differ: libraries or processor)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the recorded tables")
    parser.add_argument("--reason", help="why the outputs changed (required with --update)")
    parser.add_argument("--only", nargs="*", choices=sorted(CONFIGS), help="configs to run")
    args = parser.parse_args(argv)
    if args.update and not args.reason:
        parser.error("--update needs --reason")
    record = load_record()
    changed = []
    for name in args.only or list(CONFIGS):
        tables = run_tables(CONFIGS[name])
        differences = check(name, tables) if (RECORD_DIR / name).exists() else ["not recorded"]
        print(f"{name:24s} {_verdict(name, tables, differences, record)}")
        for difference in differences:
            print(f"    {difference}")
        if differences:
            changed.append(name)
        if args.update:
            digests = _write_record(name, tables)
            record["configs"][name] = {"overrides": CONFIGS[name], "sha256": digests}
    if args.update:
        record["versions"] = {pkg: metadata.version(pkg) for pkg in VERSIONED}
        record["log"].append({"date": datetime.now(UTC).isoformat(timespec="seconds"),
                              "reason": args.reason, "changed": changed or ["(none)"]})
        RECORD_FILE.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {RECORD_DIR}")
    return 1 if changed and not args.update else 0


if __name__ == "__main__":
    sys.exit(main())
