"""`python -m sim.dashboard.benchmark`: what a month costs the server, and a class's load.

``month``: in this process, the server-side work of one month of one session — the model's
step (and its twin's, side by side), the frames read back, and every chart option built — on
the classroom territories or a region, averaged over `--months` months.

``load``: a real server on loopback (`--workers` processes) and `--sessions` headless Chromium
pages (each its own session), all playing at `--speed`, for `--seconds`; prints each session's
months per second as the server counted them (`sim.dashboard.counters`, not the pages' counters)
and the server's CPU per month. Bounded: `--seconds` of play, pages closed at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from sim.dashboard.adapter import CLASSROOM, Run, Settings
from sim.dashboard.figures import PANELS, map_option, panel_option, ties_option


def month_cost(territory: str, months: int, side_by_side: bool) -> dict[str, float]:
    """Mean milliseconds per month of: stepping, reading the frames, building the options."""
    levers = {"land_trust": 0.8} if side_by_side else {}
    run = Run(Settings(territory, 1, levers, side_by_side))
    spent = {"step": 0.0, "frames": 0.0, "charts": 0.0}
    for _ in range(months):
        t0 = time.perf_counter()
        run.step()
        t1 = time.perf_counter()
        frames = run.frames()
        t2 = time.perf_counter()
        for key in PANELS:
            panel_option(key, frames.timeseries, frames.baseline_timeseries, "fr",
                         has_levers=bool(levers))
        map_option(run.territories, frames.territory, frames.baseline_territory,
                   "ess_jobs_total", "fr", difference=side_by_side)
        ties_option(frames.ties, "fr")
        t3 = time.perf_counter()
        for key, value in zip(spent, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            spent[key] += value
    out = {k: 1000 * v / months for k, v in spent.items()}
    out["total"] = sum(out.values())
    return out


def server_processes():
    """The dashboard server this process started and every process under it (its workers)."""
    import psutil

    root = next(p for p in psutil.Process().children(recursive=True)
                if "sim.dashboard" in " ".join(p.cmdline()))
    return [root, *root.children(recursive=True)]


def cpu_seconds(processes) -> float:
    return sum(sum(p.cpu_times()[:2]) for p in processes)


def load(sessions: int, seconds: float, speed: int, workers: int = 1) -> dict:
    """Months per second reached by each of `sessions` pages playing at once, counted by the
    server (`sim.dashboard.counters`) over one window common to every session."""
    from playwright.sync_api import expect, sync_playwright

    from sim.dashboard.browser import launch, open_dashboard, serve, set_speed
    from sim.dashboard.counters import MONTHS_LOG_ENV, months_between

    expect.set_options(timeout=120_000)
    log = Path(tempfile.mkstemp(prefix="ess-months-", suffix=".log")[1])
    env = {"ESS_DASHBOARD_MAX_SESSIONS": "0", "ESS_DASHBOARD_MAX_MEMORY_MB": "0",
           MONTHS_LOG_ENV: str(log)}
    with serve(env=env, args=("--workers", str(workers)), timeout=300) as server, \
            sync_playwright() as playwright:
        browser = launch(playwright)
        pages = [open_dashboard(browser, server.url, viewport={"width": 1366, "height": 768},
                                timeout_ms=300_000)
                 for _ in range(sessions)]
        for page in pages:
            set_speed(page, speed)
        processes = server_processes()
        for page in pages:
            page.click(".ess-play")
        # The window starts once every page plays: each session's rate is over the same time.
        start, cpu_start, load_start = time.monotonic(), cpu_seconds(processes), os.getloadavg()
        time.sleep(seconds)
        end, cpu_end, load_end = time.monotonic(), cpu_seconds(processes), os.getloadavg()
        for page in pages:
            page.context.close()
        browser.close()
    advanced = months_between(log, start, end)
    log.unlink()
    window = end - start
    # A session the server never logged advanced no month: it counts, as 0, in the minimum.
    rates = sorted([m / window for m in advanced.values()] + [0.0] * (sessions - len(advanced)))
    months = sum(advanced.values())
    per_process = Counter(key.split("/")[0] for key in advanced)
    return {"sessions": sessions, "seconds": round(window, 1), "speed": speed,
            "server_processes": workers,
            "sessions_per_process": sorted(per_process.values()),
            "sessions_without_months": sessions - len(advanced),
            "months_per_s": [round(r, 2) for r in rates],
            "months_per_s_min": round(min(rates), 2),
            "months_per_s_median": round(statistics.median(rates), 2),
            "months_total": months,
            "server_cpu_cores": round((cpu_end - cpu_start) / window, 2),
            # The server's CPU per month played, everything included (step, frames, Solara's
            # rendering and messages), all its processes: a core serves 1000 / this months a s.
            "server_cpu_ms_per_month": round(1000 * (cpu_end - cpu_start) / months, 1)
            if months else None,
            "load_average_1min": [round(load_start[0], 1), round(load_end[0], 1)]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sim.dashboard.benchmark")
    sub = parser.add_subparsers(dest="what", required=True)
    one = sub.add_parser("month", help="server-side cost of a month, in this process")
    one.add_argument("--territory", default=CLASSROOM,
                     help="classroom, france, a region code (84), departement:26 or "
                     "epci:<siren>,<siren>")
    one.add_argument("--months", type=int, default=24)
    one.add_argument("--side-by-side", action="store_true")
    many = sub.add_parser("load", help="sessions playing at once in headless Chromium")
    many.add_argument("--sessions", type=int, default=4)
    many.add_argument("--seconds", type=float, default=20)
    many.add_argument("--speed", type=int, default=4)
    many.add_argument("--workers", type=int, default=1, help="server processes")
    args = parser.parse_args(argv)
    if args.what == "month":
        cost = month_cost(args.territory, args.months, args.side_by_side)
        print(" ".join(f"{k}={v:.1f}ms" for k, v in cost.items()))
    else:
        print(load(args.sessions, args.seconds, args.speed, args.workers))


if __name__ == "__main__":
    main()
