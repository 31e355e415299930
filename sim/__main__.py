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
from omegaconf import DictConfig, open_dict

from sim.config import ConfigError, compose_config, config_dir, validate
from sim.config.compose import check_output_dir
from sim.config.safety import check_overrides, first_of_sweeps
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


def prevalidate(argv: list[str]) -> None:
    """Check a command line before Hydra instantiates anything or creates an output directory:
    the safety of every override (sweeps included) and the whole config of a run (of a sweep's
    first job). Raises ``ConfigError`` or ``TerritorySelectionError``."""
    overrides = [a for a in argv if not a.startswith("-")]
    extra_dir = _config_dir_flag(argv)
    if extra_dir:
        overrides = [a for a in overrides if a != extra_dir]
        if not Path(extra_dir).is_dir():
            raise ConfigError("--config-dir", f"'{extra_dir}' is not a directory")
    search = [f"hydra.searchpath=[file://{Path(extra_dir).resolve()}]"] if extra_dir else []
    check_overrides(overrides)
    multirun = "-m" in argv or "--multirun" in argv
    if multirun or not any(arg in HYDRA_FLAGS for arg in argv):
        chosen = first_of_sweeps(overrides) if multirun else overrides
        cfg = compose_config(chosen + search, keep_hydra=True)
        check_output_dir(cfg, "sweep" if multirun else "run")
        with open_dict(cfg):
            del cfg["hydra"]
        validate(cfg)


def _config_dir_flag(argv: list[str]) -> str | None:
    """The value of Hydra's ``--config-dir``/``-cd`` (where users keep their scenario files)."""
    for i, arg in enumerate(argv):
        if arg in ("--config-dir", "-cd") and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--config-dir="):
            return arg.split("=", 1)[1]
    return None


def main() -> None:
    try:
        prevalidate(sys.argv[1:])
    except USER_ERRORS as error:
        if os.environ.get("ESS_SIM_DEBUG"):
            raise
        _fail(str(error))
    try:
        directory = str(config_dir())
    except ConfigError as error:
        _fail(str(error))
    app = hydra.main(config_path=directory, config_name="config", version_base="1.3")(_task)
    app()


if __name__ == "__main__":
    main()
