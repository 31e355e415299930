"""Jobs of a launch run in worker processes, each worker setting up once for all the jobs it runs
(issue #20, item 2), for `sim.experiments.launchers`.

Hydra's joblib launcher sends every job Hydra's context, the master config and its singletons
(about 170 KB pickled: some 0.05 s of CPU per job, half in the launching process), and the
worker composes the job's config from scratch. Here the launching process pickles them once per
launch; a worker unpickles them at its first job of the launch and keeps them, with the job
configs it composed (`sim.experiments.job_configs`), for its next jobs. Loky keeps its workers
between jobs, so imports, territories and networks (cached by the model's loaders) already
last a worker's lifetime. A job is otherwise run as Hydra's `execute_job` runs it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import cloudpickle
from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, run_job, setup_globals
from hydra.plugins.launcher import Launcher
from omegaconf import open_dict

from sim.experiments.job_configs import JobConfigs

# Launches a worker keeps set up (a worker of joblib's shared pool may serve several sweeps
# run from one process, one after the other).
KEPT_LAUNCHES = 2


@dataclass(frozen=True)
class SharedLaunch:
    """What every job of a launch shares, pickled once; `key` names it in a worker's cache."""

    key: str
    payload: bytes

    @classmethod
    def of(cls, launcher: Launcher) -> SharedLaunch:
        payload = cloudpickle.dumps((launcher.hydra_context, launcher.config,
                                     launcher.task_function, Singleton.get_state()))
        return cls(hashlib.blake2b(payload, digest_size=16).hexdigest(), payload)


@dataclass
class _WorkerLaunch:
    hydra_context: Any
    config: Any
    task_function: Any
    singleton_state: dict
    job_configs: JobConfigs


_set_up: dict[str, _WorkerLaunch] = {}


def _worker_launch(launch: SharedLaunch) -> _WorkerLaunch:
    """This worker's copy of the launch, unpickled at its first job of the launch."""
    if launch.key not in _set_up:
        context, config, task_function, state = cloudpickle.loads(launch.payload)
        while len(_set_up) >= KEPT_LAUNCHES:
            _set_up.pop(next(iter(_set_up)))
        _set_up[launch.key] = _WorkerLaunch(context, config, task_function, state,
                                            JobConfigs(context.config_loader, config))
    return _set_up[launch.key]


def execute_job(idx: int, overrides: list[str], launch: SharedLaunch) -> JobReturn:
    """Hydra's joblib `execute_job` (hydra-joblib-launcher 1.2), the job's config from the
    worker's `JobConfigs`."""
    worker = _worker_launch(launch)
    setup_globals()
    Singleton.set_state(worker.singleton_state)
    sweep_config = worker.job_configs.load(overrides)
    with open_dict(sweep_config):
        sweep_config.hydra.job.id = f"{sweep_config.hydra.job.name}_{idx}"
        sweep_config.hydra.job.num = idx
    # Hydra's execute_job sets the job's HydraConfig here too; run_job sets it first thing
    # (and again once the job's folder is known), so that copy of the Hydra node is not made.
    return run_job(hydra_context=worker.hydra_context, config=sweep_config,
                   task_function=worker.task_function, job_dir_key="hydra.sweep.dir",
                   job_subdir_key="hydra.sweep.subdir")
