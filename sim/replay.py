"""``python -m sim.replay RUN_DIR/manifest.json [--out DIR] [--verify-only]``: check a run.

First the files on disk are checked against the SHA-256 the manifest records (a file changed,
replaced or missing since the run wrote it shows as DIFFERENT or missing). Then the manifest's
fully resolved config is run again into ``--out`` and each new output is compared with the
recorded checksums. Exit code 0 when everything matches, 1 otherwise, 2 for an unusable
manifest.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from omegaconf import OmegaConf

from sim.config import ConfigError
from sim.config.safety import check_output_root, check_tree
from sim.outputs import RunFolderLock, verify_outputs

MAX_MANIFEST_BYTES = 16 * 1024 * 1024  # a national run's manifest is about 20 KB


def read_manifest(manifest_path: Path) -> dict:
    """A complete run's manifest, or a one-line ``ConfigError``."""
    if not manifest_path.is_file():  # not a device or a pipe, which could be read forever
        raise ConfigError("manifest", f"{manifest_path} is not a file; allowed: a run's "
                          "manifest.json")
    try:
        with manifest_path.open("rb") as source:
            data = source.read(MAX_MANIFEST_BYTES + 1)
        if len(data) > MAX_MANIFEST_BYTES:
            raise ConfigError("manifest", f"{manifest_path} is larger than "
                              f"{MAX_MANIFEST_BYTES:,} bytes; allowed: a run's manifest.json")
        manifest = json.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ConfigError("manifest", f"cannot read {manifest_path}: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("status") != "complete" or not \
            isinstance(manifest.get("config"), dict):
        raise ConfigError("manifest", "only a complete run's manifest can be checked; "
                          f"{manifest_path} says {manifest.get('status')!r}"
                          if isinstance(manifest, dict) else "not a run's manifest")
    return manifest


def verify_files(manifest_path: Path) -> dict[str, str]:
    """Per file the manifest lists: ``ok``, ``DIFFERENT`` or ``missing`` on disk."""
    return verify_outputs(manifest_path.parent, read_manifest(manifest_path))


def replay(manifest_path: Path, out: Path) -> dict[str, bool]:
    """Run the manifest's config into ``out``; per output file, whether its checksum matches."""
    from sim.api import run_to_directory

    manifest = read_manifest(manifest_path)
    cfg = OmegaConf.create(manifest["config"])
    check_tree(cfg)
    if "sweep_run" in manifest:  # a sweep's run: its tables were conformed to the sweep's
        checksums = _replay_sweep_run(cfg, manifest["sweep_run"], out)
    else:
        checksums = run_to_directory(cfg, out).manifest["checksums"]
    recorded = manifest.get("checksums", {})
    return {name: checksums.get(name) == digest for name, digest in recorded.items()}


def _replay_sweep_run(cfg, record: dict, out: Path) -> dict[str, str]:
    """Rerun a sweep's run and write its tables conformed as it was (`sim.experiments.dataset`)."""
    from sim.api import run_config
    from sim.experiments.dataset import replayed_tables
    from sim.outputs import ensure_owned, write_run

    ensure_owned(out)
    result = run_config(cfg)
    return write_run(out, replayed_tables(result, record), result.summary,
                     result.manifest)["checksums"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.replay", description=__doc__)
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--out", type=Path, default=None,
                        help="where to write the replay (default: <run dir>/replay)")
    parser.add_argument("--verify-only", action="store_true",
                        help="check the files on disk only, do not run again")
    args = parser.parse_args(argv)
    out = args.out or args.manifest.parent / "replay"
    try:
        on_disk = verify_files(args.manifest)
        for name, state in on_disk.items():
            print(f"on disk  {state:9}  {name}")
        matches = {}
        if not args.verify_only:
            claim = RunFolderLock(check_output_root("--out", out), "--out", reuse=True)
            try:
                matches = replay(args.manifest, out)
            finally:
                claim.release()
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for name, same in sorted(matches.items()):
        print(f"replay   {'identical' if same else 'DIFFERENT':9}  {name}")
    if matches:
        print(f"replay: {out}")
    good = all(state == "ok" for state in on_disk.values()) and all(matches.values())
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
