"""The liability of newness (``params.economy.newness_half_life_months``,
``ess.mature_productivity``): an entrant's productivity is drawn around its form's target margin
(``entrant_margin_sd``) and the gap to its productivity at the target fades with age, so
selection acts on the young while the survivors converge to the incumbents. Without it the
lucky draws stayed for good and the productivity of a form that turns over ratcheted up, the
same clients served by fewer people (issue 13: associations' jobs -10.9% in ten years with
their structures flat)."""

from __future__ import annotations

import numpy as np

from sim.agents import ess
from sim.api import build_model
from sim.validation import ZERO_TRENDS


def _model(half_life: float = 24.0, months: int = 2, seed: int = 3):
    return build_model(
        [
            "progress=false",
            f"seed={seed}",
            "territory=classroom",
            f"horizon_months={months}",
            *ZERO_TRENDS,
            f"params.economy.newness_half_life_months={half_life}",
        ]
    )


def _entrants(m) -> np.ndarray:
    """Rows of ~200 founders' structures opened this month (alive or not)."""
    e, w = m.world.enterprises, m.world
    first = e.n
    ess.open_structures(
        m, np.random.default_rng(7), np.full(w.n_territories, 200 // w.n_territories)
    )
    return np.arange(first, e.n)


def test_entrants_gap_to_the_target_halves_every_half_life():
    m = _model()
    e = m.world.enterprises
    rows = _entrants(m)
    e.alive[rows] = True
    drawn, settled = e.productivity[rows].copy(), e.productivity_settled[rows].copy()
    assert np.abs(drawn - settled).max() > 0.1  # entrants draw widely around the target
    np.testing.assert_allclose(e.productivity_gap[rows], drawn - settled)
    ess.mature_productivity(m.world, m.params, m.month + 24)
    np.testing.assert_allclose(e.productivity[rows], settled + (drawn - settled) / 2)
    ess.mature_productivity(m.world, m.params, m.month + 240)
    np.testing.assert_allclose(e.productivity[rows], settled + (drawn - settled) / 1024)


def test_settled_productivity_is_the_one_at_the_target_margin():
    """An entrant drawn with no dispersion gets its settled productivity exactly."""
    m = _model()
    e = m.world.enterprises
    rows = _entrants(m)
    # the rent its accounts were set at: the market rent of its floor (ess.open_structures)
    market_rent = m.world.premises_market.market_rent(m.conditions.rent_index)[e.territory[rows]]
    rent = ess.on_site_jobs(m.world, rows) * m.params.population.m2_per_job * market_rent / 12
    settled = e.productivity_settled[rows].copy()
    ess.calibrate_productivity(
        m.world, m.params, np.random.default_rng(0), rows, rent, 0.0, survivors=False
    )
    np.testing.assert_allclose(e.productivity[rows], settled)
    np.testing.assert_allclose(e.productivity_gap[rows], 0.0, atol=1e-12)


def test_incumbents_keep_their_productivity_and_zero_turns_it_off():
    m = _model()
    e = m.world.enterprises
    incumbents = np.flatnonzero(e.alive)
    before = e.productivity[incumbents].copy()
    assert np.all(e.productivity_gap[incumbents] == 0.0)
    ess.mature_productivity(m.world, m.params, m.month + 60)
    np.testing.assert_array_equal(e.productivity[incumbents], before)
    off = _model(half_life=0.0)
    rows = _entrants(off)
    off.world.enterprises.alive[rows] = True
    drawn = off.world.enterprises.productivity[rows].copy()
    ess.mature_productivity(off.world, off.params, off.month + 60)
    np.testing.assert_array_equal(off.world.enterprises.productivity[rows], drawn)


def test_surviving_entrants_converge_to_the_incumbents():
    """Zero trends, six years: the entrants alive after three years or more stand well above
    their form's productivity at the target margin when their draw is for life (the low draws
    failed, the high ones stayed: the ratchet), close to it when the gap fades."""
    gaps = {}
    for half_life in (0.0, 24.0):
        m = _model(half_life=half_life, months=72, seed=1)
        m.run()
        e = m.world.enterprises
        alive = np.flatnonzero(e.alive)
        old = alive[(e.founded[alive] >= 0) & (m.month - e.founded[alive] >= 36)]
        assert old.size >= 5
        gaps[half_life] = float(np.mean(e.productivity[old] / e.productivity_settled[old]) - 1)
    assert gaps[0.0] > 0.15
    assert gaps[24.0] < 0.10
    assert gaps[24.0] < gaps[0.0] / 2
