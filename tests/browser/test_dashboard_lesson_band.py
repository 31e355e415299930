"""A lesson's answer rests on ten seeds, computed by the server's background worker, and the page
redraws the answer when they arrive, without the pupil doing anything.

Its own server: on the shared one the worker computes the bands of every lesson the other tests
opened, one after another, and this lesson's band would wait behind them. Every wait is for a
state of the page, bounded; none is a fixed sleep.
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

# Bounds, not expected durations: the lesson's 60 months play in ~5 s and its twenty runs of
# 60 months (ten seeds with and without the levers) take ~20 s on a quiet 2-core machine;
# several times that under the load of a full CI run beside other jobs.
PLAY_TIMEOUT_MS = 240_000
BAND_TIMEOUT_MS = 420_000


@pytest.fixture(scope="module")
def own_server():
    with serve() as running:
        yield running


def test_lesson_answer_is_redrawn_when_its_ten_seeds_arrive(browser, own_server):
    """The band's direction is the lesson's claim, and the pupil's prediction is marked."""
    lesson = next(x for x in LESSONS if x.key == "known_suppliers")
    assert lesson.claim == "up"
    page = open_dashboard(browser, own_server.url, viewport={"width": 1400, "height": 1000})
    try:
        choose_lesson(page, lesson.title["fr"])
        page.locator(".ess-prediction button", has_text="baisse").click()
        set_speed(page, 24)
        page.click(".ess-play")
        expect(page.locator(".ess-month")).to_contain_text(f"Mois {lesson.stop_month}",
                                                           timeout=PLAY_TIMEOUT_MS)
        text = page.locator(".ess-lesson-text")
        expect(page.locator(".ess-answer").first).to_contain_text("Sur cette graine")
        # No click from here on: the answer must change by itself when the band arrives.
        expect(text).to_contain_text("Sur 10 graines", timeout=BAND_TIMEOUT_MS)
        expect(text).not_to_contain_text("en cours")
        expect(text).to_contain_text("hausse sur au moins 9 graines sur 10")
        expect(text).to_contain_text("Votre prédiction n'est pas ce que montre le modèle")
        assert page_errors(page) == []
    finally:
        page.context.close()
