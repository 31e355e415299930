"""Hydra's joblib and submitit launchers, made to survive the death of a worker process: the
logic of the `hydra/launcher=resilient_joblib` plugin, which experiments use by default, and of
`resilient_submitit_local` / `resilient_submitit_slurm` (`launch_submitit`, at the end). The
plugin classes are in `hydra_plugins/ess_sim/`: Hydra instantiates launchers from the
`hydra_plugins` package only.

A run that raises is recorded by the runner; a run that kills its process (the kernel's
out-of-memory killer, a segfault, an administrator's `kill -9`) is another matter: joblib's loky
executor then kills every worker, fails every pending job with `TerminatedWorkerError`, and
Hydra's joblib launcher stops the sweep without its report.

This launcher runs the same jobs with the same `hydra.launcher.*` settings, and when a worker
dies it goes on: the jobs that were in flight are suspects, and each runs again alone, in a
one-worker pool, so that a second death names its cause without doubt and cannot take innocent
jobs with it (a job that died of memory pressure from its neighbours usually succeeds alone). A
job that dies alone is recorded as failed in its `status.json` (error `WorkerDied`), like a run
that raised, and a resume runs it again. Then the other jobs go on in parallel. Jobs that ended
before the death do not run again (if a result was lost in transit, the runner skips the run).
`tests/test_fault_tolerance.py` kills workers mid-sweep.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, JobStatus, configure_log, filter_overrides, setup_globals
from hydra.plugins.launcher import Launcher
from hydra_plugins.hydra_joblib_launcher._core import process_joblib_cfg
from hydra_plugins.hydra_joblib_launcher.joblib_launcher import JoblibLauncher
from joblib import Parallel, delayed, effective_n_jobs
from joblib.externals.loky.process_executor import ProcessPoolExecutor, TerminatedWorkerError

from sim.experiments.runner import (
    WorkerDied,
    complete_jobs,
    record_lost_run,
    report_skipped,
    run_spec,
    sweep_id,
)
from sim.experiments.worker_jobs import SharedLaunch
from sim.experiments.worker_jobs import execute_job as _execute_job

log = logging.getLogger(__name__)
# Deaths in a row with no job in flight (workers dying as they start) before giving up: then
# the machine is at fault, not a run.
MAX_DEATHS_WITHOUT_SUSPECT = 3
# How long to wait for a broken pool's workers to be gone before their jobs run again.
REAP_TIMEOUT_S = 30.0
# How often the Ray launcher collects the tasks that ended.
RAY_POLL_S = 1.0

Jobs = dict[int, list[str]]
Returns = dict[int, JobReturn]


def launch(launcher: JoblibLauncher, job_overrides: Sequence[Sequence[str]],
           initial_job_idx: int) -> list[JobReturn]:
    """As Hydra's joblib `launch`: one return per job, in the order given."""
    setup_globals()
    configure_log(launcher.config.hydra.hydra_logging, launcher.config.hydra.verbose)
    Path(str(launcher.config.hydra.sweep.dir)).mkdir(parents=True, exist_ok=True)
    joblib_cfg = dict(launcher.joblib, backend="loky")  # as Hydra's: threads break Hydra
    process_joblib_cfg(joblib_cfg)
    jobs = {initial_job_idx + i: list(o) for i, o in enumerate(job_overrides)}
    log.info("Joblib.Parallel(%s) is launching %d jobs, going on if a worker dies",
             ",".join(f"{k}={v}" for k, v in joblib_cfg.items()), len(jobs))
    for idx, overrides in jobs.items():
        log.info("\t#%d : %s", idx, " ".join(filter_overrides(overrides)))
    returns: Returns = {}
    with tempfile.TemporaryDirectory(prefix="ess-in-flight-") as in_flight:
        _run_until_done(launcher, jobs, returns, joblib_cfg, Path(in_flight))
    return [returns[idx] for idx in jobs]


def _run_until_done(launcher: JoblibLauncher, jobs: Jobs, returns: Returns, joblib_cfg: dict,
                    in_flight: Path) -> None:
    deaths_without_suspect = 0
    while pending := [idx for idx in jobs if idx not in returns]:
        death = _parallel(launcher, pending, jobs, returns, joblib_cfg, in_flight)
        if death is None:
            return
        suspects = _interrupted(in_flight)
        log.warning("A worker died (%s); the jobs it interrupted run again alone: %s",
                    _exit_codes(death), sorted(suspects) or "none")
        deaths_without_suspect = 0 if suspects else deaths_without_suspect + 1
        if deaths_without_suspect >= MAX_DEATHS_WITHOUT_SUSPECT:
            raise death
        for idx in sorted(suspects):
            second = _one_worker(launcher, [idx], jobs, returns, in_flight)
            if second is not None:
                _interrupted(in_flight)
                returns[idx] = _record_death(launcher, jobs[idx],
                                             _worker_died_twice(second))


def _tracked_job(in_flight: Path, idx: int, overrides: list[str], launch: SharedLaunch
                 ) -> tuple[int, JobReturn]:
    """Hydra's joblib job (`_execute_job`), with a marker file (holding the worker's pid) while
    it runs, so that the launching process knows which jobs a worker's death interrupted."""
    marker = in_flight / str(idx)
    marker.write_text(str(os.getpid()))
    try:
        return idx, _execute_job(idx, overrides, launch)
    finally:
        marker.unlink(missing_ok=True)


def _parallel(launcher: JoblibLauncher, indices: list[int], jobs: Jobs, returns: Returns,
              joblib_cfg: dict, in_flight: Path) -> TerminatedWorkerError | None:
    """Run the jobs, keeping each return as it comes; the worker death that stopped them, if
    one did."""
    for stale in in_flight.iterdir():  # a straggler's, written as loky was killing it
        stale.unlink()
    if effective_n_jobs(joblib_cfg.get("n_jobs")) == 1:
        return _one_worker(launcher, indices, jobs, returns, in_flight)
    launch = SharedLaunch.of(launcher)
    calls = (delayed(_tracked_job)(in_flight, idx, jobs[idx], launch) for idx in indices)
    try:
        for idx, job_return in Parallel(**joblib_cfg, return_as="generator_unordered")(calls):
            returns[idx] = job_return
    except TerminatedWorkerError as death:
        return death
    return None


def _one_worker(launcher: JoblibLauncher, indices: list[int], jobs: Jobs, returns: Returns,
                in_flight: Path) -> TerminatedWorkerError | None:
    """Run jobs one after the other in a one-worker process pool (joblib runs `n_jobs=1` in this
    very process, which a death would take down); the worker's death, if it died."""
    launch = SharedLaunch.of(launcher)
    with ProcessPoolExecutor(max_workers=1) as executor:  # not joblib's shared one
        for idx in indices:
            future = executor.submit(_tracked_job, in_flight, idx, jobs[idx], launch)
            try:
                returns[idx] = future.result()[1]
            except TerminatedWorkerError as death:
                return death
    return None


def _worker_died_twice(death: TerminatedWorkerError) -> WorkerDied:
    return WorkerDied(f"the process running this job died twice, the second time alone "
                      f"({_exit_codes(death)}; SIGKILL usually means out of memory)")


def _record_death(launcher: Launcher, overrides: list[str], error: WorkerDied) -> JobReturn:
    """Record a job whose process died under it as a failed run; its return is the run's
    record, as for a run that raised."""
    cfg = launcher.hydra_context.config_loader.load_sweep_config(launcher.config, overrides)
    hc = cfg.hydra
    run_dir = Path(hc.sweep.dir) / hc.sweep.subdir
    record = record_lost_run(run_dir, run_spec(cfg, list(hc.overrides.task)),
                             str(cfg.experiment.get("backend", "model")), error,
                             Path(hc.sweep.dir))
    return JobReturn(overrides=overrides, working_dir=str(run_dir), task_name=hc.job.name,
                     status=JobStatus.COMPLETED, _return_value=record)


def _interrupted(in_flight: Path) -> set[int]:
    """The jobs whose markers a death left, once their workers are gone: loky fails the jobs
    before it kills the other workers, and a straggler must not write while its job reruns."""
    markers = list(in_flight.iterdir())
    pids = {int(marker.read_text() or 0) for marker in markers}
    deadline = time.monotonic() + REAP_TIMEOUT_S
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    for marker in markers:
        marker.unlink()
    return {int(marker.name) for marker in markers}


def _alive(pid: int) -> bool:
    if pid <= 0:  # never signal 0 (our process group)
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _exit_codes(death: TerminatedWorkerError) -> str:
    """The exit codes loky lists at the end of its message, e.g. 'exit codes {SIGKILL(-9)}'."""
    _, found, codes = str(death).rpartition("exit codes of the workers are ")
    return f"exit codes {codes.split()[0]}" if found else str(death).splitlines()[0]


def launch_submitit(launcher: Launcher, job_overrides: Sequence[Sequence[str]],
                    initial_job_idx: int) -> list[JobReturn]:
    """Hydra's submitit launch (adapted from hydra-submitit-launcher 1.2, MIT licence: the same
    executor settings and job arguments), except at the end: a job that ended without a return
    (killed for memory or time, its node lost) is recorded as a failed run, where Hydra's stops
    the sweep at the first such job, before its report. Each submitit job is its own process
    (its own Slurm job), so the others are not affected; a resume submits only the jobs not
    already complete (failed, lost or missing), where Hydra's resubmits every array task."""
    import submitit
    from hydra_plugins.hydra_submitit_launcher.config import BaseQueueConf
    from omegaconf import OmegaConf

    kind, params = launcher._EXECUTOR, launcher.params
    init_keys = {"submitit_folder", "max_num_timeout"}
    init = {"folder": params["submitit_folder"]}
    if "max_num_timeout" in params:
        init[f"{kind}_max_num_timeout"] = params["max_num_timeout"]
    executor = submitit.AutoExecutor(cluster=kind, **init)
    queue_keys = set(OmegaConf.structured(BaseQueueConf).keys())
    executor.update_parameters(**{k if k in queue_keys else f"{kind}_{k}": v
                                  for k, v in params.items() if k not in init_keys})
    sweep_dir = Path(str(launcher.config.hydra.sweep.dir))
    sweep_dir.mkdir(parents=True, exist_ok=True)
    if "mode" in launcher.config.hydra.sweep:
        os.chmod(sweep_dir, mode=int(str(launcher.config.hydra.sweep.mode), 8))
    log.info("Submitit '%s' sweep output dir : %s", kind, sweep_dir)
    done = _complete_before(launcher, job_overrides, sweep_dir)
    arguments, submitted = [], []
    for idx, overrides in enumerate(job_overrides, start=initial_job_idx):
        if tuple(overrides) in done:
            continue
        log.info("\t#%d : %s", idx, " ".join(filter_overrides(overrides)))
        arguments.append((list(overrides), "hydra.sweep.dir", idx, f"job_id_for_{idx}",
                          Singleton.get_state()))
        submitted.append(list(overrides))
    jobs = executor.map_array(launcher, *zip(*arguments, strict=True)) if arguments else []
    returns = iter(_gather_submitit(launcher, jobs, submitted))
    return [_skipped(launcher, done[tuple(o)], o, sweep_dir) if tuple(o) in done
            else next(returns) for o in job_overrides]


def _complete_before(launcher: Launcher, job_overrides: Sequence[Sequence[str]],
                     sweep_dir: Path) -> dict[tuple[str, ...], dict]:
    """The jobs of this batch already complete in the sweep folder (a resume): not submitted
    again. The sweep id comes from composing the first job only (every job shares it)."""
    if not job_overrides or not (sweep_dir / "runs").is_dir():
        return {}
    cfg = launcher.hydra_context.config_loader.load_sweep_config(launcher.config,
                                                                 list(job_overrides[0]))
    return complete_jobs(sweep_dir, sweep_id(cfg, list(cfg.hydra.overrides.task)))


def _skipped(launcher: Launcher, record: dict, overrides: Sequence[str],
             sweep_dir: Path) -> JobReturn:
    report_skipped(sweep_dir, record)
    return JobReturn(overrides=list(overrides), working_dir=record["dir"],
                     task_name=launcher.config.hydra.job.name, status=JobStatus.COMPLETED,
                     _return_value={k: v for k, v in record.items() if k != "dir"})


def _gather_submitit(launcher: Launcher, jobs: Sequence,
                     job_overrides: Sequence[Sequence[str]]) -> list[JobReturn]:
    from submitit.core.utils import UncompletedJobError

    lost = _lost_slurm_jobs(launcher, jobs)
    returns = []
    for job, overrides in zip(jobs, job_overrides, strict=True):
        if job.job_id in lost:
            error = WorkerDied(f"Slurm job {job.job_id} ended without a result "
                               f"({lost[job.job_id]}; its log: {job.paths.stderr})")
            returns.append(_record_death(launcher, list(overrides), error))
            continue
        try:
            returns.append(job.results()[0])
        except UncompletedJobError:
            error = WorkerDied(f"submitit job {job.job_id} ended without a result (state "
                               f"{job.state}; its log: {job.paths.stderr})")
            returns.append(_record_death(launcher, list(overrides), error))
    return returns


def _lost_slurm_jobs(launcher: Launcher, jobs: Sequence) -> dict[str, str]:
    """Slurm jobs that ended without a result, told from squeue and submitit's result files
    (`sim.experiments.slurm_jobs`): submitit's own wait asks `sacct`, which fails without
    Slurm's accounting daemon and would wait forever for a killed job."""
    if launcher._EXECUTOR != "slurm" or not jobs:
        return {}
    from sim.experiments.slurm_jobs import wait_for_jobs

    return wait_for_jobs(jobs)


def launch_ray(launcher: Launcher, job_overrides: Sequence[Sequence[str]],
               initial_job_idx: int) -> list[JobReturn]:
    """Hydra's Ray launch (hydra-ray-launcher 1.2: one Ray task per job, `ray.remote` options
    from `hydra.launcher.ray.remote`), made resilient as `launch_submitit` is: a resume submits
    only the jobs not already complete, and a task that ends without a result once Ray's
    retries are spent (its worker killed, out of memory, its node lost) is recorded as a failed
    run, where Hydra's waits for the tasks in order and stops the sweep, before its report, at
    the first such task. Jobs run as the resilient joblib launcher's do (`execute_job`: Hydra's
    context pickled once per launch, job configs composed once per group)."""
    import ray
    from omegaconf import OmegaConf

    setup_globals()
    configure_log(launcher.config.hydra.hydra_logging, launcher.config.hydra.verbose)
    sweep_dir = Path(str(launcher.config.hydra.sweep.dir))
    sweep_dir.mkdir(parents=True, exist_ok=True)
    if not ray.is_initialized():  # joins the cluster as configured, without sizing it
        ray.init(**OmegaConf.to_container(launcher.ray_cfg.init, resolve=True))
    done = _complete_before(launcher, job_overrides, sweep_dir)
    jobs, returns = {}, {}
    for idx, overrides in enumerate(job_overrides, start=initial_job_idx):
        if tuple(overrides) in done:
            returns[idx] = _skipped(launcher, done[tuple(overrides)], overrides, sweep_dir)
        else:
            jobs[idx] = list(overrides)
            log.info("\t#%d : %s", idx, " ".join(filter_overrides(overrides)))
    log.info("Ray launched %d jobs (%d complete, skipped), sweep output dir: %s",
             len(jobs), len(returns), sweep_dir)
    options = OmegaConf.to_container(launcher.ray_cfg.remote, resolve=True) or {}
    task = ray.remote(**options)(_execute_job) if options else ray.remote(_execute_job)
    shared = ray.put(SharedLaunch.of(launcher))
    tasks = {task.remote(idx, overrides, shared): idx for idx, overrides in jobs.items()}
    returns |= _gather_ray(launcher, tasks, jobs)
    return [returns[idx] for idx in range(initial_job_idx, initial_job_idx + len(job_overrides))]


def _gather_ray(launcher: Launcher, tasks: dict, jobs: Jobs) -> Returns:
    """Each task's return as it ends; a task without a result is its run, recorded failed. A
    task that raised (Hydra's own code, not the run: the runner records a run's errors) stops
    the sweep, as under Hydra's launcher."""
    import ray
    from ray.exceptions import RayError, RayTaskError

    returns: Returns = {}
    pending = list(tasks)
    while pending:  # the tasks ended within a second, in one call however many are pending
        ready, pending = ray.wait(pending, num_returns=len(pending), timeout=RAY_POLL_S)
        for ref in ready:
            idx = tasks[ref]
            try:
                returns[idx] = ray.get(ref)
            except RayTaskError:
                raise
            except RayError as lost:
                first_line = (str(lost).strip().splitlines() or [""])[0]
                error = WorkerDied(f"Ray task of job #{idx} ended without a result, Ray's "
                                   f"retries spent ({type(lost).__name__}: {first_line[:300]})")
                log.warning("%s", error)
                returns[idx] = _record_death(launcher, jobs[idx], error)
    return returns
