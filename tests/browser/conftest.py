"""Fixtures for the dashboard's browser tests: one server, one Chromium, a fresh context per test.

These tests fail, never skip, when Chromium or Playwright is missing: a CI that silently skipped
them would say nothing about the dashboard. ESS_SKIP_BROWSER=1 is the explicit way to skip them.
"""

from __future__ import annotations

import os

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives the dashboard in headless Chromium")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("ESS_SKIP_BROWSER") == "1":
        skip = pytest.mark.skip(reason="ESS_SKIP_BROWSER=1")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def server():
    from sim.dashboard.browser import serve

    with serve() as running:
        yield running


@pytest.fixture
def open_page(browser, server):
    """Open the dashboard in a new browser context (a new session), recording its traffic."""
    from playwright.sync_api import expect

    from sim.dashboard.browser import open_dashboard

    expect.set_options(timeout=30_000)
    pages = []

    def _open(traffic=None):
        page = open_dashboard(
            browser, server.url, traffic, viewport={"width": 1400, "height": 1000}
        )
        pages.append(page)
        return page

    yield _open
    for page in pages:
        page.context.close()
