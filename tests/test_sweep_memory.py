"""The launching process of a sweep stays flat however many runs it launches (issue #7).

Hydra's sweepers keep every job's return until the sweep ends, and a return carries the job's
full config and Hydra's: about 300 KB per run once back in the launching process, so gigabytes
for a national sensitivity analysis. The experiment callback drops them where the job runs.
`python -m benchmarks.memory` measures the effect (docs/guarantees.md, "Long runs"); this test
checks the mechanism, through Hydra's own `run_job` as every launcher calls it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hydra.core.utils import JobReturn, JobStatus
from omegaconf import OmegaConf

from sim.experiments.callbacks import ExperimentCallback

ROOT = Path(__file__).resolve().parents[1]


def test_callback_drops_the_configs_a_job_sends_back():
    """Configs go, what the sweeper reads (status, return value, overrides) stays."""
    ret = JobReturn(overrides=["arm=baseline", "seed=0"], cfg=OmegaConf.create({"seed": 0}),
                    hydra_cfg=OmegaConf.create({"hydra": {"job": {"name": "runner"}}}),
                    status=JobStatus.COMPLETED, _return_value={"status": "complete"})
    ExperimentCallback(report=False).on_job_end(OmegaConf.create(), ret)
    assert ret.cfg is None and ret.hydra_cfg is None
    assert ret.return_value == {"status": "complete"} and ret.overrides == ["arm=baseline",
                                                                              "seed=0"]


# Run a sweep with the basic launcher (jobs in this process) and report, from the sweeper's own
# list of returns, what the launching process keeps of each job. (Hydra re-executes its plugin
# modules when it scans them, so the sweeper is wrapped once instantiated.)
KEPT = """
import json, runpy, sys
from hydra.core.plugins import Plugins
kept, instantiate = [], Plugins.instantiate_sweeper
def recording(self, **kwargs):
    sweeper = instantiate(self, **kwargs)
    sweep = sweeper.sweep
    def keep(arguments):
        returns = sweep(arguments)
        kept.extend(r for batch in returns for r in batch)
        return returns
    sweeper.sweep = keep
    return sweeper
Plugins.instantiate_sweeper = recording
out = sys.argv.pop(1)
try:
    runpy.run_module("sim.experiments", run_name="__main__", alter_sys=True)
finally:
    open(out, "w").write(json.dumps([[r.cfg is None, r.hydra_cfg is None, r.status.name]
                                     for r in kept]))
"""


def test_sweep_keeps_no_job_config(tmp_path):
    """Through a real sweep: every job return the sweeper keeps has lost its configs."""
    answer = tmp_path / "kept.json"
    cmd = [sys.executable, "-c", KEPT, str(answer), "experiment.backend=synthetic",
           "hydra/launcher=basic", "arm=baseline,land_trust", "seed=0,1",
           "hydra.callbacks.experiment.report=false", f"hydra.sweep.dir={tmp_path / 'sweep'}"]
    done = subprocess.run(cmd, cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(answer.read_text()) == [[True, True, "COMPLETED"]] * 4
