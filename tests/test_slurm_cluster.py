"""The resilient submitit Slurm launcher on a real one-node Slurm cluster (issue 17, item 3).

`benchmarks/slurm_check.sh` installs Debian's slurm-wlm and munge if they are missing, starts a
private one-node cluster without accounting (so `sacct` fails, as on many small clusters) and
checks: the node is up; a sweep's outputs equal the joblib launcher's; a resume of a complete
sweep submits nothing; a job killed with `scancel` is recorded as lost and the sweep ends; its
resume submits only that run, with the joblib launcher's outputs; a tiny policy design
(`python -m sim.design`, issue 19) on the Slurm launcher gives the runs and tables of the same
design on the joblib launcher, and its resume submits no job; the same design with one job
cancelled ends (exit 1) with its resume command, which submits only that run and gives the
joblib design's tables byte for byte. It stops the daemons it
started. Skipped, with the reason, only where the packages cannot be installed (not root, no
apt-get, or apt-get fails): that is a machine without Debian's packages, not a failure of the
launcher. About 2–4 minutes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "slurm_check.sh"


def _slurm_installed_or_skip() -> None:
    """Install Debian's slurm-wlm and munge if missing; skip where that cannot be done."""
    if shutil.which("slurmctld") and shutil.which("munged"):
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip("Debian's slurm-wlm and munge cannot be installed here "
                    "(needs root and apt-get)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "slurm-wlm", "munge"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode:
            pytest.skip(f"Debian's slurm-wlm and munge cannot be installed here: "
                        f"{' '.join(command)} failed: {done.stderr.strip()[-200:]}")


def test_the_slurm_launcher_on_a_real_one_node_cluster(tmp_path):
    _slurm_installed_or_skip()
    env = dict(os.environ, PYTHON=sys.executable, WORK=str(tmp_path / "slurm"))
    env.pop("KEEP", None)
    done = subprocess.run(["bash", str(SCRIPT)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=1800)
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and not [x for x in lines if x.startswith("FAIL")], (
        done.stdout[-3000:] + done.stderr[-2000:])
    assert sum(x.startswith("PASS") for x in lines) >= 9, done.stdout[-3000:]
    for step in ("PASS: design resumed from its sweeps: no job submitted",
                 "PASS: the design's resume command submitted only the lost run (1 job)"):
        assert any(x.startswith(step) for x in lines), done.stdout[-3000:]
