"""Territory choices, the share link, the event feed and the info tab, in headless Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sim.dashboard.browser import RESET_TIMEOUT_MS, choose, month, page_errors, step
from sim.policies import REGISTRY

pytestmark = pytest.mark.browser


def test_a_departement_an_epci_list_and_france_can_be_chosen(open_page):
    page = open_page()
    choose(page, "ess-territory-kind", "Un département")
    expect(page.locator(".ess-territory-size")).to_contain_text("EPCI")
    choose(page, "ess-territory", "07 (Auvergne-Rhône-Alpes)")
    page.click(".ess-reset")
    expect(page.locator(".ess-overrides")).to_contain_text(
        "territory.kind=departement territory.codes=['07']", timeout=RESET_TIMEOUT_MS)
    step(page, 1)

    choose(page, "ess-territory-kind", "Des intercommunalités (EPCI)")
    codes = page.locator(".ess-epci-codes input")
    codes.fill("123")
    codes.press("Enter")
    expect(page.locator(".ess-territory-refused")).to_contain_text("territory.codes: unknown epci")
    expect(page.locator(".ess-pending")).to_have_count(0)  # no "press Reset" for a refused one
    page.click(".ess-reset")  # refused in the form: the run on screen stays
    codes.fill("200040715, 200068500")
    codes.press("Enter")
    expect(page.locator(".ess-territory-size")).to_contain_text("2 EPCI")
    expect(page.locator(".ess-pending")).to_be_visible()

    choose(page, "ess-territory-kind", "France entière")
    expect(page.locator(".ess-territory-slow")).to_contain_text("lecture sera lente")
    assert "departement" in page.inner_text(".ess-overrides") and month(page) == 1
    assert page_errors(page) == []


def test_the_share_link_reopens_the_same_run(open_page, server):
    page = open_page()
    page.locator(".ess-lever-land_trust input[role=checkbox]").check(force=True)
    page.locator(".ess-run-card input[role=checkbox]").check(force=True)
    seed = page.locator(".ess-seed input")
    seed.fill("7")
    seed.press("Enter")
    page.click(".ess-reset")
    expect(page.locator(".ess-overrides")).to_contain_text("seed=7", timeout=RESET_TIMEOUT_MS)
    overrides = page.inner_text(".ess-overrides")
    step(page, 2)
    # The feed says what happened, newest month first.
    expect(page.locator(".ess-feed-list li")).to_have_count(2)
    expect(page.locator(".ess-feed-list li").first).to_contain_text("Mois 2")

    link = page.locator(".ess-share").get_attribute("href")
    assert "land_trust" in link and "compare=1" in link
    other = open_page()
    other.goto(server.url + link)
    expect(other.locator(".ess-overrides")).to_have_text(overrides, timeout=RESET_TIMEOUT_MS)
    expect(other.locator(".ess-lever-land_trust input[role=checkbox]")).to_have_attribute(
        "aria-checked", "true")

    other.goto(server.url + "?seed=-2&levers=land_trust:5")
    expect(other.locator(".ess-link-refused")).to_contain_text("seed, levers (land_trust:5)",
                                                               timeout=RESET_TIMEOUT_MS)
    assert page_errors(other) == []


def test_the_info_tab_explains_every_lever_and_keeps_the_run(open_page):
    page = open_page()
    step(page, 1)
    page.locator(".ess-info-toggle input[role=checkbox]").check(force=True)
    info = page.locator(".ess-info")
    for lever in REGISTRY.values():
        expect(info).to_contain_text(lever.label.fr)
    expect(info).to_contain_text("Mécanisme")
    expect(page.locator(".ess-step")).to_be_hidden()
    page.locator(".ess-info-toggle input[role=checkbox]").uncheck(force=True)
    expect(page.locator(".ess-step")).to_be_visible()
    assert month(page) == 1
