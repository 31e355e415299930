"""`python -m sim --multirun` with failed runs (issue 17): one line naming them and the resume
command — the one `python -m sim.experiments` prints (`resume_command`) — exit 1; rerunning
that command resumes in the same folder (complete runs skipped, untouched), while another
command into that folder is still refused."""

import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SWEEP = ["-m", "territory=tiny", "horizon_months=1,-5"]  # the second run fails at run time


def _sim(args, cwd):
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600,
                          env=os.environ | {"PYTHONPATH": str(ROOT)})


def test_failed_runs_name_the_resume_command_exit_1_and_it_resumes(tmp_path):
    folder = tmp_path / "sweep"
    done = _sim([*SWEEP, f"hydra.sweep.dir={folder}"], tmp_path)
    assert done.returncode == 1, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: 1 of 2 runs did not complete (run 1 failed: ConfigError); "
                           "resume (complete runs are skipped): python -m sim -m "), last
    command = last.split("resume (complete runs are skipped): ", 1)[1]
    assert command.endswith(f"hydra.sweep.dir={folder.resolve()}")
    complete = {p.name: p.stat().st_mtime_ns for p in (folder / "0").iterdir()}

    again = _sim(shlex.split(command)[3:], tmp_path)  # the printed command, as given
    assert again.returncode == 1, again.stderr[-2000:]
    assert f"skipped (complete): {folder.resolve()}/0" in again.stdout
    assert again.stderr.strip().splitlines()[-1] == last
    assert {p.name: p.stat().st_mtime_ns for p in (folder / "0").iterdir()} == complete

    # a complete run whose outputs changed on disk runs again
    (folder / "0" / "timeseries.parquet").write_bytes(b"damaged")
    third = _sim(shlex.split(command)[3:], tmp_path)
    assert "skipped (complete)" not in third.stdout and third.returncode == 1
    assert (folder / "0" / "timeseries.parquet").read_bytes() != b"damaged"

    # another sweep into that folder is refused, as before
    other = _sim(["-m", "territory=tiny", "horizon_months=1,2", f"hydra.sweep.dir={folder}"],
                 tmp_path)
    assert other.returncode == 2 and "holds an earlier run's files" in other.stderr
