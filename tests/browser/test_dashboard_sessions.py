"""Sessions on a server given to a room: capped, freed soon after a tab closes, no debug pages."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from sim.dashboard.browser import open_dashboard, serve, step

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def small_server():
    with serve(args=("--max-sessions", "1", "--cull-after", "3")) as running:
        yield running


def _open(browser, url):
    page = browser.new_context().new_page()
    page.goto(url)
    page.wait_for_selector(".ess-month, .ess-full", timeout=60_000)
    return page


def test_a_full_server_says_so_and_frees_a_closed_tab(browser, small_server):
    first = open_dashboard(browser, small_server.url)
    step(first, 1)
    second = _open(browser, small_server.url)
    expect(second.locator(".ess-full")).to_contain_text("Le serveur est plein")
    second.context.close()
    first.context.close()  # the tab closes: its session goes within --cull-after seconds
    third = None
    for _ in range(20):
        third = _open(browser, small_server.url)
        if third.locator(".ess-month").count():
            break
        third.context.close()
        time.sleep(1)
    assert third.locator(".ess-month").count() == 1, "the closed tab's session was never freed"
    third.context.close()


def test_debug_endpoint_is_off_by_default(small_server):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(small_server.url + "resourcez", timeout=10)
    assert refused.value.code == 404
