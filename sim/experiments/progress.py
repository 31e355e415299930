"""Console progress of a sweep, in the launching process: a start line, a bar or ETA lines, a
report line.

Each finished run already prints "[k/N] arm=... seed=... complete 2.1s" where it ran, and
appends it to `<sweep_dir>/progress.log`. This watcher reads that log from the launching
process (whatever the launcher, local workers or a cluster) and adds what those lines lack:
what the sweep is before the first run ends, the share done with the time left at every tenth
of the sweep, and a line when the report starts building (it takes ~20 s for the main job).
The ETA counts only runs that ran: runs skipped by a resume are done in no time.

In a terminal the share done and the time left are a bar redrawn in place (tqdm), and the runs
stay quiet (their lines go only to the log; a failed run's line is printed above the bar):
the runs print from worker processes onto the same terminal, which would break a redrawn bar
into fragments. Piped into a log file (a cluster job's output, CI) a redrawn bar would be one
long line of carriage returns, so there the runs print their lines and the watcher adds a line
at every tenth of the sweep, which reads the same in a log.
"""

import json
import shutil
import sys
import threading
import time
from pathlib import Path

from sim.experiments.runner import PROGRESS, SWEEP_INFO

POLL_S = 1.0
STEPS = 10  # an ETA line at every tenth of the sweep
DEFAULT_ROOT = Path("outputs") / "experiments"


def duration(seconds: float) -> str:
    """"2 min 05 s", "45 s", "1 h 02 min"."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def eta_line(done: int, ran: int, total: int, elapsed: float) -> str:
    """"Progress: 36/120 runs (30%) · 42 s elapsed · about 1 min 38 s left" (no estimate before
    a run ran). Not "[k/N] ..." like the per-run lines, which scripts count."""
    share = round(100 * done / total) if total else 0
    line = f"Progress: {done}/{total} runs ({share}%) · {duration(elapsed)} elapsed"
    if ran and done < total:
        line += f" · about {duration(elapsed / ran * (total - done))} left"
    return line


def read_log(path: Path) -> tuple[int, int]:
    """(runs done, runs that ran rather than were skipped) from a progress.log."""
    runs, ran = set(), set()
    for line in path.read_text().splitlines():
        where, _, rest = line.partition("] ")[2].rpartition(" ")[0].rpartition(" ")
        runs.add(where)
        if rest != "skipped":
            ran.add(where)
    return len(runs), len(ran)


def failed_lines(path: Path) -> list[str]:
    """The log's lines of failed runs, in order."""
    return [line for line in path.read_text().splitlines()
            if line.rpartition(" ")[0].endswith(" failed")]


class SweepWatcher(threading.Thread):
    """Waits for the sweep's `sweep.json` (written when the sweep starts), then prints progress
    until every planned run is done. A daemon: it never holds the process."""

    def __init__(self, sweep_dir: Path | None, report: bool = True, out=sys.stdout,
                 bar: bool = False):
        super().__init__(daemon=True, name="sweep-progress")
        self.sweep_dir = sweep_dir
        self.report = report
        self.out = out
        self.bar = bar
        self.started = time.time()
        self.stop = threading.Event()

    def _find(self) -> Path | None:
        """The sweep dir once its sweep.json exists and is new (not an old sweep's)."""
        candidates = ([self.sweep_dir / SWEEP_INFO] if self.sweep_dir
                      else DEFAULT_ROOT.glob(f"*/*/{SWEEP_INFO}"))
        fresh = [p for p in candidates if p.exists() and p.stat().st_mtime >= self.started - 1]
        return max(fresh, key=lambda p: p.stat().st_mtime).parent if fresh else None

    def _say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def run(self) -> None:
        sweep = None
        while sweep is None and not self.stop.wait(POLL_S):
            sweep = self._find()
        if sweep is None:
            return
        info = json.loads((sweep / SWEEP_INFO).read_text())
        total = int(info.get("total") or 0)
        arms = len(dict.fromkeys(r["arm"] for r in info.get("expected", [])))
        seeds = len({r["seed"] for r in info.get("expected", [])})
        self._say(f"Sweep: {total} runs ({arms} scenarios × {seeds} seeds) into {sweep}; "
                  f"follow {sweep / PROGRESS}")
        log = sweep / PROGRESS
        (self._follow_with_bar if self.bar else self._follow_with_lines)(log, total)
        if total and self.report and not self.stop.is_set():
            self._say(f"All {total} runs done in {duration(time.time() - self.started)}."
                      " Building the report (about 20 s)…")

    def _follow_with_lines(self, log: Path, total: int) -> None:
        """An ETA line at every tenth of the sweep, until every run is done."""
        step = 0
        while not self.stop.wait(POLL_S):
            done, ran = read_log(log) if log.exists() else (0, 0)
            if total and done * STEPS // total > step:
                step = done * STEPS // total
                self._say(eta_line(done, ran, total, time.time() - self.started))
            if total and done >= total:
                return

    def _follow_with_bar(self, log: Path, total: int) -> None:
        """A bar redrawn in place, with failed runs' lines printed above it."""
        from tqdm import tqdm

        shown_failures = 0
        size = shutil.get_terminal_size()  # 80×24 where the terminal reports 0×0 (tqdm would hide)
        with tqdm(total=total, unit="run", file=self.out, ncols=size.columns, nrows=size.lines,
                  desc="Runs") as bar:
            while not self.stop.wait(POLL_S):
                done, _ = read_log(log) if log.exists() else (0, 0)
                failures = failed_lines(log) if log.exists() else []
                for line in failures[shown_failures:]:
                    bar.write(line, file=self.out)
                shown_failures = len(failures)
                bar.update(done - bar.n)
                if total and done >= total:
                    return
