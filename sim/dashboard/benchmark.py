"""`python -m sim.dashboard.benchmark`: what a month costs the server, and a class's load.

``month``: in this process, the server-side work of one month of one session — the model's
step (and its twin's, side by side), the frames read back, and every chart option built — on
the classroom territories or a region, averaged over `--months` months.

``load``: a real server on loopback and `--sessions` headless Chromium pages (each its own
session), all playing at `--speed`, for `--seconds`; prints each session's months per second
and the server's CPU use. Bounded: at most `--seconds` of play, pages closed at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time

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


def shown_month(page) -> int | None:
    """The month a page shows, or None when its counter is not on screen within 10 s (a page
    still re-rendering, or one whose session was lost): counted apart, not as a crash."""
    try:
        text = page.locator(".ess-month").inner_text(timeout=10_000)
    except Exception:  # Playwright's timeout: the page is reported, the benchmark goes on
        return None
    return int(re.search(r"\d+", text).group())


def load(sessions: int, seconds: float, speed: int) -> dict:
    """Months per second reached by each of `sessions` pages playing at once."""
    import psutil
    from playwright.sync_api import expect, sync_playwright

    from sim.dashboard.browser import launch, open_dashboard, serve, set_speed

    expect.set_options(timeout=120_000)
    with serve(env={"ESS_DASHBOARD_MAX_SESSIONS": "0", "ESS_DASHBOARD_MAX_MEMORY_MB": "0"}) \
            as server, \
            sync_playwright() as playwright:
        browser = launch(playwright)
        pages = [open_dashboard(browser, server.url, viewport={"width": 1366, "height": 768})
                 for _ in range(sessions)]
        for page in pages:
            set_speed(page, speed)
        server_process = next(p for p in psutil.Process().children(recursive=True)
                              if "sim.dashboard" in " ".join(p.cmdline()))
        cpu_before = sum(server_process.cpu_times()[:2])
        start = time.monotonic()
        started = []
        for page in pages:
            page.click(".ess-play")
            started.append(time.monotonic())
        time.sleep(seconds)
        # Each page's rate over its own time since its Play click, to the moment it was read.
        rates, lost, months = [], 0, 0
        for page, began in zip(pages, started, strict=True):
            reached = shown_month(page)
            if reached is None:
                lost += 1
            else:
                rates.append(reached / (time.monotonic() - began))
                months += reached
        elapsed = time.monotonic() - start
        cpu_seconds = sum(server_process.cpu_times()[:2]) - cpu_before
        for page in pages:
            page.context.close()
        browser.close()
    return {"sessions": sessions, "seconds": round(elapsed, 1), "speed": speed,
            "pages_without_counter": lost,
            "months_per_s": [round(r, 2) for r in rates],
            "months_per_s_min": round(min(rates), 2) if rates else None,
            "months_per_s_median": round(statistics.median(rates), 2) if rates else None,
            "server_cpu_cores": round(cpu_seconds / elapsed, 2),
            # The server's CPU per month played, everything included (step, frames, Solara's
            # rendering and messages): one core of Python serves 1000 / this months a second.
            "server_cpu_ms_per_month": round(1000 * cpu_seconds / months, 1) if months else None,
            "load_average_1min": round(os.getloadavg()[0], 1)}


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
    args = parser.parse_args(argv)
    if args.what == "month":
        cost = month_cost(args.territory, args.months, args.side_by_side)
        print(" ".join(f"{k}={v:.1f}ms" for k, v in cost.items()))
    else:
        print(load(args.sessions, args.seconds, args.speed))


if __name__ == "__main__":
    main()
