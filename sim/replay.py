"""``python -m sim.replay RUN_DIR/manifest.json [--out DIR]``: re-create a run from its manifest.

The manifest holds the fully resolved config; running it again must give the same bytes. The
command reports, file by file, whether the new outputs match the recorded checksums, and exits
with 1 if any differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from omegaconf import OmegaConf

from sim.config import ConfigError
from sim.config.safety import check_tree


def replay(manifest_path: Path, out: Path) -> dict[str, bool]:
    """Run the manifest's config into ``out``; per output file, whether its checksum matches."""
    from sim.api import run_to_directory

    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise ConfigError("manifest", f"cannot read {manifest_path}: {error}") from None
    if manifest.get("status") != "complete" or "config" not in manifest:
        raise ConfigError("manifest", "only a complete run's manifest can be replayed")
    cfg = OmegaConf.create(manifest["config"])
    check_tree(cfg)
    result = run_to_directory(cfg, out)
    recorded = manifest.get("checksums", {})
    return {name: result.manifest["checksums"].get(name) == digest
            for name, digest in recorded.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.replay", description=__doc__)
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--out", type=Path, default=None,
                        help="where to write the replay (default: <run dir>/replay)")
    args = parser.parse_args(argv)
    out = args.out or args.manifest.parent / "replay"
    try:
        matches = replay(args.manifest, out)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for name, same in sorted(matches.items()):
        print(f"{'identical' if same else 'DIFFERENT'}  {name}")
    print(f"replay: {out}")
    return 0 if all(matches.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
