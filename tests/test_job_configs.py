"""A job config derived from its group's composition is the one Hydra composes for the job
(issue #20, item 2): same nodes, values, flags and Hydra records, for the experiment app's own
main configs; only jobs that differ by seed or sample share a composition."""

from __future__ import annotations

import pickle

import pytest
from hydra import initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import ConfigCompositionException
from hydra.types import RunMode
from omegaconf import OmegaConf

from sim.config import config_dir
from sim.config.compose import register_schema
from sim.experiments.job_configs import JobConfigs
from sim.experiments.runner import SCHEMA_NAME, ExperimentConfig


@pytest.fixture
def app():
    """Hydra's config loader and the master config of `python -m sim.experiments <overrides>`;
    counts Hydra's compositions of job configs."""
    ConfigStore.instance().store(name=SCHEMA_NAME, node=ExperimentConfig)
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        loader = GlobalHydra.instance().config_loader()
        composed = []
        hydra_load = loader.load_sweep_config

        def counting(master, overrides):
            composed.append(list(overrides))
            return hydra_load(master, overrides)

        loader.load_sweep_config = counting

        def master(name, overrides):
            return loader.load_configuration(name, overrides, RunMode.MULTIRUN)

        yield loader, hydra_load, master, composed
    register_schema()


def _same(derived, composed) -> None:
    assert OmegaConf.to_yaml(derived) == OmegaConf.to_yaml(composed)
    assert pickle.dumps(derived) == pickle.dumps(composed)  # flags, types, resolver cache


def test_seeds_of_an_arm_share_one_composition_and_equal_hydras(app):
    loader, hydra_load, master, composed = app
    config = master("experiments_compare", ["horizon_months=12"])
    jobs = JobConfigs(loader, config)
    arms = [["arm=baseline", f"seed={k}"] for k in (0, 1, 2)] + [["arm=land_trust", "seed=1"]]
    for job in [*arms, ["arm=baseline", "seed=0"]]:
        derived = jobs.load(job)
        _same(derived, hydra_load(config, job))
        derived.seed = 99  # a job changes its own config only
    assert composed == [["arm=baseline", "seed=0"], ["arm=land_trust", "seed=1"]]


def test_sensitivity_samples_and_list_overrides_equal_hydras(app):
    loader, hydra_load, master, composed = app
    config = master("experiments", ["+experiment=sensitivity", "territory=tiny"])
    jobs = JobConfigs(loader, config)
    for sample, seed in ((0, 0), (3, 0), (3, 2)):
        job = ["policies=[land_trust,impact_vat]", f"sample={sample}", f"seed={seed}"]
        _same(jobs.load(job), hydra_load(config, job))
    assert len(composed) == 1


def test_config_groups_and_other_values_are_composed_by_hydra(app):
    loader, hydra_load, master, composed = app
    config = master("experiments_compare", [])
    jobs = JobConfigs(loader, config)
    for job in (["territory=tiny", "seed=0"], ["territory=classroom", "seed=0"],
                ["horizon_months=12", "seed=0"], ["horizon_months=24", "seed=0"],
                ["+extra=1", "seed=0"], ["++sample=1"], ["++sample=2"]):
        _same(jobs.load(job), hydra_load(config, job))
    assert len(composed) == 7


def test_a_value_the_schema_refuses_gets_hydras_error(app):
    loader, _, master, _ = app
    jobs = JobConfigs(loader, master("experiments_compare", []))
    jobs.load(["arm=baseline", "seed=0"])
    with pytest.raises(ConfigCompositionException, match="seed"):
        jobs.load(["arm=baseline", "seed=abc"])


def test_a_template_keeps_classes_pickle_would_refuse():
    """Hydra's plugin scan imports the joblib launcher's config class twice, so that pickling a
    job config by class name fails ("not the same object"); a template keeps the classes
    themselves, and its copies are the deep copy's, pickle bytes included."""
    import copy
    from dataclasses import dataclass

    from sim.experiments.job_configs import Template

    @dataclass
    class Local:  # not importable by its name: pickle refuses it as it refuses the twin class
        n_jobs: int = 2

    cfg = OmegaConf.create({"hydra": {"launcher": OmegaConf.structured(Local)}, "seed": 0})
    with pytest.raises((pickle.PicklingError, AttributeError)):
        pickle.dumps(cfg)
    template = Template(cfg)
    first, second = template.copy(), template.copy()
    assert OmegaConf.get_type(first.hydra.launcher) is Local
    first.seed = 5
    assert second.seed == 0 and cfg.seed == 0
    assert OmegaConf.to_yaml(second) == OmegaConf.to_yaml(copy.deepcopy(cfg))
    assert Template(second)._payload == Template(copy.deepcopy(cfg))._payload
