"""Hydra task for one run of an experiment: resolve the arm, run the model, record the outcome.

Each job owns a deterministic directory `<sweep_dir>/runs/arm=<arm>/seed=<k>/` (Hydra's sweep
subdir, hive-style), whatever the launcher or the order jobs run in. It holds the model's
outputs (conformed to the sweep's schemas by `sim.experiments.dataset`, written by
`sim.outputs`, manifest.json last) and `status.json`: running, complete or failed (with the
error and traceback). A crash is recorded, never raised, so one bad run cannot take a sweep
down. Rerunning the same command on the same sweep dir skips the runs already complete with the
same model overrides and whose manifest lists outputs that are all there (resume), and reruns
the others, failed or interrupted (status still 'running'), after clearing their leftovers.

The experiment app composes the model's `config.yaml` plus the keys a sweep varies (`arm`,
`sample`, `experiment`). The model's schema refuses unknown keys, so the app registers, under
the schema's name and in its own process only, a subclass that adds them; launchers hand the
config store to their workers. Each model run composes on the model's own schema again.
"""

import contextlib
import copy
import fcntl
import hashlib
import json
import os
import shlex
import socket
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import hydra
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.utils import JobRuntime
from hydra.initialize import get_gh_backup, restore_gh_from_backup
from omegaconf import DictConfig, OmegaConf

from sim.config import ConfigError, SimConfig, config_dir, load_config
from sim.config.compose import (
    check_output_dir,
    compose_config,
    config_groups,
    register_schema,
)
from sim.config.safety import (
    COMPLETION_FLAGS,
    INFO_FLAGS,
    check_overrides,
    first_of_sweeps,
    split_argv,
    sweep_params,
    sweep_variants,
)
from sim.experiments import sensitivity
from sim.experiments.arms import BASELINE, ArmSpec, policies_override, resolve_arm
from sim.experiments.clock import claimed_clock_node, freeze_now
from sim.experiments.dataset import RunIdentity, sweep_tables
from sim.outputs import (
    TABLES,
    RunFolderLock,
    mark_run_folder,
    owner_marker,
    write_failure,
    write_json,
    write_run,
)
from sim.plugins import check_launcher_installed, check_ray_reachable, register_plugins
from sim.territories import TerritorySelectionError

STATUS = "status.json"
SWEEP_INFO = "sweep.json"
PROGRESS = "progress.log"
QUIET_RUNS = "ESS_SIM_QUIET_RUNS"  # "1" in the environment: runs log their line, don't print it
SCHEMA_NAME = "sim_schema"
# Job overrides that steer the experiment rather than the model: never passed to the model.
EXPERIMENT_KEYS = {"arm", "seed", "sample", "experiment", "policies"}
# The experiment app's main configs (configs/experiments*.yaml) and its default launcher.
NAMED_EXPERIMENT, DEFAULT_APP = "experiments", "experiments_compare"
DEFAULT_LAUNCHER = "resilient_joblib"

RunFn = Callable[[list[str]], object]


@dataclass
class ExperimentConfig(SimConfig):
    """The model's schema plus the keys an experiment sweeps (used by the experiment app only)."""

    arm: str = BASELINE
    sample: Optional[int] = None  # noqa: UP045 - OmegaConf 2.3 reads Optional, not `int | None`
    experiment: Any = None


@dataclass(frozen=True)
class RunSpec:
    """What one run is: its arm, seed, optional sensitivity sample, and the model overrides."""

    arm: ArmSpec
    seed: int
    overrides: tuple[str, ...]
    sample: int | None = None
    params: dict = field(default_factory=dict)

    def record(self) -> dict:
        """The identifying part of status.json."""
        return {
            "arm": self.arm.name,
            "levers": list(self.arm.levers),
            "dose": self.arm.dose,
            "seed": self.seed,
            "sample": self.sample,
            "params": self.params,
            "overrides": list(self.overrides),
        }


def _key(override: str) -> str:
    return override.lstrip("+~").partition("=")[0]


def _passed(job_overrides: list[str]) -> list[str]:
    """The job's overrides meant for the model (not the experiment's own keys)."""
    return [o for o in job_overrides
            if _key(o) not in EXPERIMENT_KEYS and not _key(o).startswith("experiment.")]


def run_spec(cfg: DictConfig, job_overrides: list[str]) -> RunSpec:
    """Build a run's spec from its composed config and the overrides Hydra gave the job.

    Model overrides are, in order: `experiment.model_overrides`, the job's own overrides that
    are not experiment keys, the arm's overrides, the sensitivity sample's parameter values,
    then `policies=[...]` and `seed=k`.
    """
    exp = cfg.experiment
    arm = resolve_arm(str(cfg.arm), exp.get("arms"))
    sample = cfg.get("sample")
    params = {}
    if sample is not None and exp.get("sensitivity") is not None:
        params = sensitivity.point(exp.sensitivity, int(sample))
    passed = _passed(job_overrides)
    overrides = (
        list(exp.get("model_overrides") or ())
        + passed
        + list(arm.overrides)
        + [f"{k}={v!r}" for k, v in params.items()]
        + [policies_override(arm.levers), f"seed={int(cfg.seed)}"]
    )
    return RunSpec(arm, int(cfg.seed), tuple(overrides), None if sample is None else int(sample),
                   params)


def read_status(run_dir: Path) -> dict | None:
    """The run's status record, or None when it never started."""
    path = run_dir / STATUS
    return json.loads(path.read_text()) if path.exists() else None


MANIFEST = "manifest.json"
# What a run writes besides status.json; an attempt cut short may also leave `<name>.tmp` files.
OUTPUTS = (*(f"{t}.parquet" for t in TABLES), "summary.json", MANIFEST)


def _outputs_intact(run_dir: Path) -> bool:
    """Whether the manifest says complete and every file it lists is there: a status that says
    complete is then backed by the outputs (not checksummed again: a national run's files are
    large, and `python -m sim.replay` does that)."""
    try:
        manifest = json.loads((run_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    return manifest.get("status") == "complete" and all(
        (run_dir / name).is_file() for name in manifest.get("checksums", {}))


def _clear_outputs(run_dir: Path) -> None:
    """Remove what an earlier attempt left (its outputs and manifest, the temporary files of a
    write cut short), so that a directory never mixes two attempts' files; only the names a run
    writes, nothing else."""
    for name in OUTPUTS:
        for path in (run_dir / name, run_dir / f"{name}.tmp"):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


def _write_outputs(run_dir: Path, result: object, spec: RunSpec, backend: str,
                   sweep: str) -> None:
    """The run's tables conformed to the sweep's schemas (`sim.experiments.dataset`), then its
    summary and manifest."""
    from sim.policies import REGISTRY

    identity = RunIdentity(sweep, spec.arm.name, spec.seed, spec.arm.levers, spec.arm.dose,
                           spec.sample)
    tables, how = sweep_tables(result, identity, tuple(sorted(REGISTRY)),
                               counts=backend == "model")
    write_run(run_dir, tables, result.summary, result.manifest | {"sweep_run": how})


def sweep_id(cfg: DictConfig, job_overrides: list[str]) -> str:
    """What every row of a sweep's tables says about the sweep: the experiment's name and a
    digest of what all its runs share (the experiment's config and the model overrides of the
    command line), e.g. `compare-3f9a2c1d04`. The same sweep run again, elsewhere or on another
    launcher, gets the same id (and, run for run, the same bytes); another experiment or
    other model overrides get another."""
    shared = {"experiment": OmegaConf.to_container(cfg.experiment, resolve=True),
              "overrides": sorted(_passed(job_overrides))}
    digest = hashlib.sha256(json.dumps(shared, sort_keys=True, default=str).encode())
    return f"{cfg.experiment.get('name', 'sweep')}-{digest.hexdigest()[:10]}"


def folder_sweep_id(run_dir: Path) -> str:
    """A run executed outside a Hydra sweep: the name of the folder holding `runs/`."""
    for folder in Path(run_dir).resolve().parents:
        if folder.name == "runs":
            return folder.parent.name
    return ""


def execute_run(
    run_dir: Path, spec: RunSpec, run_fn: RunFn, backend: str, sweep_dir: Path | None = None,
    sweep: str | None = None, job_overrides: list[str] | None = None,
) -> dict:
    """Run once unless already complete with the same overrides; record success or failure.

    Anything else found in the directory (a failed run, or one interrupted while running or
    writing: status 'running', partial or temporary files) is cleared and run again.
    """
    with contextlib.suppress(OSError):  # a full disk is recorded below, never raised
        run_dir.mkdir(parents=True, exist_ok=True)
    previous = read_status(run_dir)
    ident = spec.record() | {"backend": backend}
    if (
        previous
        and previous["status"] == "complete"
        and previous.get("overrides") == ident["overrides"]
        and previous.get("backend") == backend
        and _outputs_intact(run_dir)
    ):
        _progress(sweep_dir, previous, "skipped")
        return previous
    started = time.perf_counter()
    record = ident | {
        "sweep": sweep or folder_sweep_id(run_dir),
        "job_overrides": job_overrides,  # as Hydra gave them: a resume matches jobs by them
        "status": "running",
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }
    try:
        write_json(record, run_dir / STATUS)  # first: from here the status never says complete
        _clear_outputs(run_dir)
        result = run_fn(list(spec.overrides))
        _write_outputs(run_dir, result, spec, backend, record["sweep"])
        record |= {"status": "complete", "error": None}
    except Exception as exc:
        record = _failed(run_dir, record, exc, traceback.format_exc())
    record["elapsed_s"] = round(time.perf_counter() - started, 3)
    _record(run_dir, record)
    _progress(sweep_dir, record, record["status"])
    return record


def complete_jobs(sweep_dir: Path, sweep: str) -> dict[tuple[str, ...], dict]:
    """The sweep's runs that a rerun of their job would skip (complete, outputs intact, same
    sweep id: same experiment and model overrides), by the job's Hydra overrides: a launcher
    whose jobs are costly to start (a Slurm array task) submits only the others."""
    found = {}
    for status in Path(sweep_dir, "runs").rglob(STATUS):
        record = read_status(status.parent)
        if (record and record.get("status") == "complete" and record.get("sweep") == sweep
                and record.get("job_overrides") is not None
                and _outputs_intact(status.parent)):
            found[tuple(record["job_overrides"])] = record | {"dir": str(status.parent)}
    return found


def report_skipped(sweep_dir: Path, record: dict) -> None:
    """The progress line of a run found complete without being run again."""
    _progress(sweep_dir, record, "skipped")


def _record(run_dir: Path, record: dict) -> None:
    """Write a run's status; when the disk refuses even that (full), a status left saying
    `running` or `complete` is removed, so that the report counts the run as not complete."""
    try:
        write_json(record, run_dir / STATUS)
    except OSError:
        for path in (run_dir / STATUS, run_dir / f"{STATUS}.tmp"):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


class WorkerDied(RuntimeError):
    """The process running a job died (killed, out of memory, a segfault) before the run could
    record anything itself."""


def _failed(run_dir: Path, record: dict, error: BaseException, trace: str | None) -> dict:
    """Leave only a failed manifest in the run's directory (when the disk allows); the status
    record of the failure."""
    write_failure(run_dir, {"start_time": record.get("started")}, error)
    return record | {"status": "failed", "error": f"{type(error).__name__}: {error}",
                     "traceback": trace}


def record_lost_run(run_dir: Path, spec: RunSpec, backend: str, error: WorkerDied,
                    sweep_dir: Path | None = None) -> dict:
    """Record as failed a run whose process died under it (the launcher calls this where the
    sweep was launched): what the dead attempt wrote is cleared, as for a run that raised, and
    a resume runs it again."""
    run_dir.mkdir(parents=True, exist_ok=True)
    dead = read_status(run_dir) or {}
    record = spec.record() | {"backend": backend} | {
        key: dead.get(key) for key in ("started", "host", "pid")}
    _clear_outputs(run_dir)
    record = _failed(run_dir, record, error, None)
    _record(run_dir, record)
    _progress(sweep_dir, record, "failed")
    return record


def _progress(sweep_dir: Path | None, record: dict, status: str) -> None:
    """Print and append "[k/N] arm seed status elapsed"; k counts lines under a file lock."""
    where = f"arm={record['arm']} seed={record['seed']}"
    if record.get("sample") is not None:
        where += f" sample={record['sample']}"
    line = f"{where} {status} {record.get('elapsed_s', 0):.1f}s"
    if sweep_dir is not None:
        with contextlib.suppress(OSError):
            line = _log_progress(sweep_dir, where, line, status == "skipped")
    if line and os.environ.get(QUIET_RUNS) != "1":  # else a progress bar owns the terminal
        print(line, flush=True)


def _log_progress(sweep_dir: Path, where: str, line: str, skipped: bool) -> str:
    """Append the line to the sweep's progress log, numbered; the numbered line, or "" when a
    skipped run was already logged by this sweep: its result was lost in transit as a worker
    died, it ran again and found itself complete, which is no news (one line per run)."""
    total = "?"
    info = sweep_dir / SWEEP_INFO
    if info.exists():
        total = json.loads(info.read_text()).get("total", "?")
    with open(sweep_dir / PROGRESS, "a+") as log:
        fcntl.flock(log, fcntl.LOCK_EX)
        log.seek(0)
        logged = {_logged_run(previous) for previous in log}
        if skipped and where in logged:
            line = ""
        else:
            line = f"[{len(logged | {where})}/{total}] {line}"
            log.write(line + "\n")
        fcntl.flock(log, fcntl.LOCK_UN)
    return line


def _logged_run(line: str) -> str:
    """The "arm=... seed=..." part of a "[k/N] arm=... seed=... status elapsed" line."""
    return line.partition("] ")[2].rsplit(" ", 2)[0]


@contextmanager
def _model_composition():
    """Compose as `python -m sim` does: on the model's own schema, with Hydra's global state
    (initialised by the running job) set aside and restored after, the job's name included
    (composing names the job "app"): a worker's next job starts from the state this one had."""
    store = ConfigStore.instance()
    schema = store.repo.get(f"{SCHEMA_NAME}.yaml")
    backup = get_gh_backup()
    job_runtime = copy.deepcopy(JobRuntime.instance().conf)
    register_schema()
    GlobalHydra.instance().clear()
    try:
        yield
    finally:
        restore_gh_from_backup(backup)
        store.repo[f"{SCHEMA_NAME}.yaml"] = schema
        JobRuntime.instance().conf = job_runtime


@lru_cache(maxsize=16)
def _composed(overrides: tuple[str, ...]) -> DictConfig:
    with _model_composition():
        return compose_config(overrides)


@lru_cache(maxsize=16)
def _prepared(overrides: tuple[str, ...]):
    from sim.experiments.prepared import prepare_arm

    return prepare_arm(_composed(overrides))


def _model_run(overrides: list[str]) -> object:
    """`sim.api.run(overrides)`, composing and validating once per arm and worker
    (`sim.experiments.prepared`): that costs about as much as a short run, and replications
    differ only by `seed`."""
    from sim.experiments.prepared import run_seed

    seed = [o for o in overrides if _key(o) == "seed"]
    arm = _prepared(tuple(o for o in overrides if o not in seed))
    return run_seed(arm, int(seed[-1].partition("=")[2]) if seed else None)


def _synthetic_run(overrides: list[str]) -> object:
    from sim.experiments.synthetic import run

    return run(overrides)


# The only run functions a config may name (a config never names an import path).
BACKENDS: dict[str, RunFn] = {"model": _model_run, "synthetic": _synthetic_run}


def run_task(cfg: DictConfig) -> dict:
    """Hydra task function: one run of the experiment selected by `+experiment=...`."""
    hc = HydraConfig.get()
    backend = str(cfg.experiment.get("backend", "model"))
    if backend not in BACKENDS:
        raise ValueError(f"experiment.backend={backend!r}; choose one of {sorted(BACKENDS)}")
    spec = run_spec(cfg, list(hc.overrides.task))
    sweep_dir = Path(hc.sweep.dir) if hc.mode.name == "MULTIRUN" else None
    run_dir = Path(hc.runtime.output_dir)
    if sweep_dir is not None and sweep_dir.resolve() not in run_dir.resolve().parents:
        raise ConfigError("hydra.sweep.subdir", f"'{run_dir}' is not inside the sweep folder "
                          f"{sweep_dir}; allowed: a relative path without '..'")
    return execute_run(run_dir, spec, BACKENDS[backend], backend, sweep_dir,
                       sweep_id(cfg, list(hc.overrides.task)), list(hc.overrides.task))


def prevalidate(argv: list[str], moment: datetime | None = None) -> Path | None:
    """Fail in one line before any run starts: an unsafe flag, override, target, resolver or
    user config file, an unusable sweep folder, or a model config the first job would reject
    (rather than N identical failed runs). Returns the sweep folder to claim (None when Hydra
    only prints), its `${now:...}` resolved at `moment` (now by default)."""
    flags, overrides, user_dirs = split_argv(argv)
    if set(flags) & set(COMPLETION_FLAGS):
        return None
    check_launcher_installed(overrides, DEFAULT_LAUNCHER)
    check_overrides(overrides)
    first = first_of_sweeps(overrides)
    cfg = compose_config(first, keep_hydra=True, user_dirs=user_dirs, name=main_config(argv))
    if any(flag in INFO_FLAGS for flag in flags):
        return None
    freeze_now(moment or datetime.now())  # composing registered Hydra's own clock again
    folder = check_output_dir(cfg, "sweep")
    check_ray_reachable(cfg.hydra.launcher)
    swept = overrides + sweep_params(cfg, overrides)
    for variant in sweep_variants(swept, config_groups(user_dirs)):
        check_output_dir(compose_config(variant, keep_hydra=True, user_dirs=user_dirs,
                                        name=main_config(argv)), "sweep")
    if cfg.experiment.get("backend", "model") == "model":
        # A job's task overrides never include Hydra's own (`hydra.launcher.n_jobs=2`,
        # `hydra/launcher=...`): the model's config would refuse the keys of another launcher.
        task = [o for o in first if not _key(o).startswith(("hydra.", "hydra/"))]
        with _model_composition():
            load_config(run_spec(cfg, task).overrides)
    return folder


def _adopt_earlier_sweep(folder: Path) -> None:
    """Mark as a run folder a sweep folder written before folders were marked (it holds the
    sweep's plan, sweep.json), so that it can be resumed."""
    if (folder / SWEEP_INFO).is_file() and owner_marker(folder) is None:
        mark_run_folder(folder)


def main_config(argv: list[str]) -> str:
    """The experiment app's main config: `experiments` (the model's config as a multirun) when
    the command line appends an experiment (`+experiment=NAME`), else `experiments_compare`
    (the same with compare, which `experiment=NAME` replaces)."""
    return NAMED_EXPERIMENT if any(a.startswith("+experiment=") for a in argv) else DEFAULT_APP


CLAIMED_CONFIG = "ess_sim_claimed_sweep"  # the main config with the claim's clock
FAILED_RUNS_EXIT = 1  # a sweep whose runs did not all complete (its report is still built)
NAMED_RUNS = 5  # runs named in that one-line summary; the others are counted


def main(watch: Callable[[Path | None], None] | None = None) -> None:
    """`python -m sim.experiments [overrides]`: a multirun (its main config says so) of compare
    unless the command line names another experiment. `watch` is called with the claimed sweep
    folder (None when Hydra only prints) before Hydra starts. Exits 1 with a one-line summary
    when some planned runs did not complete."""
    argv = sys.argv[1:]
    ConfigStore.instance().store(name=SCHEMA_NAME, node=ExperimentConfig)
    register_plugins()
    claim, moment = None, datetime.now()
    try:
        folder = prevalidate(argv, moment)
        if folder is not None:
            _adopt_earlier_sweep(folder)
        claim = RunFolderLock(folder, "hydra.sweep.dir", reuse=True) if folder is not None else None
    except (ConfigError, TerritorySelectionError) as error:
        if os.environ.get("ESS_SIM_DEBUG"):
            raise
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    config_name = main_config(argv)
    if claim is not None:
        ConfigStore.instance().store(name=CLAIMED_CONFIG,
                                     node=claimed_clock_node(config_name, moment))
        config_name = CLAIMED_CONFIG
    if watch is not None:
        watch(folder)
    try:
        hydra.main(version_base="1.3", config_path=str(config_dir()),
                   config_name=config_name)(run_task)()
    finally:
        if claim is not None:
            claim.release()
    summary = unfinished_summary(folder) if folder is not None else None
    if summary:
        print(f"error: {summary}", file=sys.stderr, flush=True)
        sys.exit(FAILED_RUNS_EXIT)


def unfinished_summary(sweep_dir: Path) -> str | None:
    """One line naming the planned runs of a sweep that did not complete (failed, lost, never
    run) and how to resume it; None when every run is complete."""
    try:
        info = json.loads((sweep_dir / SWEEP_INFO).read_text())
    except (OSError, ValueError):
        return None
    found = {}
    for path in (sweep_dir / "runs").rglob(STATUS):
        with contextlib.suppress(OSError, ValueError):
            record = read_status(path.parent)
            found[(record["arm"], record["seed"], record.get("sample"))] = record
    unfinished = []
    for run in info.get("expected", []):
        record = found.get((run["arm"], run["seed"], run.get("sample")))
        if record is None or record.get("status") != "complete":
            unfinished.append(_run_state(run, record))
    if not unfinished:
        return None
    named = "; ".join(unfinished[:NAMED_RUNS]) + (
        f"; and {len(unfinished) - NAMED_RUNS} more" if len(unfinished) > NAMED_RUNS else "")
    total = len(info.get("expected", []))
    return (f"{len(unfinished)} of {total} runs did not complete ({named}); the report, if "
            f"built, covers the {total - len(unfinished)} complete ones; resume (complete runs "
            f"are skipped): {resume_command(info.get('command', ''), sweep_dir)}")


def _run_state(run: dict, record: dict | None) -> str:
    """'arm=a seed=k [sample=s] <state>' for a run that did not complete."""
    name = f"arm={run['arm']} seed={run['seed']}"
    if run.get("sample") is not None:
        name += f" sample={run['sample']}"
    if record is None:
        return f"{name} not run"
    if record.get("status") == "failed":
        return f"{name} failed: {str(record.get('error', '')).split(':')[0]}"
    return f"{name} interrupted"


def resume_command(command: str, sweep_dir: Path) -> str:
    """The sweep's command with its folder given as it was claimed (a `${now:...}` in it would
    name a new folder)."""
    args = [a for a in shlex.split(command) if not a.lstrip("+").startswith("hydra.sweep.dir=")]
    return shlex.join([*args, f"hydra.sweep.dir={Path(sweep_dir).resolve()}"])
