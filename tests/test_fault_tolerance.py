"""Sweeps survive faults (issue #7): runs that crash, and a sweep killed mid-way then resumed.

A national comparison runs for hours on shared machines; a bad arm or a killed job must cost only
the runs concerned, and a resume must neither redo finished work nor change the results. The
integration test runs a small real sweep (model backend, joblib launcher, 2 workers), so it
checks the whole chain a user relies on: Hydra, the launcher, the runner's status files, the
progress log and the report.

The crashes are legitimate, not injected through a hook: the plan declares an arm whose lever
parameter is out of range. The sweep checks only its first job's config before starting
(docs/guarantees.md, "Not guaranteed"), so that arm's runs fail at run time, each recorded in its
status.json while the sweep goes on: the same failures an experimenter's typo would cause.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from sim.experiments import synthetic
from sim.experiments.arms import ArmSpec
from sim.experiments.reduce import collect
from sim.experiments.runner import STATUS, RunSpec, execute_run, read_status
from sim.outputs import sha256, write_json
from sim.replay import replay

ROOT = Path(__file__).resolve().parents[1]
ARMS = ("baseline", "overdosed", "land_trust")
SEEDS = range(4)
# The bad arm comes second: the first job (baseline, seed 0) is the one checked before the start.
PLAN = (
    "territory=tiny",
    "horizon_months=6",
    f"arm={','.join(ARMS)}",
    '+experiment.arms.overdosed={policies:[land_trust],'
    'overrides:["policies.land_trust.intensity=3"]}',
    f"seed=range({SEEDS.start},{SEEDS.stop})",
    # joblib is the experiment's default launcher; n_jobs alone must pass the pre-start check
    "hydra.launcher.n_jobs=2",
)
PLANNED = {(arm, seed) for arm in ARMS for seed in SEEDS}
# Report tables that must not depend on how the sweep got to the end (timings aside).
TABLES = ("effects", "cost_effectiveness", "density_effects", "territory_effects",
          "run_outcomes", "missing_runs")
LINE = re.compile(r"^\[\d+/(\d+)\] arm=(\S+) seed=(\d+) (\w+) ")


def _command(sweep_dir: Path, plan: tuple[str, ...]) -> list[str]:
    return [sys.executable, "-m", "sim.experiments", *plan, f"hydra.sweep.dir={sweep_dir}"]


def _env() -> dict[str, str]:
    return os.environ | {"PYTHONPATH": str(ROOT)}


def _start(sweep_dir: Path, log: Path | None = None,
           plan: tuple[str, ...] = PLAN) -> subprocess.Popen:
    """Start a plan in its own process group (the launcher and its joblib workers)."""
    out = log.open("wb") if log else subprocess.DEVNULL
    try:
        return subprocess.Popen(_command(sweep_dir, plan), cwd=ROOT, env=_env(), stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        if log:
            out.close()


def _finish(process: subprocess.Popen, log: Path, timeout: float = 300,
            exit_code: int = 1) -> None:
    """Wait for a sweep to end: it goes to its end and its report even though runs fail, then
    exits 1 when some did (0 when all are complete), naming them in its last line."""
    try:
        returncode = process.wait(timeout)
    finally:
        _kill_group(process)  # a no-op once it has ended, unless it timed out
    assert returncode == exit_code, log.read_text()[-3000:]
    summary = [x for x in log.read_text().splitlines()
               if x.startswith("error: ") and " runs did not complete (" in x]
    assert len(summary) == bool(exit_code), summary


def _statuses(sweep_dir: Path) -> dict[tuple[str, int], dict]:
    found = {}
    for path in (sweep_dir / "runs").glob(f"*/*/{STATUS}"):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):  # renamed into place: never partial, but be safe
            continue
        found[(record["arm"], record["seed"])] = record
    return found


def _progress(sweep_dir: Path, planned: int = len(PLANNED)) -> list[tuple[str, int, str]]:
    """(arm, seed, status) per line of progress.log; every line must be well formed."""
    lines = (sweep_dir / "progress.log").read_text().splitlines()
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert {m.group(1) for m in parsed} == {str(planned)}
    return [(m.group(2), int(m.group(3)), m.group(4)) for m in parsed]


def _group(pgid: int) -> list[psutil.Process]:
    """Live (not zombie) processes of a process group."""
    members = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                members.append(proc)
        except (ProcessLookupError, psutil.Error):
            continue
    return members


def _kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the sweep and its joblib workers (one process group), then wait until none is
    left: a surviving worker could still write into the sweep dir during the resume."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)
    deadline = time.monotonic() + 30
    while _group(process.pid):
        assert time.monotonic() < deadline, f"left running: {_group(process.pid)}"
        time.sleep(0.1)


def _kill_mid_sweep(sweep_dir: Path, timeout: float = 150) -> dict[tuple[str, int], dict]:
    """Start the sweep and SIGKILL it once a crash is recorded, some runs are complete and one
    is in flight (status 'running'); return the run statuses as the kill left them."""
    process = _start(sweep_dir)
    try:
        deadline = time.monotonic() + timeout
        while True:
            states = [r["status"] for r in _statuses(sweep_dir).values()] if (
                sweep_dir / "runs").exists() else []
            if states.count("failed") and states.count("complete") >= 3 and "running" in states:
                break
            assert process.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, f"no kill point within {timeout}s: {states}"
            time.sleep(0.02)
    finally:
        _kill_group(process)
    return _statuses(sweep_dir)


def _tables(sweep_dir: Path) -> dict[str, pd.DataFrame]:
    folder = sweep_dir / "report" / "tables"
    return {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES}


def _check_kill_and_resume(resumed: Path, log: Path) -> None:
    """Kill the sweep mid-way, resume it, and check what the resume ran and left."""
    # Killed mid-sweep: SIGKILL to the launcher and its workers.
    at_kill = _kill_mid_sweep(resumed)
    complete = {run for run, r in at_kill.items() if r["status"] == "complete"}
    interrupted = {run for run, r in at_kill.items() if r["status"] == "running"}
    assert complete and interrupted and complete | interrupted != PLANNED
    assert any(r["status"] == "failed" for r in at_kill.values())
    assert not (resumed / "report").exists()
    kept = {run: sha256(resumed / "runs" / f"arm={run[0]}" / f"seed={run[1]}" / STATUS)
            for run in complete}
    for arm, seed in interrupted:  # killed before its manifest, which comes last
        assert not (resumed / "runs" / f"arm={arm}" / f"seed={seed}" / "manifest.json").exists()

    # Resume: the same command on the same dir runs exactly the runs not complete at the kill
    # (never started, interrupted, or failed) and skips the others without touching them.
    _finish(_start(resumed, log), log)
    lines = _progress(resumed)
    assert len(lines) == len(PLANNED)
    assert {(a, s) for a, s, status in lines if status == "skipped"} == complete
    assert {(a, s) for a, s, status in lines if status != "skipped"} == PLANNED - complete
    for (arm, seed), digest in kept.items():
        assert sha256(resumed / "runs" / f"arm={arm}" / f"seed={seed}" / STATUS) == digest
    assert not list((resumed / "runs").rglob("*.tmp"))


def test_crashes_and_a_killed_sweep_resume_to_the_uninterrupted_result(tmp_path):
    """One plan run twice: straight through, and killed mid-way then resumed. Both must record
    the same crashes, and the resumed sweep's report must equal the other's to the last digit:
    otherwise a user could not trust a resumed national comparison."""
    reference, resumed = tmp_path / "reference", tmp_path / "resumed"
    # The uninterrupted sweep runs alongside the killed one (the wall time of both, halved).
    reference_log = tmp_path / "reference.log"
    uninterrupted = _start(reference, reference_log)
    try:
        _check_kill_and_resume(resumed, tmp_path / "resumed.log")
    finally:
        _finish(uninterrupted, reference_log)

    # Uninterrupted: the crashing arm's runs are recorded as failed and the sweep goes on.
    final = _statuses(reference)
    assert set(final) == PLANNED
    for (arm, _), record in final.items():
        if arm == "overdosed":
            assert record["status"] == "failed"
            assert "policies.land_trust.intensity" in record["error"]
            assert "out of range" in record["error"]
        else:
            assert record["status"] == "complete", record

    after = _statuses(resumed)
    assert {run: r["status"] for run, r in after.items()} == {
        run: r["status"] for run, r in final.items()}

    # The report is the uninterrupted sweep's, value for value.
    got, want = _tables(resumed), _tables(reference)
    assert got["missing_runs"].empty and len(want["effects"]) > 0
    for name in TABLES:
        pd.testing.assert_frame_equal(got[name], want[name], check_exact=True, obj=name)
        assert (resumed / "report/tables" / f"{name}.csv").read_bytes() == (
            reference / "report/tables" / f"{name}.csv").read_bytes(), name
    columns = ["arm", "seed", "status", "error"]
    runs = [pd.read_parquet(d / "report/tables/runs.parquet")[columns] for d in (resumed,
                                                                                 reference)]
    pd.testing.assert_frame_equal(*runs)


def _spec(seed: int = 0) -> RunSpec:
    return RunSpec(ArmSpec("land_trust", ("land_trust",)), seed,
                   ("policies=[land_trust]", f"seed={seed}"))


class Counting:
    """The synthetic backend, counting its calls and noting what the run directory held when
    each call started."""

    def __init__(self, run_dir: Path | None = None):
        self.calls, self.run_dir, self.found = 0, run_dir, []

    def __call__(self, overrides):
        self.calls += 1
        if self.run_dir is not None:
            self.found.append(sorted(p.name for p in self.run_dir.iterdir()))
        return synthetic.run(overrides)


def test_run_killed_while_writing_is_missing_then_rerun_cleanly(tmp_path):
    """What SIGKILL leaves when it lands while a run writes, here during a rerun of a run once
    complete with other overrides: status 'running', the earlier attempt's manifest (saying
    complete), some new outputs and a temporary file. The report must count the run as missing
    (status.json, not the manifest, is what counts); the resume must run it again from a
    directory holding nothing of either earlier attempt, so that no manifest ever describes a
    mix of two attempts' files. Built by hand: a real kill lands in that window only by chance.
    """
    run_dir = tmp_path / "runs" / "land_trust" / "seed=0"
    execute_run(run_dir, _spec(), Counting(), "synthetic")
    write_json(read_status(run_dir) | {"status": "running", "overrides": ["other"]},
               run_dir / STATUS)
    (run_dir / "summary.json").unlink()
    (run_dir / "territories.parquet").rename(run_dir / "territories.parquet.tmp")
    write_json({"total": 1, "expected": [{"arm": "land_trust", "seed": 0, "sample": None}]},
               tmp_path / "sweep.json")

    found = collect(tmp_path)
    assert list(found.runs.status) == ["running"] and found.outcomes.empty

    fn = Counting(run_dir)
    execute_run(run_dir, _spec(), fn, "synthetic", tmp_path)
    assert fn.calls == 1 and fn.found == [[STATUS]]
    assert read_status(run_dir)["status"] == "complete"
    assert not list(run_dir.glob("*.tmp"))
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert {name: sha256(run_dir / name) for name in manifest["checksums"]} == manifest[
        "checksums"]
    assert (tmp_path / "progress.log").read_text().startswith("[1/1] arm=land_trust seed=0 "
                                                               "complete")


def test_complete_status_without_its_outputs_is_rerun(tmp_path):
    """A status that says complete is trusted only with its manifest and every file that
    manifest lists (an output deleted by hand, a copy of the sweep dir cut short)."""
    run_dir = tmp_path / "r"
    fn = Counting()
    execute_run(run_dir, _spec(), fn, "synthetic")
    execute_run(run_dir, _spec(), fn, "synthetic")
    assert fn.calls == 1
    (run_dir / "events.parquet").unlink()
    execute_run(run_dir, _spec(), fn, "synthetic")
    assert fn.calls == 2 and (run_dir / "events.parquet").exists()
    (run_dir / "manifest.json").unlink()
    execute_run(run_dir, _spec(), fn, "synthetic")
    assert fn.calls == 3 and read_status(run_dir)["status"] == "complete"


# Worker deaths: runs long enough (24 months) for a watcher polling every 10 ms to see them run.
DEATH_ARMS, DEATH_SEEDS = ("baseline", "land_trust"), range(4)
DEATH_PLAN = ("territory=tiny", "horizon_months=24", f"arm={','.join(DEATH_ARMS)}",
              f"seed=range({DEATH_SEEDS.start},{DEATH_SEEDS.stop})", "hydra.launcher.n_jobs=2")
DEATH_PLANNED = {(arm, seed) for arm in DEATH_ARMS for seed in DEATH_SEEDS}
KILLED_ONCE = ("baseline", 2)       # a worker killed by someone else, once
KILLED_ALWAYS = ("land_trust", 1)   # a run that kills its worker each time, as out of memory


class WorkerKiller(threading.Thread):
    """SIGKILLs the worker process running a run (the pid its status.json records) the first
    `times` times it sees that run running: what the kernel's out-of-memory killer does.

    The worker is stopped (SIGSTOP) before the status is read again: on a loaded machine it could
    otherwise finish the run between the read and the kill, and the kill would hit its next run."""

    def __init__(self, sweep_dir: Path, sweep: subprocess.Popen, times: dict):
        super().__init__(daemon=True)
        self.sweep_dir, self.sweep, self.times = sweep_dir, sweep, times
        self.killed: dict[tuple[str, int], list[int]] = {run: [] for run in times}

    def run(self) -> None:
        while self.sweep.poll() is None:
            for run, pids in self.killed.items():
                record = _status(self.sweep_dir, run)
                if (record and record["status"] == "running" and record["pid"] not in pids
                        and len(pids) < self.times[run]):
                    assert record["pid"] != self.sweep.pid, "a run ran in the launching process"
                    if self._kill_if_still_running(run, record["pid"]):
                        pids.append(record["pid"])
            time.sleep(0.01)

    def _kill_if_still_running(self, run: tuple[str, int], pid: int) -> bool:
        try:
            os.kill(pid, signal.SIGSTOP)
        except ProcessLookupError:
            return False
        record = _status(self.sweep_dir, run)
        still = bool(record and record["status"] == "running" and record["pid"] == pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL if still else signal.SIGCONT)
        return still


def _status(sweep_dir: Path, run: tuple[str, int]) -> dict | None:
    try:
        return read_status(sweep_dir / "runs" / f"arm={run[0]}" / f"seed={run[1]}")
    except ValueError:
        return None


@pytest.mark.parametrize("n_jobs", [2, 1])
def test_a_killed_worker_costs_only_its_run_and_a_resume_reruns_it(tmp_path, n_jobs):
    """Workers SIGKILLed mid-sweep, as the out-of-memory killer does: one once, one every time
    its run starts. The sweep must finish every other run, record the run that always dies as
    failed (not hang, not stop), build its report, and exit 1; the run killed once must rerun
    to the bytes a replay gives; a resume must rerun exactly the failed run. With one worker
    too, which joblib alone would run inside the launching process."""
    sweep_dir, log = tmp_path / "sweep", tmp_path / "sweep.log"
    plan = (*DEATH_PLAN[:-1], f"hydra.launcher.n_jobs={n_jobs}")
    sweep = _start(sweep_dir, log, plan)
    killer = WorkerKiller(sweep_dir, sweep, {KILLED_ONCE: 1, KILLED_ALWAYS: 2})
    killer.start()
    _finish(sweep, log)
    killer.join(10)
    # Both deaths of the failing run must have happened, or the test proved nothing.
    assert [len(killer.killed[run]) for run in (KILLED_ONCE, KILLED_ALWAYS)] == [1, 2], (
        killer.killed, log.read_text()[-2000:])

    final = _statuses(sweep_dir)
    assert set(final) == DEATH_PLANNED
    assert {run for run, r in final.items() if r["status"] != "complete"} == {KILLED_ALWAYS}
    failed = final[KILLED_ALWAYS]
    assert failed["status"] == "failed" and failed["error"].startswith("WorkerDied: ")
    assert "SIGKILL" in failed["error"]
    failed_dir = sweep_dir / "runs" / f"arm={KILLED_ALWAYS[0]}" / f"seed={KILLED_ALWAYS[1]}"
    assert json.loads((failed_dir / "manifest.json").read_text())["status"] == "failed"
    assert not list(failed_dir.glob("*.parquet")) and not list(sweep_dir.rglob("*.tmp"))
    # One progress line per run, numbered 1..N, deaths and reruns included.
    lines = _progress(sweep_dir, len(DEATH_PLANNED))
    assert sorted((a, s) for a, s, _ in lines) == sorted(DEATH_PLANNED)
    runs = pd.read_parquet(sweep_dir / "report/tables/runs.parquet")
    assert runs.set_index(["arm", "seed"]).loc[KILLED_ALWAYS, "status"] == "failed"

    rerun = sweep_dir / "runs" / f"arm={KILLED_ONCE[0]}" / f"seed={KILLED_ONCE[1]}"
    matches = replay(rerun / "manifest.json", tmp_path / "replay")
    assert matches and all(matches.values()), matches

    kept = {run: sha256(sweep_dir / "runs" / f"arm={run[0]}" / f"seed={run[1]}" / STATUS)
            for run in DEATH_PLANNED - {KILLED_ALWAYS}}
    resume_log = tmp_path / "resume.log"
    _finish(_start(sweep_dir, resume_log, plan), resume_log, exit_code=0)
    lines = _progress(sweep_dir, len(DEATH_PLANNED))
    assert {(a, s) for a, s, status in lines if status != "skipped"} == {KILLED_ALWAYS}
    assert _statuses(sweep_dir)[KILLED_ALWAYS]["status"] == "complete"
    for (arm, seed), digest in kept.items():
        assert sha256(sweep_dir / "runs" / f"arm={arm}" / f"seed={seed}" / STATUS) == digest


def test_a_killed_submitit_job_costs_only_its_run(tmp_path):
    """Under submitit (each job its own process, as each is its own Slurm job on a cluster), a
    job killed mid-run must be recorded as failed with submitit's account of it, the other jobs
    must complete and the sweep must end with its report and exit 1 (Hydra's own submitit
    launcher raises at the first job without a result, before the report)."""
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    sweep_dir, log = tmp_path / "sweep", tmp_path / "sweep.log"
    plan = (*DEATH_PLAN[:-1], "hydra/launcher=resilient_submitit_local",
            "hydra.launcher.timeout_min=10")
    sweep = _start(sweep_dir, log, plan)
    killer = WorkerKiller(sweep_dir, sweep, {KILLED_ALWAYS: 1})
    killer.start()
    _finish(sweep, log)
    killer.join(10)
    assert len(killer.killed[KILLED_ALWAYS]) == 1, log.read_text()[-2000:]
    final = _statuses(sweep_dir)
    assert set(final) == DEATH_PLANNED
    assert {run for run, r in final.items() if r["status"] != "complete"} == {KILLED_ALWAYS}
    assert final[KILLED_ALWAYS]["error"].startswith("WorkerDied: submitit job ")
    assert sorted((a, s) for a, s, _ in _progress(sweep_dir, len(DEATH_PLANNED))) == sorted(
        DEATH_PLANNED)
    runs = pd.read_parquet(sweep_dir / "report/tables/runs.parquet")
    assert runs.set_index(["arm", "seed"]).loc[KILLED_ALWAYS, "status"] == "failed"


def test_a_run_rerun_after_its_result_was_lost_is_logged_once(tmp_path):
    """A run whose result was lost as a worker died runs again in the same sweep and finds itself
    complete: the progress log must still hold one line per run (its first), or the counter and
    the list of runs would count it twice."""
    write_json({"total": 1, "expected": [{"arm": "land_trust", "seed": 0, "sample": None}]},
               tmp_path / "sweep.json")
    run_dir = tmp_path / "runs" / "land_trust" / "seed=0"
    execute_run(run_dir, _spec(), Counting(), "synthetic", tmp_path)
    execute_run(run_dir, _spec(), Counting(), "synthetic", tmp_path)
    lines = (tmp_path / "progress.log").read_text().splitlines()
    assert [line.split()[:4] for line in lines] == [["[1/1]", "arm=land_trust", "seed=0",
                                                      "complete"]]
    (tmp_path / "progress.log").write_text("")  # a resume: a new sweep, a new log
    execute_run(run_dir, _spec(), Counting(), "synthetic", tmp_path)
    lines = (tmp_path / "progress.log").read_text().splitlines()
    assert [line.split()[3] for line in lines] == ["skipped"]
