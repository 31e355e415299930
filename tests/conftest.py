"""Shared fixtures: small, fast configurations of the model."""

from __future__ import annotations

import logging

import pytest

logging.getLogger("MESA").setLevel(logging.WARNING)

FAST = ["territory=classroom", "horizon_months=36"]


@pytest.fixture(scope="session")
def baseline_run():
    from sim.api import run

    return run(FAST)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session: Playwright's sync API allows a single
    instance per thread, so the dashboard's and the report's browser tests share it."""
    from playwright.sync_api import sync_playwright

    from sim.dashboard.browser import launch

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
