"""Headless Chromium and a dashboard server, for the screenshots and the browser tests.

The browser is Debian's ``chromium`` driven by the ``playwright`` package; ``playwright install``
is never used since it downloads a browser build, which CI and classroom machines cannot do. The
flags stop Chromium's own traffic (updates, sync, QUIC probes), so that a request log shows only
what the page itself asks for.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import expect

from sim.dashboard.__main__ import free_port

CHROMIUM = os.environ.get("ESS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Server:
    url: str
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def serve(
    env: dict[str, str] | None = None, timeout: float = 90, args: tuple[str, ...] = ()
) -> Iterator[Server]:
    """Run ``python -m sim.dashboard [args]`` on a free loopback port until the block ends."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="ess-dashboard-", suffix=".log")[1])
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "sim.dashboard", "--port", str(port), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=os.environ | (env or {}),
        )
    server = Server(f"http://127.0.0.1:{port}/", log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"dashboard server exited early:\n{server.log_text()}")
            try:
                with urllib.request.urlopen(server.url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"no dashboard at {server.url}:\n{server.log_text()}") from None
                time.sleep(0.3)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def launch(playwright):
    """Debian's Chromium, headless, through Playwright."""
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(
            f"no Chromium at {CHROMIUM}: install it with .ci/install-browser.sh "
            "(or point ESS_CHROMIUM at one)"
        )
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)


@dataclass
class Traffic:
    """Every URL a page asked for (websockets included) and every failed answer."""

    urls: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("websocket", lambda ws: self.urls.append(ws.url))
        page.on("requestfailed", lambda request: self.errors.append(f"failed {request.url}"))
        page.on(
            "response",
            lambda r: self.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )

    def foreign(self) -> list[str]:
        """URLs that would leave this machine (inline data: and blob: URLs do not)."""
        return [
            url
            for url in self.urls
            if urlparse(url).scheme not in ("data", "blob")
            and urlparse(url).hostname not in ("127.0.0.1", "localhost", "::1")
        ]


def open_dashboard(
    browser, url: str, traffic: Traffic | None = None, timeout_ms: float = 60_000, **context_args
):
    """A new page (own browser context, hence own session) with the dashboard rendered."""
    page = browser.new_context(**context_args).new_page()
    if traffic is not None:
        traffic.watch(page)
    page.goto(url)
    page.wait_for_selector(".ess-month", timeout=timeout_ms)
    return page


def month(page) -> int:
    """The month the page shows."""
    return int(re.search(r"\d+", page.inner_text(".ess-month")).group())


def expect_month(page, value: int) -> None:
    expect(page.locator(".ess-month")).to_have_text(re.compile(rf"\b{value}\b"))


def step(page, months: int) -> None:
    """Press Step `months` times, each time waiting for the page to show the new month."""
    start = month(page)
    for k in range(1, months + 1):
        page.click(".ess-step")
        expect_month(page, start + k)


def choose(page, select_class: str, option: str) -> None:
    """Choose `option` in the Vuetify select carrying `select_class`."""
    page.click(f".{select_class}")
    page.locator(".menuable__content__active [role=option]", has_text=option).click()


def set_language(page, lang: str) -> None:
    page.locator(".ess-lang").get_by_text(lang, exact=True).click()
    expect(page.locator(".ess-month")).to_contain_text("Mois" if lang == "fr" else "Month")


def set_speed(page, months_per_second: int) -> None:
    """Move the speed slider to `months_per_second` with the keyboard (1 to 24)."""
    thumb = page.locator(".ess-speed [role=slider]")
    thumb.focus()
    thumb.press("Home")
    for _ in range(months_per_second - 1):
        thumb.press("ArrowRight")
    expect(thumb).to_have_attribute("aria-valuenow", str(months_per_second))


def page_errors(page) -> list[str]:
    """Error boxes the page shows, and any Python traceback that replaced it."""
    found = [page.locator(".ess-error").nth(i).inner_text()
             for i in range(page.locator(".ess-error").count())]
    body = page.inner_text("body")
    return found + (["a traceback is on the page"] if "Traceback" in body else [])


# A lesson's Reset builds two models; on a loaded 2-core machine that took over 5 s (Playwright's
# default wait), so the wait is for the page's state, bounded at a minute.
RESET_TIMEOUT_MS = 60_000


def choose_lesson(page, title: str) -> None:
    """Choose a lesson and wait for its run (month 0, its question on screen)."""
    choose(page, "ess-lesson", title)
    expect(page.locator(".ess-lesson-text")).to_be_visible(timeout=RESET_TIMEOUT_MS)
    expect(page.locator(".ess-month")).to_have_text(re.compile(r"\b0\b"),
                                                    timeout=RESET_TIMEOUT_MS)
