"""The sweep's console progress: ETA arithmetic, the log it reads, and the watcher's lines."""

import io
import json
import os
import time

from sim.experiments import progress
from sim.experiments.progress import SweepWatcher, duration, eta_line, read_log
from sim.experiments.runner import PROGRESS, SWEEP_INFO


def test_duration_and_eta_line():
    assert duration(45.4) == "45 s" and duration(125) == "2 min 05 s"
    assert duration(3720) == "1 h 02 min"
    # 30 of 120 ran in 60 s: 90 left at 2 s each
    assert eta_line(30, 30, 120, 60.0) == (
        "Progress: 30/120 runs (25%) · 1 min 00 s elapsed · about 3 min 00 s left")
    # 60 skipped by a resume plus 10 that ran in 20 s: 50 left at 2 s each
    assert eta_line(70, 10, 120, 20.0).endswith("about 1 min 40 s left")
    assert "left" not in eta_line(120, 120, 120, 200.0)
    assert "left" not in eta_line(5, 0, 120, 1.0)  # only skipped runs so far: no estimate


def test_read_log_counts_runs_and_those_that_ran(tmp_path):
    log = tmp_path / PROGRESS
    log.write_text("[1/4] arm=baseline seed=0 skipped 1.2s\n"
                   "[2/4] arm=baseline seed=1 complete 2.0s\n"
                   "[3/4] arm=land_trust seed=0 failed 0.5s\n"
                   "[3/4] arm=land_trust seed=0 complete 2.1s\n")  # rerun after a lost worker
    assert read_log(log) == (3, 2)


def test_watcher_prints_the_sweep_eta_and_the_report_line(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "POLL_S", 0.02)
    out = io.StringIO()
    watcher = SweepWatcher(tmp_path, report=True, out=out)
    watcher.start()
    expected = [{"arm": arm, "seed": seed, "sample": None}
                for arm in ("baseline", "land_trust") for seed in range(5)]
    (tmp_path / SWEEP_INFO).write_text(json.dumps({"total": 10, "expected": expected}))
    log = tmp_path / PROGRESS
    for k, run in enumerate(expected, start=1):
        time.sleep(0.03)
        with log.open("a") as f:
            f.write(f"[{k}/10] arm={run['arm']} seed={run['seed']} complete 0.1s\n")
    watcher.join(timeout=5)
    lines = out.getvalue().splitlines()
    assert not watcher.is_alive()
    assert lines[0].startswith(f"Sweep: 10 runs (2 scenarios × 5 seeds) into {tmp_path}")
    assert any(line.startswith("Progress: ") and "left" in line for line in lines)
    assert lines[-1].startswith("All 10 runs done in") and "Building the report" in lines[-1]
    assert not any(line.startswith("[") for line in lines)  # never mistaken for a run's line


def test_watcher_ignores_an_old_sweep(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "POLL_S", 0.02)
    info = tmp_path / SWEEP_INFO
    info.write_text(json.dumps({"total": 1, "expected": []}))
    old = time.time() - 3600
    os.utime(info, (old, old))
    out = io.StringIO()
    watcher = SweepWatcher(tmp_path, out=out)
    watcher.start()
    time.sleep(0.2)
    watcher.stop.set()
    watcher.join(timeout=5)
    assert out.getvalue() == ""


def test_watcher_in_a_terminal_draws_a_bar_and_prints_failed_runs_above_it(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "POLL_S", 0.02)
    out = io.StringIO()
    watcher = SweepWatcher(tmp_path, report=True, out=out, bar=True)
    watcher.start()
    expected = [{"arm": "baseline", "seed": seed, "sample": None} for seed in range(4)]
    (tmp_path / SWEEP_INFO).write_text(json.dumps({"total": 4, "expected": expected}))
    log = tmp_path / PROGRESS
    for k, run in enumerate(expected, start=1):
        time.sleep(0.05)
        status = "failed" if k == 2 else "complete"
        with log.open("a") as f:
            f.write(f"[{k}/4] arm=baseline seed={run['seed']} {status} 0.1s\n")
    watcher.join(timeout=5)
    text = out.getvalue()
    assert not watcher.is_alive()
    frames = [frame for line in text.split("\n") for frame in line.split("\r")]
    assert any(frame.startswith("Runs: 100%") and "4/4" in frame for frame in frames)
    assert text.count("[2/4] arm=baseline seed=1 failed 0.1s") == 1  # above the bar, once
    assert not any("complete" in frame for frame in frames)  # finished runs only move the bar
    assert text.rstrip().endswith("Building the report (about 20 s)…")


def test_runs_stay_quiet_while_a_bar_owns_the_terminal(tmp_path, monkeypatch, capsys):
    from sim.experiments import runner

    record = {"arm": "baseline", "seed": 0, "elapsed_s": 1.0, "status": "complete"}
    runner._progress(tmp_path, record, "complete")
    monkeypatch.setenv(runner.QUIET_RUNS, "1")
    runner._progress(tmp_path, {**record, "seed": 1}, "complete")
    assert capsys.readouterr().out == "[1/?] arm=baseline seed=0 complete 1.0s\n"
    assert len((tmp_path / PROGRESS).read_text().splitlines()) == 2  # both logged
