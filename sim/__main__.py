"""``python -m sim [overrides]``: one run (or a Hydra multirun with ``-m``).

Bad input ends with one line naming the field and what is allowed, exit code 2 and no output
directory; set ``ESS_SIM_DEBUG=1`` for the full traceback.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.config import ConfigError, config_dir, load_config
from sim.territories import TerritorySelectionError

logging.getLogger("MESA").setLevel(logging.WARNING)
USER_ERRORS = (ConfigError, TerritorySelectionError)
HYDRA_FLAGS = ("-m", "--multirun", "--help", "-h", "--hydra-help", "--cfg", "-c", "--info",
               "--shell-completion", "-sc", "--version")


def _fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def _task(cfg: DictConfig) -> dict | None:
    from sim.api import run_to_directory

    out = Path(HydraConfig.get().runtime.output_dir)
    try:
        result = run_to_directory(cfg, out, progress=True)
    except USER_ERRORS as error:
        shutil.rmtree(out, ignore_errors=True)
        if os.environ.get("ESS_SIM_DEBUG"):
            raise
        _fail(str(error))
        return None
    _print_summary(result.summary, out)
    return result.summary


def _print_summary(summary: dict, out: Path) -> None:
    final, start, totals = summary["final"], summary["start"], summary["totals"]
    levers = ", ".join(summary["levers"]) or "none (baseline)"
    print(f"levers: {levers} | seed {summary['seed']} | {summary['months']} months")
    print(f"ESS jobs {start['ess_jobs_total']:,.0f} -> {final['ess_jobs_total']:,.0f}; "
          f"enterprises {start['ess_enterprises']:,.0f} -> {final['ess_enterprises']:,.0f}; "
          f"scaled up {final['ess_scaled_up']:,.0f}")
    print(f"insertion exits to employment {totals['insertion_exits_employment']:,.0f} "
          f"(durable {totals['insertion_exits_durable']:,.0f}); public cost "
          f"{summary['public_cost_eur'] / 1e6:,.1f} M€")
    print(f"outputs: {out}")


def _prevalidate(argv: list[str]) -> None:
    """Check a single run's overrides before Hydra creates an output directory."""
    if any(arg in HYDRA_FLAGS or arg.startswith("--") for arg in argv):
        return
    overrides = [a for a in argv if not a.startswith(("hydra.", "hydra/", "+hydra"))]
    try:
        load_config(overrides)
    except USER_ERRORS as error:
        if os.environ.get("ESS_SIM_DEBUG"):
            raise
        _fail(str(error))


def main() -> None:
    _prevalidate(sys.argv[1:])
    try:
        directory = str(config_dir())
    except ConfigError as error:
        _fail(str(error))
    app = hydra.main(config_path=directory, config_name="config", version_base="1.3")(_task)
    app()


if __name__ == "__main__":
    main()
