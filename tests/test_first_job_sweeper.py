"""The first-job sweeper, built on Hydra's public Sweeper interface, expands a command line into
the same jobs, in the same order and batches, as Hydra's basic sweeper (imported here only as the
reference), and composes only the first job of each batch before launching it."""

from types import SimpleNamespace

import pytest
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from omegaconf import OmegaConf

from hydra_plugins.ess_sim.first_job_sweeper import FirstJobSweeper, batches, job_overrides

COMMAND_LINES = [
    [],
    ["seed=1,2,3"],
    ["arm=baseline,land_trust", "seed=range(0,3)", "territory=tiny", "+x=a,b"],
    ["seed=1,2", "horizon_months=6", "seed=4,5,6"],  # a key given twice
    ["policies=[],[land_trust]", "~progress", "seed=choice(7,8)"],
]


@pytest.mark.parametrize("line", COMMAND_LINES)
@pytest.mark.parametrize("size", [None, 1, 2, 4])
def test_same_jobs_order_and_batches_as_hydras_basic_sweeper(line, size):
    parsed = OverridesParser.create().parse_overrides(line)
    assert batches(job_overrides(parsed), size) == BasicSweeper.split_arguments(parsed, size)


def test_an_interval_sweep_is_refused_in_one_line():
    parsed = OverridesParser.create().parse_overrides(["x=interval(0,1)"])
    with pytest.raises(HydraException, match="x: hydra/sweeper=first_job sweeps lists"):
        job_overrides(parsed)


class FakeLoader:
    def __init__(self):
        self.composed = []

    def load_sweep_config(self, master_config, sweep_overrides):
        self.composed.append(sweep_overrides)


def test_composes_the_first_job_of_each_batch_and_launches_every_job(tmp_path):
    loader, launched = FakeLoader(), []
    sweeper = FirstJobSweeper(max_batch_size=2, params={"seed": "1,2,3"})
    sweeper.hydra_context = SimpleNamespace(config_loader=loader)
    sweeper.config = OmegaConf.create({"hydra": {"sweep": {"dir": str(tmp_path / "sweep")}}})
    sweeper.launcher = SimpleNamespace(launch=lambda batch, initial_job_idx: launched.append(
        (initial_job_idx, batch)) or [SimpleNamespace(return_value=None) for _ in batch])
    sweeper.sweep(["arm=a,b"])
    jobs = [["seed=1", "arm=a"], ["seed=1", "arm=b"], ["seed=2", "arm=a"],
            ["seed=2", "arm=b"], ["seed=3", "arm=a"], ["seed=3", "arm=b"]]
    assert launched == [(0, jobs[0:2]), (2, jobs[2:4]), (4, jobs[4:6])]
    assert loader.composed == [jobs[0], jobs[2], jobs[4]]
    assert (tmp_path / "sweep" / "multirun.yaml").is_file()


def test_a_batch_size_below_one_is_refused():
    with pytest.raises(HydraException, match="max_batch_size=0"):
        FirstJobSweeper(max_batch_size=0)
