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
