"""Growth at home extends the lease an enterprise holds there (issue 13, issue 20: sites grew
×7 over 20 zero-trend years as each growth step rented a new small unit in its own town)."""

from __future__ import annotations

import copy
import functools
from dataclasses import replace

import numpy as np
import pytest

from sim.agents import ess
from sim.config import load_config
from sim.ledger import Sector
from sim.markets.premises import PRIVATE, TRUST
from sim.model import EcosystemModel
from sim.vocabulary import LEGAL_FORMS

CLASSROOM = ("territory=classroom", "horizon_months=24", "progress=false")


@functools.cache
def _composed(overrides: tuple[str, ...]):
    return load_config(overrides)


@pytest.fixture
def model():
    model = EcosystemModel(copy.deepcopy(_composed(CLASSROOM)), rng=0)
    model.step()  # conditions and effects of a running month
    model.params.premises = replace(model.params.premises, private_acceptance=1.0)
    return model


def _growing(model) -> int:
    """One profitable enterprise short of capacity, its staff beyond its floor; no other grows.
    A worker cooperative: its jobs are not funded posts, so its growth step is not rationed by
    the State's envelopes (``ess._funded_step``) and the lease is what the test sees."""
    w = model.world
    e = w.enterprises
    row = int(np.flatnonzero(e.alive)[0])
    e.pressure[:] = 0.0
    e.form[row] = LEGAL_FORMS.index("SCOP")
    e.permanent[row], e.adapted[row], e.insertion[row] = 120, 0, 0
    e.sales[row], e.owner_firm[row] = 1e6, -1
    e.pressure[row] = 2.0
    e.loss_making[row], e.support_vacant[row], e.refused_months[row] = False, False, 0
    w.ledger.pay_sector_to_enterprises(Sector.FOUNDERS, np.array([row]), np.array([1e8]), "test")
    return row


def _grow_once(model, row) -> None:
    model.world.enterprises.last_growth[row] = -1000
    model.world.enterprises.pressure[row] = 2.0
    ess.grow(model)


def _home_sites(model, row) -> np.ndarray:
    s, e = model.world.sites, model.world.enterprises
    return np.flatnonzero(s.open & (s.enterprise == row) & (s.territory == e.territory[row]))


def test_three_growth_steps_at_home_extend_one_lease(model):
    row = _growing(model)
    w = model.world
    site = _home_sites(model, row)
    assert site.size == 1
    floors = [float(w.ledger.site_floor[site[0]])]
    for _ in range(3):
        _grow_once(model, row)
        floors.append(float(w.ledger.site_floor[site[0]]))
    assert np.array_equal(_home_sites(model, row), site)
    assert floors[-1] > floors[0]
    assert w.enterprises.floor[row] == pytest.approx(floors[-1])


def test_the_added_floor_is_let_at_the_market_rent(model):
    row = _growing(model)
    w = model.world
    site = _home_sites(model, row)[0]
    w.sites.rent_m2_yr[site] = 1.0  # an old, cheap lease
    held = float(w.ledger.site_floor[site])
    _grow_once(model, row)
    added = float(w.ledger.site_floor[site]) - held
    market = float(w.premises_market.market_rent(model.conditions.rent_index)[
        w.enterprises.territory[row]])
    assert added > 0
    assert w.sites.rent_m2_yr[site] == pytest.approx((held * 1.0 + added * market)
                                                     / (held + added))


def test_no_vacant_floor_blocks_growth_as_before(model):
    row = _growing(model)
    w = model.world
    w.ledger.territory_floor[PRIVATE][:] = 0.0
    w.ledger.territory_floor[TRUST][:] = 0.0
    floor, staff = float(w.enterprises.floor[row]), int(w.enterprises.permanent[row])
    _grow_once(model, row)
    assert w.enterprises.floor[row] == floor
    assert w.enterprises.permanent[row] == staff
    assert w.enterprises.premises_wait[row] == 1


def test_shrinking_gives_back_the_extension_not_the_original_lease(model):
    row = _growing(model)
    w = model.world
    site = _home_sites(model, row)[0]
    opened_with = float(w.ledger.site_floor[site])
    _grow_once(model, row)
    vacant = float(w.ledger.territory_floor[PRIVATE].sum())
    e = w.enterprises
    e.permanent[row] = 1  # all but one job gone: the whole extension is spare
    ess._shorten_home_leases(model, np.array([row]))
    assert w.ledger.site_floor[site] == pytest.approx(opened_with)
    assert e.floor[row] == pytest.approx(opened_with)
    assert w.ledger.territory_floor[PRIVATE].sum() > vacant
