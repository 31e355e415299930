"""Shared fixtures: small, fast configurations of the model."""

from __future__ import annotations

import logging

import pytest

logging.getLogger("MESA").setLevel(logging.WARNING)

FAST = ["territory=classroom", "horizon_months=36"]


@pytest.fixture(scope="session")
def envelope_room_model():
    """Builds a model with room in the insertion envelopes (``_envelope_room_model``), given
    their fungibility: a fixture, as ``tests/browser/conftest.py`` shadows ``import conftest``."""
    return _envelope_room_model


def _envelope_room_model(fungibility: float):
    """A classroom model three months in, with room in every insertion envelope, unequal
    between forms, so that grants are neither all refused nor all served and posts lent
    between forms matter (the fast paths' property tests)."""
    import numpy as np

    from sim.model import EcosystemModel
    from sim.vocabulary import LEGAL_FORMS

    m = EcosystemModel(rng=5, territory="classroom", horizon_months=24,
                       **{"params.population.settling_months": 0,
                          "params.economy.insertion_envelope_fungibility": fungibility})
    for _ in range(3):
        m.step()
    m.world.funded_posts_start = (m.world.funded_posts_start * 1.2
                                  + np.arange(len(LEGAL_FORMS)) * 7.0 + 3.0)
    return m


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
