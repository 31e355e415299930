"""The dashboard as a pupil uses it: in headless Chromium, against a live server.

Run with ``pytest -m browser tests/browser`` (Chromium from .ci/install-browser.sh).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sim.dashboard.browser import Traffic, choose, expect_month, month, set_language, step

pytestmark = pytest.mark.browser


def test_page_renders_the_model(open_page):
    page = open_page()
    assert month(page) == 0
    expect(page.locator(".ess-overrides")).to_contain_text("territory=classroom")
    step(page, 1)  # the model records its first month when it has simulated it
    expect(page.locator(".ess-kpi tbody tr")).not_to_have_count(0)
    # Time series drawn by ECharts in the browser; map and ties drawn on the server as images.
    expect(page.locator(".solara-echarts canvas")).to_have_count(1)
    assert page.locator(".solara-echarts canvas").bounding_box()["height"] > 300
    images = page.locator("img.widget-image")
    expect(images).to_have_count(2)
    assert all(images.nth(i).bounding_box()["width"] > 150 for i in range(2))


def test_step_advances_time(open_page):
    page = open_page()
    step(page, 3)
    assert month(page) == 3
    page.click(".ess-play")
    expect(page.locator(".ess-month")).not_to_contain_text("Mois 3")
    page.click(".ess-play")
    expect(page.locator(".ess-play")).to_contain_text("Lecture")
    page.wait_for_timeout(1000)  # the months already due when pause arrived are still drawn
    paused = month(page)
    page.wait_for_timeout(1500)
    assert month(page) == paused


def test_lever_changes_the_run_after_reset(open_page):
    page = open_page()
    step(page, 6)
    without = page.inner_text(".ess-kpi")

    page.locator(".ess-lever-land_trust").get_by_text("Foncière solidaire").click()
    thumb = page.locator(".ess-lever-land_trust [role=slider]")
    expect(thumb).to_have_attribute("tabindex", "0")  # enabled once the lever is on
    thumb.focus()
    thumb.press("ArrowRight")
    thumb.press("ArrowRight")
    expect(thumb).to_have_attribute("aria-valuenow", "0.6")
    # Nothing changes until Reset: the run on screen stays the one the class is looking at.
    expect(page.locator(".ess-pending")).to_be_visible()
    expect(page.locator(".ess-overrides")).to_contain_text("policies=[]")

    page.click(".ess-reset")
    expect(page.locator(".ess-overrides")).to_contain_text(
        "policies=[land_trust] policies.land_trust.intensity=0.6"
    )
    expect(page.locator(".ess-pending")).to_have_count(0)
    assert month(page) == 0
    step(page, 6)
    assert page.inner_text(".ess-kpi") != without


def test_two_sessions_do_not_share_a_model(open_page):
    first, second = open_page(), open_page()
    step(first, 3)
    step(second, 1)
    assert month(second) == 1
    first.reload()
    expect_month(first, 0)  # a reload is a new session with a fresh model
    step(second, 1)
    assert month(second) == 2


def test_lesson_preset_loads_in_both_languages(open_page):
    page = open_page()
    set_language(page, "en")
    choose(page, "ess-lesson", "Reserved markets and joint bids")
    expect(page.locator(".ess-lesson-text")).to_contain_text("bid together")
    expect_month(page, 0)
    expect(page.locator(".ess-overrides")).to_contain_text("policies=[reserved_markets]")
    step(page, 2)
    expect(page.locator(".ess-kpi")).to_contain_text("without levers")
    checkbox = page.locator(".ess-lever-reserved_markets input[role=checkbox]")
    expect(checkbox).to_have_attribute("aria-checked", "true")

    set_language(page, "fr")
    expect(page.locator(".ess-lesson-text")).to_contain_text("Marchés réservés et candidatures")
    assert month(page) == 2  # switching language keeps the run


def test_no_request_leaves_localhost(open_page, server):
    traffic = Traffic()
    page = open_page(traffic)
    step(page, 2)
    page.click(".ess-play")
    page.wait_for_timeout(1500)
    page.click(".ess-play")
    choose(page, "ess-lesson", "Ce que change vraiment une TVA réduite")
    expect_month(page, 0)
    choose(page, "ess-map-output", "Coût public")
    step(page, 1)
    page.wait_for_timeout(500)

    assert traffic.urls, "the request log recorded nothing"
    assert traffic.foreign() == []
    assert traffic.errors == []
    # An asset missing from the local cache would be fetched by the server (from a dead CDN).
    assert "Could not load URL" not in server.log_text()
