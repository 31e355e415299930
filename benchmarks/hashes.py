"""SHA-256 of the output tables of a few fixed configurations: the byte-for-byte regression record.

An optimisation must leave every hash unchanged. A change of the model's behaviour (calibration,
levers) legitimately changes them: regenerate with a stated reason, which is appended to the log
kept in the JSON::

    python -m benchmarks.hashes                                  # check, print differences
    python -m benchmarks.hashes --update --reason "why outputs changed"

Parquet bytes also depend on the versions of numpy, pandas and pyarrow, recorded beside the
hashes; ``tests/test_regression_hashes.py`` skips when they differ from the installed ones.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

RECORD = Path(__file__).resolve().parents[1] / "tests" / "regression_hashes.json"
VERSIONED = ("numpy", "pandas", "pyarrow")
CONFIGS = {
    "tiny_baseline": ["territory=tiny", "horizon_months=60"],
    "classroom_two_levers": ["territory=classroom", "horizon_months=60",
                             "policies=[land_trust,reserved_markets]"],
    "classroom_all_levers": ["territory=classroom", "horizon_months=36",
                             ("policies=[land_trust,reserved_markets,impact_vat,conditional_aid,"
                              "matchmaking,impact_finance,brownfields,hr_pooling,"
                              "industrial_cooperation]")],
    "drome_baseline": ["territory=drome", "horizon_months=60"],
}


def installed_versions() -> dict[str, str]:
    return {name: metadata.version(name) for name in VERSIONED}


def output_hashes(overrides: list[str]) -> dict[str, str]:
    """Run one configuration and hash each table as ``sim.outputs`` writes it to disk."""
    from sim.api import run
    from sim.outputs import write_parquet

    result = run([*overrides, "progress=false"])
    hashes = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, frame in result.tables().items():
            path = Path(tmp) / f"{name}.parquet"
            write_parquet(frame, path)
            hashes[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def load_record() -> dict:
    return json.loads(RECORD.read_text()) if RECORD.exists() else {"configs": {}, "log": []}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the recorded hashes")
    parser.add_argument("--reason", help="why the outputs changed (required with --update)")
    parser.add_argument("--only", nargs="*", choices=sorted(CONFIGS), help="configs to run")
    args = parser.parse_args(argv)
    if args.update and not args.reason:
        parser.error("--update needs --reason")
    record = load_record()
    names = args.only or list(CONFIGS)
    changed = []
    for name in names:
        hashes = output_hashes(CONFIGS[name])
        old = record["configs"].get(name, {}).get("sha256")
        status = "same" if hashes == old else "CHANGED"
        print(f"{name:24s} {status}")
        if hashes != old:
            changed.append(name)
            for table, digest in hashes.items():
                if old is None or old.get(table) != digest:
                    print(f"    {table}: {(old or {}).get(table, '-')[:12]} -> {digest[:12]}")
        record["configs"][name] = {"overrides": CONFIGS[name], "sha256": hashes}
    if args.update:
        record["versions"] = installed_versions()
        record["log"].append({"date": datetime.now(UTC).isoformat(timespec="seconds"),
                              "reason": args.reason, "changed": changed or ["(none)"]})
        RECORD.write_text(json.dumps(record, indent=2) + "\n")
        print(f"wrote {RECORD}")
    return 1 if changed and not args.update else 0


if __name__ == "__main__":
    sys.exit(main())
