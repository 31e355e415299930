"""Memory of long runs and long sweeps (issue #7): does it stay flat?

    python -m benchmarks.memory [--json out.json] [--quick] [--sweeps 50,200,1000]

A 20-year national run, or a sweep of a thousand runs on a laptop, must not fail for memory
after hours. Two measurements, each in a fresh interpreter so that its peak is its own:

- **National run** (every EPCI, all nine levers) for 120 and 240 months: peak resident memory
  while stepping and after building the output frames, and the resident memory month by month.
  The extra MB per extra month are set against what is meant to grow with the horizon: the
  output arrays (time series and territory panel, allocated for the whole horizon at the start
  but only paged in as months are written), the event log, and the append-only state tables
  (dead enterprises and ended ties keep their rows; capacities double). What is left over is
  unexplained growth: a leak.
- **Sweep parent** (`python -m sim.experiments`, tiny territory, 6 months, joblib with 2
  workers) for N runs: the launching process's peak resident memory (its own `ru_maxrss`,
  report included) and its resident memory when 10 % and all of the runs are done. The
  workers are separate processes, restarted by joblib as it sees fit; the parent is the one
  that lives as long as the sweep.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LEVERS = ("land_trust", "reserved_markets", "impact_vat", "conditional_aid", "matchmaking",
          "impact_finance", "brownfields", "hr_pooling", "industrial_cooperation")
MB = 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux


def _rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


# --- national run, in its own interpreter --------------------------------------------------------
def _nbytes(value) -> int:
    """Bytes of the numpy arrays in a dict, list, tuple or Table (0 for anything else)."""
    import numpy as np

    from sim.events import Labelled
    from sim.state import Table

    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, Table):
        return _nbytes(value._columns)
    if isinstance(value, Labelled):
        return _nbytes(value.values)
    if isinstance(value, dict):
        return sum(_nbytes(v) for v in value.values())
    if isinstance(value, list | tuple):
        return sum(_nbytes(v) for v in value)
    return 0


def _state_mb(model) -> float:
    from sim.state import Table

    return sum(_nbytes(v) for v in vars(model).values() if isinstance(v, Table)) / MB


def _measure_national(months: int) -> dict:
    """Build the national model, step it month by month noting resident memory, then build the
    three output frames (what `python -m sim` writes)."""
    import logging

    from sim.config import compose_config, validate
    from sim.model import EcosystemModel

    logging.getLogger("MESA").setLevel(logging.WARNING)
    config = validate(compose_config([
        "territory=france", f"policies=[{','.join(LEVERS)}]", f"horizon_months={months}",
        "progress=false"]))
    start = time.perf_counter()
    model = EcosystemModel(config)
    built_rss, built_state, agents_built = _rss_mb(), _state_mb(model), len(model.agents)
    metrics = getattr(model, "metrics", None)
    outputs = [getattr(metrics, name, {}) for name in ("series", "panel", "lever_costs")]
    outputs_mb = sum(_nbytes(o) for o in outputs) / MB
    rss = []
    while model.running:
        model.step()
        rss.append(_rss_mb())
    stepped = time.perf_counter()
    step_peak = _peak_mb()
    events_mb = _nbytes(getattr(model.events, "_chunks", [])) / MB
    frames = (model.timeseries_frame(), model.territory_frame(), model.events_frame())
    frame_mb = [int(f.memory_usage(deep=True).sum()) / MB for f in frames]
    return {
        "months": model.month, "territories": len(model.territories),
        "agents": int(model.enterprises.n + model.firms.n), "events": len(frames[2]),
        "run_s": stepped - start, "rss_built_mb": built_rss, "rss_end_mb": rss[-1],
        "rss_by_month_mb": [round(r, 1) for r in rss], "peak_stepping_mb": step_peak,
        "peak_mb": _peak_mb(), "outputs_mb": outputs_mb, "events_mb": events_mb,
        "state_built_mb": built_state, "state_end_mb": _state_mb(model),
        "mesa_agents_built": agents_built, "mesa_agents_end": len(model.agents),
        "frames_mb": sum(frame_mb), "timeseries_frame_mb": frame_mb[0],
        "territory_frame_mb": frame_mb[1], "events_frame_mb": frame_mb[2],
    }


# --- sweep parent ---------------------------------------------------------------------------------
# `python -m sim.experiments`, reporting its own peak resident memory as it exits.
SWEEP = """
import atexit, json, resource, runpy, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(json.dumps(
    {"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0})))
runpy.run_module("sim.experiments", run_name="__main__", alter_sys=True)
"""


def measure_sweep(runs: int, folder: Path) -> dict:
    """Run an N-run sweep and watch its parent process: resident memory as runs complete (from
    /proc every 0.2 s, against the lines of progress.log), its growth per run while the runs go
    on (least-squares slope from 10 % of the runs to the last), and its own peak at exit, the
    report included."""
    import psutil

    sweep_dir, answer = folder / f"sweep-{runs}", folder / f"sweep-{runs}.json"
    seeds = runs // 2
    total = 2 * seeds
    command = [sys.executable, "-c", SWEEP, str(answer), "territory=tiny", "horizon_months=6",
               "arm=baseline,land_trust", f"seed=range(0,{seeds})", "hydra.launcher.n_jobs=2",
               f"hydra.sweep.dir={sweep_dir}"]
    log = folder / f"sweep-{runs}.log"
    start = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                   env=os.environ | {"PYTHONPATH": str(ROOT)})
    parent = psutil.Process(process.pid)
    samples: list[tuple[int, float]] = []  # (runs done, resident MB)
    progress = sweep_dir / "progress.log"
    sweep_s = None
    while process.poll() is None:
        try:
            rss = parent.memory_info().rss / MB
        except psutil.Error:
            break
        done = progress.read_text().count("\n") if progress.exists() else 0
        samples.append((done, rss))
        if done >= total and sweep_s is None:
            sweep_s = time.perf_counter() - start
        time.sleep(0.2)
    if process.wait():
        raise RuntimeError(f"sweep of {runs} failed:\n{log.read_text()[-2000:]}")
    total_s = time.perf_counter() - start
    statuses = [json.loads(p.read_text())["status"]
                for p in sweep_dir.glob("runs/*/*/status.json")]
    running = [(d, r) for d, r in samples if total // 10 <= d < total]
    first = [r for d, r in samples if 0 < d <= max(1, total // 10)]
    return {"runs": total, "complete": statuses.count("complete"),
            "rss_10pct_mb": max(first, default=float("nan")),
            "rss_runs_mb": max((r for _, r in running), default=float("nan")),
            "kb_per_run": (_slope([d for d, _ in running], [r for _, r in running]) * 1024
                           if len({d for d, _ in running}) > 1 else float("nan")),
            "peak_mb": json.loads(answer.read_text())["peak_mb"],
            "sweep_s": sweep_s or total_s, "total_s": total_s}


# --- driver ---------------------------------------------------------------------------------------
def measure(kind: str, *args) -> dict:
    """One measurement in a fresh interpreter."""
    command = [sys.executable, "-m", "benchmarks.memory", "--child", json.dumps([kind, *args])]
    out = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT,
                         env=os.environ | {"PYTHONPATH": str(ROOT)})
    if out.returncode:
        raise RuntimeError(f"{kind} {args}: {out.stderr.strip()[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _slope(xs: list[float], ys: list[float]) -> float:
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs)


def national_report(short: dict, long: dict) -> dict:
    """MB per extra month, measured and expected, from two horizons."""
    extra = long["months"] - short["months"]

    def per_month(key: str) -> float:
        return (long[key] - short[key]) / extra

    grown = {key: per_month(key) for key in ("peak_mb", "peak_stepping_mb", "rss_end_mb",
                                              "outputs_mb", "events_mb", "state_end_mb",
                                              "frames_mb", "territory_frame_mb",
                                              "events_frame_mb", "mesa_agents_end")}
    expected = grown["outputs_mb"] + grown["events_mb"] + grown["state_end_mb"]
    # second half of the long run: past the build's transients, how fast does RSS still rise?
    rss = long["rss_by_month_mb"]
    half = len(rss) // 2
    late = _slope(list(range(half, len(rss))), rss[half:])
    return {"extra_months": extra, "mb_per_month": grown, "expected_mb_per_month": expected,
            "unexplained_mb_per_month": grown["rss_end_mb"] - expected,
            "late_rss_slope_mb_per_month": late}


def run(quick: bool, sweeps: list[int], horizons: tuple[int, int]) -> dict:
    report: dict = {"python": sys.version.split()[0], "cpus": os.cpu_count(), "quick": quick}
    short, long = (measure("national", h) for h in horizons)
    report["national"] = {"short": short, "long": long} | national_report(short, long)
    with tempfile.TemporaryDirectory(prefix="ess-memory-") as folder:
        report["sweeps"] = [measure_sweep(n, Path(folder)) for n in sweeps]
    return report


def print_report(report: dict) -> None:
    n = report["national"]
    s, g = n["short"], n["long"]
    print(f"National run ({s['territories']} territories, {s['agents']} agents at "
          f"{s['months']} months, all nine levers)")
    print(f"{'':34s} {s['months']:>6d} mo {g['months']:>6d} mo {'MB/extra month':>15s}")
    rows = (("peak RSS, stepping (MB)", "peak_stepping_mb"),
            ("peak RSS, with output frames (MB)", "peak_mb"),
            ("RSS after build (MB)", "rss_built_mb"), ("RSS at last month (MB)", "rss_end_mb"),
            ("output arrays, allocated (MB)", "outputs_mb"), ("event log (MB)", "events_mb"),
            ("state tables, capacity (MB)", "state_end_mb"), ("output frames (MB)", "frames_mb"),
            ("  of which territory panel (MB)", "territory_frame_mb"),
            ("  of which events (MB)", "events_frame_mb"),
            ("Mesa agents (count)", "mesa_agents_end"))
    for label, key in rows:
        per = n["mb_per_month"].get(key)
        tail = f"{per:>15.3f}" if per is not None else f"{'':>15s}"
        print(f"{label:34s} {s[key]:>9.1f} {g[key]:>9.1f} {tail}")
    print(f"RSS growth per month explained by outputs + events + state tables: "
          f"{n['expected_mb_per_month']:.3f} MB; unexplained: "
          f"{n['unexplained_mb_per_month']:+.3f} MB; RSS slope over the last "
          f"{g['months'] - g['months'] // 2} months of the long run: "
          f"{n['late_rss_slope_mb_per_month']:.3f} MB/month")
    if not report["sweeps"]:
        return
    print("\nSweep parent (tiny territory, 6 months, joblib, 2 workers)")
    print(f"{'runs':>6s} {'complete':>9s} {'RSS @10% (MB)':>14s} {'RSS max, runs (MB)':>19s} "
          f"{'KB/run':>7s} {'peak incl. report (MB)':>23s} {'sweep (s)':>10s} {'total (s)':>10s}")
    for r in report["sweeps"]:
        print(f"{r['runs']:>6d} {r['complete']:>9d} {r['rss_10pct_mb']:>14.1f} "
              f"{r['rss_runs_mb']:>19.1f} {r['kb_per_run']:>7.1f} {r['peak_mb']:>23.1f} "
              f"{r['sweep_s']:>10.0f} {r['total_s']:>10.0f}")


CHILDREN = {"national": _measure_national}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--quick", action="store_true",
                        help="24 vs 48 months and sweeps of 20 and 50 runs (a smoke test)")
    parser.add_argument("--sweeps", help="comma-separated sweep sizes (default 50,200,1000; "
                        "'none': the national run only)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = json.loads(args.child)
        print(json.dumps(CHILDREN[kind](*rest)))
        return 0
    sizes = args.sweeps or ("20,50" if args.quick else "50,200,1000")
    sweeps = [int(n) for n in sizes.split(",") if n.strip() and n.strip() != "none"]
    report = run(args.quick, sweeps, (24, 48) if args.quick else (120, 240))
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
