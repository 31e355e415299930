"""Running the model from Python (notebooks, experiments, the dashboard).

    >>> from sim.api import run
    >>> result = run(["territory=classroom", "horizon_months=24", "policies=[land_trust]"])
    >>> result.timeseries.tail()

The overrides are the same strings as on the command line.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.config import SimConfig, compose_config, validate
from sim.model import EcosystemModel
from sim.outputs import (
    ensure_owned,
    git_commit,
    now_utc,
    versions,
    write_failure,
    write_run,
    write_running,
)

logging.getLogger("MESA").setLevel(logging.WARNING)


@dataclass
class RunResult:
    timeseries: pd.DataFrame
    territories: pd.DataFrame
    events: pd.DataFrame
    summary: dict
    config: dict
    manifest: dict = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"timeseries": self.timeseries, "territories": self.territories,
                "events": self.events}


def build_model(overrides: Sequence[str] = ()) -> EcosystemModel:
    """A ready-to-step model for the given overrides (the dashboard steps it itself)."""
    return EcosystemModel(compose_config(overrides))


def run(overrides: Sequence[str] = (), *, progress: bool = False) -> RunResult:
    """Run one configuration to its horizon and return its tables."""
    return run_config(compose_config(overrides), progress=progress)


def run_config(cfg: DictConfig, *, progress: bool = False) -> RunResult:
    return run_validated(validate(cfg), resolved_config(cfg), progress=progress)


def resolved_config(cfg: DictConfig) -> dict:
    """The composed config as plain values, without Hydra's own keys (the manifest's copy)."""
    resolved = OmegaConf.to_container(cfg, resolve=True)
    resolved.pop("hydra", None)
    return resolved


def run_validated(config: SimConfig, resolved: dict, *, progress: bool = False) -> RunResult:
    """Run a validated config to its horizon; ``resolved`` is the plain copy of the config
    that the manifest records (``resolved_config``)."""
    started = now_utc()
    model = EcosystemModel(config)
    _run_with_progress(model, progress and config.progress)
    summary = model.metrics.summary()
    manifest = {
        "seed": config.seed, "levers": model.lever_names,
        "lever_settings": {p.name: p.settings() for p in model.policies},
        "territory": asdict(config.territory), "scenario": config.scenario.name,
        "config": resolved, "versions": versions(), "git_commit": git_commit(),
        "start_time": started, "command": " ".join(sys.argv),
    }
    return RunResult(model.timeseries_frame(), model.territory_frame(), model.events_frame(),
                     summary, resolved, manifest)


def run_to_directory(cfg: DictConfig, directory: Path, *, progress: bool = False) -> RunResult:
    """Run and write the outputs into ``directory``, which must be new, empty or a run folder
    (``sim.outputs.ensure_owned``). The manifest says ``running`` from the start (an earlier
    run's outputs there are removed first); on error, partial files are removed and the
    manifest says ``failed``."""
    ensure_owned(directory)
    started = {"start_time": now_utc(), "command": " ".join(sys.argv)}
    write_running(directory, started)
    try:
        result = run_config(cfg, progress=progress)
    except Exception as error:
        write_failure(directory, started, error)
        raise
    result.manifest = write_run(directory, result.tables(), result.summary, result.manifest)
    return result


def _run_with_progress(model: EcosystemModel, show: bool) -> None:
    horizon = model.config.horizon_months
    show = show and sys.stderr.isatty()
    while model.running:
        model.step()
        if show and (model.month % 6 == 0 or not model.running):
            done = int(30 * model.month / horizon)
            sys.stderr.write(f"\r[{'#' * done}{'.' * (30 - done)}] month {model.month}/{horizon}")
            sys.stderr.flush()
    if show:
        sys.stderr.write("\n")
