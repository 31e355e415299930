"""The design's runs on the project's launchers (`launcher=resilient_joblib`,
`resilient_submitit_slurm`, `ray_cluster`, ...): each batch of missing runs — a generation's
packages, or the robustness grid, × seeds, with their baselines — is one sweep of
`python -m sim.experiments`, the same command, launchers, resume and run folders as any sweep.

Optuna's ask/tell loop stays in the design's process: it asks a generation, the generation runs
as one multirun, the measures are read back from the sweep folder, and the design tells them.
A batch is one arm per (package, condition) — its levers and overrides in a generated
experiment config, `sweeps/<batch>/conf/experiment/design_batch.yaml` — crossed with the seeds.
Resuming: every complete run of every sweep under `sweeps/` is read back before anything is
launched (`design_arms.json` maps each arm to the design's overrides), and a batch killed
half-way is launched again into the same folder (named by a digest of its runs), where the
sweep itself skips the runs already complete.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pandas as pd
import yaml

from sim.design.config import DesignError

SWEEPS = "sweeps"
ARMS = "design_arms.json"
BATCH_EXPERIMENT = "design_batch"


class BatchFailed(RuntimeError):
    """Runs of a batch did not complete; rerunning the design retries them."""


def split(overrides: list[str]) -> tuple[list[str], list[str], int]:
    """A design run's overrides as (levers, other overrides, seed); `policies=[...]` and
    `seed=` go to the arm's levers and the sweep's seeds."""
    levers, rest, seed = [], [], None
    for line in overrides:
        key, _, value = line.partition("=")
        if key == "policies":
            levers = [v for v in value.strip("[]").split(",") if v]
        elif key == "seed":
            seed = int(value)
        else:
            rest.append(line)
    return levers, rest, seed


def _arm_name(levers: list[str], rest: list[str]) -> str:
    text = json.dumps([sorted(levers), rest])
    return "d" + hashlib.sha256(text.encode()).hexdigest()[:12]


def harvest(folder: Path, wanted: set[str], measure) -> dict[str, dict]:
    """Measures of the wanted runs (design run keys: overrides joined) that a batch sweep under
    the design folder completed; `measure(summary, timeseries)`."""
    from sim.experiments.runner import read_status

    found = {}
    for arms_file in sorted((folder / SWEEPS).glob(f"*/{ARMS}")):
        arms = json.loads(arms_file.read_text())
        for run_dir in sorted(arms_file.parent.glob("runs/arm=*/seed=*")):
            status = read_status(run_dir)
            arm = run_dir.parent.name.removeprefix("arm=")
            if not status or status.get("status") != "complete" or arm not in arms \
                    or not _complete(run_dir):
                continue
            key = " ".join([*arms[arm], f"seed={status['seed']}"])
            if key not in wanted:
                continue
            summary = json.loads((run_dir / "summary.json").read_text())
            found[key] = measure(summary, pd.read_parquet(run_dir / "timeseries.parquet"))
    return found


def _complete(run_dir: Path) -> bool:
    """Whether the run's manifest (written last) says complete."""
    try:
        return json.loads((run_dir / "manifest.json").read_text()).get("status") == "complete"
    except (OSError, ValueError):
        return False


def launch(folder: Path, model_overrides: list[str], runs: list[list[str]], launcher: str,
           launcher_overrides: list[str], log=print) -> None:
    """Run the design runs (full overrides, model overrides first) as sweeps on the launcher:
    one multirun per set of seeds the arms need (usually one)."""
    arms: dict[str, tuple[list[str], list[str], list[str]]] = {}
    seeds_by_arm: dict[str, set[int]] = defaultdict(set)
    for overrides in runs:
        levers, rest, seed = split(overrides[len(model_overrides):])
        name = _arm_name(levers, rest)
        arms[name] = (levers, rest, [o for o in overrides if not o.startswith("seed=")])
        seeds_by_arm[name].add(seed)
    groups: dict[tuple[int, ...], list[str]] = defaultdict(list)
    for name, seeds in seeds_by_arm.items():
        groups[tuple(sorted(seeds))].append(name)
    for seeds, names in sorted(groups.items()):
        _sweep(folder, model_overrides, {n: arms[n] for n in sorted(names)}, seeds, launcher,
               launcher_overrides, log)


def _sweep(folder: Path, model_overrides: list[str], arms: dict, seeds: tuple[int, ...],
           launcher: str, launcher_overrides: list[str], log) -> None:
    digest = hashlib.sha256(json.dumps([sorted(arms), seeds]).encode()).hexdigest()[:10]
    sweep_dir = (folder / SWEEPS / f"batch-{digest}").resolve()
    conf = sweep_dir / "conf" / "experiment"
    conf.mkdir(parents=True, exist_ok=True)
    (sweep_dir / ARMS).write_text(json.dumps(
        {name: design for name, (_, _, design) in arms.items()}, indent=1, sort_keys=True) + "\n")
    experiment = {
        "defaults": ["compare"],
        "experiment": {"name": BATCH_EXPERIMENT, "model_overrides": list(model_overrides),
                       "arms": {name: {"policies": levers, "overrides": rest}
                                for name, (levers, rest, _) in arms.items()}},
    }
    (conf / f"{BATCH_EXPERIMENT}.yaml").write_text(
        "# @package _global_\n" + yaml.safe_dump(experiment, sort_keys=True))
    command = [sys.executable, "-m", "sim.experiments", "--config-dir", str(sweep_dir / "conf"),
               f"+experiment={BATCH_EXPERIMENT}", f"arm={','.join(arms)}",
               f"seed={','.join(map(str, seeds))}", f"hydra.sweep.dir={sweep_dir}",
               f"hydra/launcher={launcher}", "hydra.callbacks.experiment.report=false",
               *launcher_overrides]
    log(f"batch: {len(arms)} (package, condition) arms × {len(seeds)} seeds on {launcher}; follow "
        f"{sweep_dir / 'progress.log'}")
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        # the sweep's own resume command (and its report) are not the design's: cut them
        last = last.partition("; the report, if built")[0]
        if done.returncode == 2:  # the sweep refused a setting (launcher_overrides, ...)
            raise DesignError(f"launcher={launcher}: {last.removeprefix('error: ')}")
        raise BatchFailed(f"launcher={launcher}: the batch sweep {sweep_dir} failed "
                          f"(exit {done.returncode}): {last}")
