"""`hydra/sweeper=first_job`: the cartesian product of the command line's sweeps, in batches, as
Hydra's basic sweeper does (same settings: `params`, `max_batch_size`; same job order, same
`multirun.yaml`), checking only the first job's config before a batch starts (see
`sim.experiments.runner`). Built on Hydra's public Sweeper interface, not on its private
BasicSweeper."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from hydra.core.plugins import Plugins
from hydra.errors import HydraException
from hydra.plugins.sweeper import Sweeper
from omegaconf import OmegaConf


class FirstJobSweeper(Sweeper):
    """Hydra's basic sweeper composes every job's config in the launching process before the
    first job starts (a quarter to a full second each with the model's schema: up to two minutes
    for a 120-run comparison). Jobs of an experiment differ only by plain values (arm, seed,
    sample), so composing the first finds the same errors; every job still composes its own
    config where it runs."""

    def __init__(self, max_batch_size: int | None = None,
                 params: dict[str, str] | None = None) -> None:
        super().__init__()
        if max_batch_size is not None and max_batch_size < 1:
            raise HydraException(f"hydra.sweeper.max_batch_size={max_batch_size}: allowed: "
                                 "null (one batch) or a positive number of jobs")
        self.max_batch_size = max_batch_size
        self.params = dict(params or {})
        self.hydra_context = self.config = self.launcher = None

    def setup(self, *, hydra_context, task_function, config) -> None:
        self.hydra_context, self.config = hydra_context, config
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config)

    def sweep(self, arguments: list[str]) -> Any:
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        overrides = parser.parse_overrides([*(f"{k}={v}" for k, v in self.params.items()),
                                            *arguments])
        sweep_dir = Path(self.config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
        returns, first_index = [], 0
        for batch in batches(job_overrides(overrides), self.max_batch_size):
            self.validate_batch_is_legal(batch[:1])
            results = self.launcher.launch(batch, initial_job_idx=first_index)
            for result in results:
                _ = result.return_value  # raises here if the job failed, as Hydra's sweepers do
            first_index += len(batch)
            returns.append(results)
        return returns


def job_overrides(overrides: Sequence[Override]) -> list[list[str]]:
    """Every job's overrides: the cartesian product of the sweeps (a key given twice keeps its
    first position and its last values), in command-line order."""
    choices: dict[str, list[str]] = {}
    for override in overrides:
        key = override.get_key_element()
        if not override.is_sweep_override():
            choices[key] = [f"{key}={override.get_value_element_as_str()}"]
        elif override.is_discrete_sweep():
            choices[key] = [f"{key}={value}" for value in override.sweep_string_iterator()]
        else:
            raise HydraException(f"{key}: hydra/sweeper=first_job sweeps lists and ranges, "
                                 f"not {override.value_type.name}")
    return [list(job) for job in itertools.product(*choices.values())]


def batches(jobs: list[list[str]], size: int | None) -> list[list[list[str]]]:
    """The jobs in batches of `size` (all in one when None)."""
    size = size or max(len(jobs), 1)
    return [jobs[i:i + size] for i in range(0, len(jobs), size)] or [[]]
