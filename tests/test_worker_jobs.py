"""Workers set up once per launch (issue #20, item 2): a job leaves Hydra's state as it found it,
so the next job a worker runs starts where Hydra's fresh copy would have started it; the
launch's shared objects are unpickled once per worker."""

from __future__ import annotations

from types import SimpleNamespace

from hydra import initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.singleton import Singleton
from joblib.externals import cloudpickle

from sim.config import compose_config, config_dir
from sim.config.compose import register_schema
from sim.experiments import worker_jobs
from sim.experiments.runner import SCHEMA_NAME, ExperimentConfig, _model_composition


def _singletons() -> dict[str, bytes]:
    """Hydra's singletons as a job finds them (the plugin registry is rebuilt, not sent)."""
    return {kind.__name__: cloudpickle.dumps(instance)
            for kind, instance in Singleton._instances.items() if kind.__name__ != "Plugins"}


def test_a_model_composition_leaves_hydras_singletons_as_it_found_them():
    """As in a job of the experiment app (Hydra initialised, the job named after the task)."""
    ConfigStore.instance().store(name=SCHEMA_NAME, node=ExperimentConfig)
    with initialize_config_dir(str(config_dir()), version_base="1.3", job_name="runner"):
        before = _singletons()
        with _model_composition():
            compose_config(["territory=tiny"])  # names the job "app" while it runs
        assert _singletons() == before
    register_schema()


def test_a_worker_unpickles_a_launch_once_and_keeps_the_latest_two(monkeypatch):
    monkeypatch.setattr(worker_jobs, "_set_up", {})
    loads = []
    real_loads = cloudpickle.loads
    monkeypatch.setattr(worker_jobs.cloudpickle, "loads",
                        lambda payload: loads.append(payload) or real_loads(payload))
    context = SimpleNamespace(config_loader=None)

    def launch(name):
        payload = cloudpickle.dumps((context, {"name": name}, len, {}))
        return worker_jobs.SharedLaunch(name, payload)

    first, second, third = launch("a"), launch("b"), launch("c")
    for current in (first, first, second, first, third, first):
        assert worker_jobs._worker_launch(current).config == {"name": current.key}
    # a, b, (a kept), c evicts a, a again
    assert len(loads) == 4 and list(worker_jobs._set_up) == ["c", "a"]
