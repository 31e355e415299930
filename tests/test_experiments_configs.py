"""Every experiment config composes with the model's config tree and plans the intended runs."""

import numpy as np
import pytest
from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf

from sim.config import ConfigError, config_dir
from sim.experiments import sensitivity
from sim.experiments.callbacks import planned_runs
from sim.experiments.runner import SCHEMA_NAME, ExperimentConfig, prevalidate, run_spec


@pytest.fixture
def experiment_schema():
    """The experiment app's schema, for this test only (the model's is put back after)."""
    store = ConfigStore.instance()
    saved = store.repo[f"{SCHEMA_NAME}.yaml"]
    store.store(name=SCHEMA_NAME, node=ExperimentConfig)
    GlobalHydra.instance().clear()
    yield
    GlobalHydra.instance().clear()
    store.repo[f"{SCHEMA_NAME}.yaml"] = saved


def _compose(*overrides):
    with initialize_config_dir(str(config_dir()), version_base="1.3"):
        return compose("config", overrides=list(overrides), return_hydra_config=True)


@pytest.mark.parametrize(("name", "arms", "runs"), [
    ("compare", 6, 120), ("factorial", 16, 320), ("dose_response", 5, 100),
    ("sensitivity", 2, 2 * 10 * (14 + 1)),  # Morris: trajectories × (parameters + 1)
])
def test_experiment_plans(experiment_schema, name, arms, runs):
    cfg = _compose(f"+experiment={name}")
    planned = planned_runs(cfg)
    assert len(planned) == runs
    assert len({p["arm"] for p in planned}) == arms
    assert cfg.hydra.launcher._target_.endswith("JoblibLauncher")


def test_dose_arms_carry_their_dose_and_override(experiment_schema):
    cfg = _compose("+experiment=dose_response", "arm=land_trust_50", "seed=4")
    spec = run_spec(cfg, ["arm=land_trust_50", "seed=4", "+experiment=dose_response"])
    assert spec.arm.dose == 0.5
    assert spec.overrides[-3:] == ("policies.land_trust.intensity=0.5", "policies=[land_trust]",
                                   "seed=4")


def test_policies_sweep_names_arms_by_levers(experiment_schema):
    cfg = _compose("+experiment=compare", "policies=[reserved_markets,land_trust]")
    assert cfg.arm == "land_trust+reserved_markets"
    assert _compose("+experiment=compare").arm == "baseline"


def test_sensitivity_design_is_deterministic_and_ranks_parameters():
    cfg = OmegaConf.create({"method": "morris", "seed": 0, "morris": {"trajectories": 8,
                            "levels": 4}, "parameters": {"a.x": [0.0, 1.0], "b.y": [10, 20]}})
    _, x = sensitivity.design(cfg)
    assert x.shape == (8 * 3, 2)
    assert sensitivity.point(cfg, 5) == {"a.x": x[5, 0], "b.y": x[5, 1]}
    assert np.all((x[:, 1] >= 10) & (x[:, 1] <= 20))
    table = sensitivity.analyse(cfg, 100 * x[:, 0] + 0.001 * x[:, 1]).set_index("parameter")
    assert table.loc["a.x", "mu_star"] > 100 * table.loc["b.y", "mu_star"]
    sobol = OmegaConf.merge(cfg, {"method": "sobol", "sobol": {"base_samples": 64}})
    _, xs = sensitivity.design(sobol)
    indices = sensitivity.analyse(sobol, xs[:, 0] ** 2).set_index("parameter")
    assert indices.loc["a.x", "ST"] > 0.9 and abs(indices.loc["b.y", "ST"]) < 0.05


@pytest.mark.parametrize("name", ["compare", "factorial", "dose_response", "sensitivity"])
def test_experiments_pass_the_safety_checks(experiment_schema, tmp_path, name):
    prevalidate([f"+experiment={name}", f"hydra.sweep.dir={tmp_path}"])


@pytest.mark.parametrize(("override", "message"), [
    ("horizon_months=-3", "out of range"),
    ("arm=not_a_lever", "unknown option"),
    ("hydra.callbacks.experiment._target_=os.system", "not allowed"),
])
def test_bad_command_lines_fail_before_any_run(experiment_schema, tmp_path, override, message):
    with pytest.raises(ConfigError, match=message):
        prevalidate(["+experiment=compare", override, f"hydra.sweep.dir={tmp_path}"])
