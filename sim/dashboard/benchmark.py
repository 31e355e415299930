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
import contextlib
import os
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from sim.dashboard.adapter import CLASSROOM, Run, Settings
from sim.dashboard.figures import PANELS, map_option, panel_option, ties_option
from sim.dashboard.pacing import RATE_WINDOW_S


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
    import psutil

    total = 0.0
    for p in processes:
        # A process gone since (a Chromium helper): its time is lost.
        with contextlib.suppress(psutil.Error):
            total += sum(p.cpu_times()[:2])
    return total


def process_groups(server) -> dict[str, list]:
    """This benchmark's processes by role: the dashboard server (every process of it), the
    browsers (Chromium and Playwright's driver), and this process (the benchmark's driver)."""
    import psutil

    me = psutil.Process()
    server_pids = {p.pid for p in server}
    browsers = [p for p in me.children(recursive=True) if p.pid not in server_pids]
    return {"server": list(server), "browsers": browsers, "benchmark": [me]}


def machine_busy_seconds() -> float:
    """CPU seconds every process of the machine has used (all cores, idle and iowait excluded)."""
    import psutil

    times = psutil.cpu_times()
    return sum(getattr(times, k, 0.0) for k in ("user", "nice", "system", "irq", "softirq",
                                                  "steal"))


class WireClients:
    """`count` sessions played over the websocket (`sim.dashboard.wire`), from an event loop in
    a thread of this process: Playwright's sync API keeps the main thread."""

    def __init__(self, url: str, count: int, speed: int, at_once: int = 4, starved: int = 0):
        import asyncio
        import threading

        from sim.dashboard.wire import WireSession

        # The last `starved` clients read one message every STARVED_READ_S seconds.
        self.sessions = [WireSession(url, read_interval_s=STARVED_READ_S if i >= count - starved
                                     else 0.0) for i in range(count)]
        self.speed, self.at_once = speed, at_once
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.readers = []

    def _run(self, coroutine, timeout: float | None = None):
        import asyncio

        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def open(self) -> None:
        """Load every session's page, `at_once` at a time (as pupils arriving)."""
        import asyncio

        async def open_all():
            gate = asyncio.Semaphore(self.at_once)

            async def one(session):
                async with gate:
                    await session.open()
                    await session.set_speed(self.speed)

            await asyncio.gather(*(one(s) for s in self.sessions))

        self._run(open_all())

    def play(self) -> None:
        import asyncio

        async def play_all():
            for session in self.sessions:
                await session.play()
            self.readers = [asyncio.ensure_future(s.read()) for s in self.sessions]

        self._run(play_all())

    def close(self) -> None:
        import asyncio

        async def close_all():
            for reader in self.readers:  # a starved reader would hold its socket's close
                reader.cancel()
            await asyncio.gather(*self.readers, return_exceptions=True)
            await asyncio.gather(*(s.close() for s in self.sessions), return_exceptions=True)

        self._run(close_all(), timeout=60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


# A starved client (`--starved`) reads one message every this many seconds: a Chromium page
# given too little CPU to keep up (a playing page receives ~6 messages a second).
STARVED_READ_S = 1.0


def shown(page) -> dict:
    """What the page shows: its session's name (`pulse.Pulse`), the month and the rate reached
    (months per second; None when it shows none), read in one call, and when (monotonic)."""
    import re

    text = page.evaluate("""() => {
        const pick = (selector) => {
            const el = document.querySelector(selector);
            return el ? el.textContent : null;
        };
        return [pick('.ess-session'), pick('.ess-month'), pick('.ess-rate')];
    }""")
    at = time.monotonic()
    session, month, rate = text
    month = re.search(r"\d+", month or "")
    rate = re.search(r"[\d,.]+", rate or "")
    return {"session": session or None, "month": int(month.group()) if month else None,
            "rate": float(rate.group().replace(",", ".")) if rate else None, "at": at}


def shown_against_server(log: Path, page: dict) -> dict:
    """A page's shown month and rate next to the server's count for its session: the rate the
    server counted over the `RATE_WINDOW_S` before it reached the month shown (what the page
    should read: the play loop computed the rate shown then), and over the `RATE_WINDOW_S`
    before the page was read (what it reads now, had the page kept up), and how many months the
    session was ahead of what its page showed."""
    from sim.dashboard import counters

    if not page["session"] or page["month"] is None:
        return {"shown_rate": page["rate"], "session": page["session"]}
    session = counters.key(page["session"])
    when = counters.reached(log, session, page["month"])
    now = counters.months_at(log, page["at"]).get(session, 0)
    return {
        "session": page["session"],
        "shown_month": page["month"],
        "shown_rate": page["rate"],
        "server_rate_at_shown_month": None if when is None
        else round(counters.rate_at(log, session, when, RATE_WINDOW_S), 2),
        "server_rate_when_read": round(counters.rate_at(log, session, page["at"],
                                                        RATE_WINDOW_S), 2),
        "months_behind": now - page["month"],
    }


def load(sessions: int, seconds: float, speed: int, workers: int = 1,
         pages: int | None = None, starved: int = 0) -> dict:
    """Months per second reached by each of `sessions` sessions playing at once, counted by the
    server (`sim.dashboard.counters`) over one window common to every session.

    `pages` of them are headless Chromium pages (all of them when None); the others are played
    over the websocket without a browser (`sim.dashboard.wire`), `starved` of which read one
    message a second (pages too starved of CPU to keep up)."""
    from playwright.sync_api import expect, sync_playwright

    from sim.dashboard import counters
    from sim.dashboard.browser import launch, open_dashboard, serve, set_speed
    from sim.dashboard.counters import MONTHS_LOG_ENV, REDRAWS_LOG_ENV, months_between

    pages = sessions if pages is None else min(pages, sessions)
    horizon = Run(Settings()).model.config.horizon_months  # the page's default run's last month
    expect.set_options(timeout=120_000)
    log = Path(tempfile.mkstemp(prefix="ess-months-", suffix=".log")[1])
    redraws_log = Path(tempfile.mkstemp(prefix="ess-redraws-", suffix=".log")[1])
    env = {"ESS_DASHBOARD_MAX_SESSIONS": "0", "ESS_DASHBOARD_MAX_MEMORY_MB": "0",
           MONTHS_LOG_ENV: str(log), REDRAWS_LOG_ENV: str(redraws_log)}
    with serve(env=env, args=("--workers", str(workers)), timeout=300) as server, \
            sync_playwright() as playwright:
        wired = WireClients(server.url, sessions - pages, speed,
                            starved=min(starved, sessions - pages))
        wired.open()
        browser = launch(playwright) if pages else None
        opened = [open_dashboard(browser, server.url, viewport={"width": 1366, "height": 768},
                                 timeout_ms=300_000)
                  for _ in range(pages)]
        for page in opened:
            set_speed(page, speed)
        groups = process_groups(server_processes())
        wired.play()
        for page in opened:  # at once: Playwright's click waits for frames a starved page
            page.evaluate("() => { window.essChartDraws = 0; window.essChartDrawMs = 0; "
                          "document.querySelector('.ess-play').click(); }")  # draws late
        played_at = time.monotonic()
        # The window starts once every session plays: each session's rate is over the same time.
        start, load_start = time.monotonic(), os.getloadavg()
        used_start = {k: cpu_seconds(v) for k, v in groups.items()}
        busy_start = machine_busy_seconds()
        time.sleep(seconds)
        end, load_end = time.monotonic(), os.getloadavg()
        used = {k: cpu_seconds(v) - used_start[k] for k, v in groups.items()}
        busy = machine_busy_seconds() - busy_start
        page_shows = [shown(page) for page in opened]
        drawn = [page.evaluate("() => [window.essChartDraws || 0, window.essChartDrawMs || 0]")
                 for page in opened]
        drawn_for = time.monotonic() - played_at
        for page in opened:
            page.context.close()
        if browser is not None:
            browser.close()
        received = [(s.messages, s.received_bytes) for s in wired.sessions]
        starved_keys = {counters.key(s.session) for s in wired.sessions
                        if s.read_interval_s and s.session}
        wired.close()
    advanced = months_between(log, start, end)
    # The rate each session reached over the last seconds of the window, as the server counted
    # it: what the pages' shown rate (`Pacer.rate`, over the same span) should read.
    recent = months_between(log, end - RATE_WINDOW_S, end)
    pages_against_server = [shown_against_server(log, page) for page in page_shows]
    window = end - start
    # Each session over the part of the window it played (a run that reached its last month
    # stops there); a session the server never logged advanced no month: it counts, as 0.
    playing, finished = counters.playing_rates(log, start, end, horizon)
    rates = sorted(list(playing.values()) + [0.0] * (sessions - len(advanced)))
    redrawn = months_between(redraws_log, start, end)  # redraws sent to each session's page
    log.unlink()
    redraws_log.unlink()
    months = sum(advanced.values())
    page_keys = {counters.key(p["session"]) for p in page_shows if p["session"]}
    page_months = sum(advanced.get(k, 0) for k in page_keys)
    page_redraws = sum(redrawn.get(k, 0) for k in page_keys)
    redraws = sum(redrawn.values())
    per_process = Counter(key.split("/")[0] for key in advanced)
    return {"sessions": sessions, "chromium_pages": pages,
            "websocket_clients": sessions - pages,
            "seconds": round(window, 1), "speed": speed,
            "server_processes": workers,
            "sessions_per_process": sorted(per_process.values()),
            "sessions_without_months": sessions - len(advanced),
            # Sessions whose run had reached its last month before the window opened.
            "sessions_finished_before_window": len(finished),
            "months_per_s": [round(r, 2) for r in rates],
            "months_per_s_min": round(min(rates), 2),
            "months_per_s_median": round(statistics.median(rates), 2),
            "months_total": months,
            # What the Chromium pages show as the rate reached (`.ess-rate`) at the end.
            "rate_shown_on_pages": [p["rate"] for p in page_shows],
            # Each page's shown month and rate next to the server's count for its session
            # (`shown_against_server`).
            "pages_against_server": pages_against_server,
            # The starved websocket clients' sessions (`--starved`), and the others'.
            "months_per_s_starved": sorted(round(playing.get(k, 0), 2) for k in starved_keys),
            "months_per_s_not_starved": sorted(round(r, 2) for k, r in playing.items()
                                               if k not in starved_keys),
            "months_per_s_last_3s": sorted(round(m / RATE_WINDOW_S, 2) for m in recent.values()),
            "server_cpu_cores": round(used["server"] / window, 2),
            # The server's CPU per month played, everything included (step, frames, Solara's
            # rendering and messages), all its processes: a core serves 1000 / this months a s.
            "server_cpu_ms_per_month": round(1000 * used["server"] / months, 1)
            if months else None,
            # Where the machine's CPU went in the window, in cores: the Chromium pages (and
            # Playwright's driver), this process (the websocket clients), the rest of the
            # machine (other jobs).
            "browsers_cpu_cores": round(used["browsers"] / window, 2),
            # The Chromium pages' CPU (with Playwright's driver) per month their sessions
            # played and per redraw the server sent them (pages that named their session).
            "browsers_cpu_ms_per_month": round(1000 * used["browsers"] / page_months, 1)
            if page_months else None,
            "browsers_cpu_ms_per_redraw": round(1000 * used["browsers"] / page_redraws, 1)
            if page_redraws else None,
            # Redraws the server sent, per second per session (median), per month played, and
            # the server's CPU per redraw.
            "redraws_per_s_median": round(statistics.median(
                [redrawn.get(k, 0) / window for k in advanced] or [0]), 2),
            "redraws_per_month": round(redraws / months, 2) if months else None,
            # Chart widgets' draws in each page since Play (`chart.vue`: the six panels, the
            # map and the ties each count), per second (median over the pages), and the mean
            # milliseconds a draw took by the page's clock (what its pacing reads).
            "page_chart_draws_per_s_median": round(statistics.median(
                n / drawn_for for n, _ in drawn), 2) if drawn else None,
            "page_chart_draw_ms_mean": round(sum(ms for _, ms in drawn) / max(
                1, sum(n for n, _ in drawn)), 1) if drawn else None,
            "benchmark_cpu_cores": round(used["benchmark"] / window, 2),
            "other_cpu_cores": round((busy - sum(used.values())) / window, 2),
            "machine_cores": os.cpu_count(),
            # Messages and kB a websocket client received per second, median over the clients.
            "client_messages_per_s": round(statistics.median(
                m for m, _ in received) / window, 1) if received else None,
            "client_kb_per_s": round(statistics.median(
                b for _, b in received) / window / 1000, 1) if received else None,
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
    many.add_argument("--starved", type=int, default=0,
                      help="websocket clients that read one message a second (starved pages)")
    many.add_argument("--pages", type=int, default=None,
                      help="sessions played in headless Chromium pages (default: all); the "
                      "others are played over the websocket without a browser")
    args = parser.parse_args(argv)
    if args.what == "month":
        cost = month_cost(args.territory, args.months, args.side_by_side)
        print(" ".join(f"{k}={v:.1f}ms" for k, v in cost.items()))
    else:
        print(load(args.sessions, args.seconds, args.speed, args.workers, args.pages,
                   args.starved))


if __name__ == "__main__":
    main()
