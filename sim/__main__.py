"""``python -m sim [overrides]``: one run (or a Hydra multirun with ``-m``).

Bad input ends with one line naming the field and what is allowed, exit code 2 and no output
folder; set ``ESS_SIM_DEBUG=1`` for the full traceback. The run (or sweep) folder is checked
and claimed before Hydra creates anything: a new or empty folder, used by no other run at the
same time (docs/guarantees.md). A multirun whose runs did not all complete ends with one line
naming them and the command that resumes it (exit 1): the same command on the same folder,
which skips the runs already complete with the same config.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import sys
from datetime import datetime
from pathlib import Path

import hydra
from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, open_dict

from sim.cli_help import MODEL, show_help_if_asked
from sim.config import ConfigError, compose_config, config_dir, validate
from sim.config.compose import check_output_dir, config_groups
from sim.config.safety import (
    COMPLETION_FLAGS,
    INFO_FLAGS,
    check_overrides,
    first_of_sweeps,
    split_argv,
    sweep_params,
    sweep_variants,
)
from sim.experiments.clock import claimed_clock_node, freeze_now
from sim.outputs import OutputWriteError, RunFolderLock
from sim.plugins import check_launcher_installed, register_plugins
from sim.territories import TerritorySelectionError

logging.getLogger("MESA").setLevel(logging.WARNING)
USER_ERRORS = (ConfigError, TerritorySelectionError)
# folders this process claimed (the run's or the sweep's), released when main() returns
_CLAIMED: list[RunFolderLock] = []


def _fail(message: str, code: int = 2) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def _task(cfg: DictConfig) -> dict | None:
    from sim.api import run_to_directory

    hydra_cfg = HydraConfig.get()
    out = Path(hydra_cfg.runtime.output_dir)
    multirun = hydra_cfg.mode.name == "MULTIRUN"
    if multirun and (done := _complete_run(cfg, out)) is not None:  # a resumed sweep
        print(f"skipped (complete): {out}")
        return done
    try:
        result = run_to_directory(cfg, out, progress=True)
    except (*USER_ERRORS, OutputWriteError) as error:
        if os.environ.get("ESS_SIM_DEBUG"):
            raise
        # the run's own files are gone and its manifest says failed; nothing else is touched
        if multirun:  # recorded; the sweep goes on and main() exits non-zero at the end
            print(f"error: {error} (run {out})", file=sys.stderr)
            return None
        _fail(str(error), 1 if isinstance(error, OutputWriteError) else 2)
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


def prevalidate(argv: list[str], moment: datetime | None = None) -> tuple[Path, str] | None:
    """Check a command line before Hydra instantiates anything or creates a folder: the safety
    of every override (sweeps included) and of the user's config files, the whole config of the
    run (of a sweep's first job). Returns the folder to claim and its field (None when Hydra
    only prints), its ``${now:...}`` resolved at ``moment`` (now by default). Raises
    ``ConfigError`` or ``TerritorySelectionError``."""
    flags, overrides, user_dirs = split_argv(argv)
    if set(flags) & set(COMPLETION_FLAGS):
        return None
    for folder in user_dirs:
        if not folder.is_dir():
            raise ConfigError("--config-dir", f"'{folder}' is not a directory")
    check_launcher_installed(overrides)
    check_overrides(overrides)
    multirun = "-m" in flags or "--multirun" in flags
    chosen = first_of_sweeps(overrides) if multirun else overrides
    cfg = compose_config(chosen, keep_hydra=True, user_dirs=user_dirs)
    if any(flag in INFO_FLAGS for flag in flags):
        return None
    key = "sweep" if multirun else "run"
    freeze_now(moment or datetime.now())  # composing registered Hydra's own clock again
    folder = check_output_dir(cfg, key)
    if multirun:
        swept = overrides + sweep_params(cfg, overrides)
        for variant in sweep_variants(swept, config_groups(user_dirs)):
            check_output_dir(compose_config(variant, keep_hydra=True, user_dirs=user_dirs), key)
    with open_dict(cfg):
        del cfg["hydra"]
    validate(cfg)
    return folder, f"hydra.{key}.dir"


def _complete_run(cfg: DictConfig, out: Path) -> dict | None:
    """The summary of a run already complete in ``out`` with this very config and its outputs
    intact (their checksums), as a resumed sweep finds it; None when it must run."""
    from sim.api import resolved_config
    from sim.outputs import verify_outputs

    try:
        manifest = json.loads((out / "manifest.json").read_text())
        if manifest.get("status") != "complete" or manifest.get("config") != json.loads(
                json.dumps(resolved_config(cfg))):
            return None
        if set(verify_outputs(out, manifest).values()) != {"ok"}:
            return None
        return json.loads((out / "summary.json").read_text())
    except (OSError, ValueError):
        return None


def _sweep_runs(sweep: Path) -> dict[str, dict]:
    """Every run of a sweep folder (its subfolder) -> its manifest."""
    runs = {}
    for manifest in sorted(sweep.rglob("manifest.json")):
        try:
            runs[str(manifest.parent.relative_to(sweep))] = json.loads(manifest.read_text())
        except (OSError, ValueError):
            continue
    return runs


NAMED_RUNS = 5  # failed runs named in the sweep's one-line summary; the others are counted


def failed_summary(sweep: Path, argv: list[str]) -> str | None:
    """One line naming the failed runs of a `python -m sim --multirun` sweep and how to resume
    it (the command `python -m sim.experiments` prints, `sim.experiments.runner.
    resume_command`); None when none failed."""
    from sim.experiments.runner import resume_command

    runs = _sweep_runs(sweep)
    failed = [f"run {name} failed: {str(record.get('error', '')).split(':')[0]}"
              for name, record in runs.items() if record.get("status") == "failed"]
    if not failed:
        return None
    named = "; ".join(failed[:NAMED_RUNS]) + (
        f"; and {len(failed) - NAMED_RUNS} more" if len(failed) > NAMED_RUNS else "")
    command = resume_command(shlex.join(["python", "-m", "sim", *argv]), sweep)
    return (f"{len(failed)} of {len(runs)} runs did not complete ({named}); resume (complete "
            f"runs are skipped): {command}")


def same_sweep(folder: Path, argv: list[str]) -> bool:
    """Whether ``folder`` holds an earlier sweep of this very command (its task overrides, as
    Hydra recorded them in multirun.yaml): then it may be resumed in place."""
    from omegaconf import OmegaConf

    _, overrides, _ = split_argv(argv)
    try:
        recorded = OmegaConf.load(folder / "multirun.yaml").hydra.overrides.task
    except Exception:  # missing, unreadable or damaged: not the same sweep
        return False
    return list(recorded) == [o for o in overrides if not o.lstrip("+~").startswith("hydra.")]


MAIN_CONFIG = "config"
CLAIMED_CONFIG = "ess_sim_claimed_folder"  # the main config with the claim's clock


def _pin_folder(moment: datetime) -> str:
    """Make Hydra write into the folder just claimed: composing again would resolve
    ``${now:...}`` anew, a second later maybe, in the project's default folder or in a user's
    ``hydra.run.dir=...${now:...}`` (which beats any config), and Hydra would write elsewhere.
    The main config with the claim's clock (`sim.experiments.clock`) is stored in Hydra's
    ConfigStore (sys.argv is left as it is); returns its name, the config for ``hydra.main``."""
    ConfigStore.instance().store(name=CLAIMED_CONFIG, node=claimed_clock_node(MAIN_CONFIG,
                                                                              moment))
    return CLAIMED_CONFIG


def main() -> None:
    show_help_if_asked(MODEL)
    claim, moment = None, datetime.now()
    try:
        argv = sys.argv[1:]
        target = prevalidate(argv, moment)
        directory = str(config_dir())
        if target is not None:
            multirun = bool({"-m", "--multirun"} & set(argv))
            claim = RunFolderLock(*target, reuse=multirun and same_sweep(target[0], argv))
    except USER_ERRORS as error:
        if os.environ.get("ESS_SIM_DEBUG"):
            raise
        _fail(str(error))
    config_name = MAIN_CONFIG
    if claim is not None:
        _CLAIMED.append(claim)
        config_name = _pin_folder(moment)
    register_plugins()
    try:
        hydra.main(config_path=directory, config_name=config_name, version_base="1.3")(_task)()
        failed = failed_summary(claim.directory, argv) if claim and {
            "-m", "--multirun"} & set(argv) else None
        if failed:  # as `python -m sim.experiments`: the failed runs named, exit 1
            _fail(failed, 1)
    finally:
        while _CLAIMED:
            _CLAIMED.pop().release()


if __name__ == "__main__":
    main()
