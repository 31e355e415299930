"""Light runs in sweeps: an arm's config is composed and validated once per worker, and each
replication derives its own from it by its seed (issue #20, item 2).

Replications of an arm differ only by ``seed``, yet composing and validating the model's config
(OmegaConf's structured merge, range checks, territory selection) costs about as much as a short
run. ``prepare_arm`` does it once; ``run_seed`` copies the validated config with the seed, checks
the seed's range as validation would, and runs it. The outputs and the manifest are those of
``sim.api.run_config`` on the same overrides: same config values, same resolved copy.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import NamedTuple

from omegaconf import DictConfig

from sim.api import RunResult, resolved_config, run_validated
from sim.config import SimConfig, validate
from sim.config.validate import _check_fields


class PreparedArm(NamedTuple):
    """An arm's validated config and its plain copy for the manifest, shared by its seeds."""

    config: SimConfig
    resolved: dict


def prepare_arm(cfg: DictConfig) -> PreparedArm:
    """Validate a composed config once (it is not changed)."""
    return PreparedArm(validate(cfg), resolved_config(cfg))


def run_seed(arm: PreparedArm, seed: int | None) -> RunResult:
    """Run the arm with ``seed`` (None: the config's own). The run gets its own copies: a run
    can never change what the next seed starts from."""
    config, resolved = copy.deepcopy(arm.config), copy.deepcopy(arm.resolved)
    if seed is not None:
        config = dataclasses.replace(config, seed=seed)
        _check_fields(config, "")  # the seed's range, as validate() checks it
        resolved["seed"] = seed
    return run_validated(config, resolved)
