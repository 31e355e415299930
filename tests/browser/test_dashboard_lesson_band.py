"""A lesson's answer rests on ten seeds, computed by the server's background worker.

Its own server: on the shared one the worker computes the bands of every lesson the other tests
opened, one after another, and this lesson's band would wait behind them.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sim.dashboard.browser import (
    choose_lesson,
    open_dashboard,
    page_errors,
    serve,
    set_speed,
)
from sim.dashboard.lessons import LESSONS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def own_server():
    with serve() as running:
        yield running


def test_lesson_answer_rests_on_ten_seeds(browser, own_server):
    """The band's direction is the lesson's claim, and the pupil's prediction is marked (a few
    minutes on a loaded machine, under a minute on a quiet one)."""
    lesson = next(x for x in LESSONS if x.key == "known_suppliers")
    page = open_dashboard(browser, own_server.url, viewport={"width": 1400, "height": 1000})
    try:
        choose_lesson(page, lesson.title["fr"])
        page.locator(".ess-prediction button", has_text="baisse").click()
        set_speed(page, 24)
        page.click(".ess-play")
        expect(page.locator(".ess-month")).to_contain_text(f"Mois {lesson.stop_month}",
                                                           timeout=240_000)
        text = page.locator(".ess-lesson-text")
        expect(text).to_contain_text("Sur 10 graines", timeout=900_000)
        expect(text).to_contain_text("hausse sur au moins 9 graines sur 10")
        expect(text).to_contain_text("Votre prédiction n'est pas ce que montre le modèle")
        assert page_errors(page) == []
    finally:
        page.context.close()
