"""Each lesson states what the model shows over ten seeds, not what one seed happened to show.

A lesson's explanation claims a direction for one number (`Lesson.claim`); this test runs the
lesson's paired runs (with and without its levers, seeds 1–10, to its stop month) and checks the
claim against `bands.direction`. After any change to the mechanisms, a failure here means a
lesson's text must be rewritten, not the test. About a minute per lesson on the classroom set.
"""

from __future__ import annotations

import pytest

from sim.dashboard.bands import SEEDS, compute_band
from sim.dashboard.lessons import LESSONS, PREDICTIONS


@pytest.mark.parametrize("lesson", LESSONS, ids=[x.key for x in LESSONS])
def test_lesson_claim_holds_over_ten_seeds(lesson):
    band = compute_band(lesson.settings, lesson.outcome, lesson.stop_month)
    assert len(band.effects) == len(SEEDS) == 10
    assert band.direction == lesson.claim, (
        f"{lesson.key}: the text says {lesson.claim}, ten seeds give {band.direction}: "
        f"{[round(e, 1) for e in band.effects]}")


def test_every_claim_can_be_predicted():
    directions = {p["direction"] for p in PREDICTIONS.values()}
    assert {lesson.claim for lesson in LESSONS} <= directions


def test_lessons_compare_with_and_without_levers_on_the_classroom_set():
    for lesson in LESSONS:
        assert lesson.settings.side_by_side and lesson.settings.levers
        assert lesson.settings.territory == "classroom"
