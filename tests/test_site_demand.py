"""A site opened in another territory draws on, and is booked against, that territory's
households' and businesses' pools, not its enterprise's home pools (issue 13)."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest

from sim.agents import ess
from sim.config import load_config
from sim.ledger import Sector
from sim.markets import clearing, premises
from sim.model import EcosystemModel
from sim.vocabulary import LEGAL_FORMS

CLASSROOM = ("territory=classroom", "horizon_months=24", "progress=false")


@pytest.fixture
def model():
    m = EcosystemModel(copy.deepcopy(load_config(CLASSROOM)), rng=0)
    m.step()
    return m


def _open_a_site_away(model) -> tuple[int, int]:
    """A profitable, large enterprise, in a world where ESS demand outruns capacity, opens a
    site (others may too); returns its row and its new site."""
    w = model.world
    e = w.enterprises
    row = int(np.flatnonzero(e.alive)[0])
    e.demand[:] = 2.0 * e.capacity
    e.form[row] = LEGAL_FORMS.index("SCOP")  # no funded posts needed to hire
    e.permanent[row], e.adapted[row], e.insertion[row] = 120, 0, 0
    e.owner_firm[row] = -1
    e.loss_making[row], e.pressure[row], e.premises_wait[row] = False, 2.0, 0
    e.last_growth[row] = -100
    w.ledger.pay_sector_to_enterprises(Sector.FOUNDERS, np.array([row]), np.array([1e7]), "test")
    model.params.scale_up = replace(model.params.scale_up, site_opening_rate_month=1.0)
    model.params.premises = replace(model.params.premises, private_acceptance=1.0)
    first = w.sites.n
    ess.open_sites(model)
    mine = first + np.flatnonzero(w.sites.enterprise[first:w.sites.n] == row)
    assert mine.size == 1, "the set-up should open one site for the enterprise"
    assert w.sites.territory[mine[0]] != e.territory[row]
    return row, int(mine[0])


def _drawn(model):
    """Other businesses' spending each claim draws from its territory's pool (every sector
    has such clients)."""
    c = clearing.claims(model.world)
    return model.world.business_market.clear_generic(c.market, c.business,
                                                     model.conditions.demand_index), c


def test_a_site_away_claims_the_pools_where_it_stands_not_at_home(model):
    e = model.world.enterprises
    home_claim = e.consumer_weight.copy(), e.business_weight.copy()
    row, site = _open_a_site_away(model)
    s = model.world.sites
    assert e.consumer_weight[row] == home_claim[0][row]  # the home claim did not grow
    assert e.business_weight[row] == home_claim[1][row]
    assert s.business_weight[site] > 0 or s.consumer_weight[site] > 0

    c = clearing.claims(model.world)
    away = np.flatnonzero((c.owner == row) & (c.territory == s.territory[site]))
    assert away.size == 1 and c.consumer[away[0]] + c.business[away[0]] > 0


def test_the_site_shares_the_target_pool_and_leaves_the_home_pool_alone(model):
    row, site = _open_a_site_away(model)
    s, e = model.world.sites, model.world.enterprises
    target, home = s.territory[site], e.territory[row]
    drawn, c = _drawn(model)
    pool = clearing.per_territory(model.world.business_market.generic_pool
                                  * model.conditions.demand_index)
    for t in (target, home):  # every pool is shared out exactly, site claims included
        assert drawn[c.territory == t].sum() == pytest.approx(pool[t])
    from_target = drawn[(c.owner == row) & (c.territory == target)].sum()
    assert from_target > 0
    # without the site's claim the target's other enterprises would take it all
    s.business_weight[site] = 0.0
    without, c0 = _drawn(model)
    others = (c0.territory == target) & (c0.owner != row)
    assert without[others].sum() == pytest.approx(drawn[(c.territory == target)
                                                        & (c.owner != row)].sum() + from_target)
    home_row = (c0.owner == row) & (c0.territory == home)
    assert without[home_row].sum() == pytest.approx(
        drawn[(c.owner == row) & (c.territory == home)].sum())


def test_the_claim_ends_with_the_site_or_its_enterprise(model):
    row, site = _open_a_site_away(model)
    s = model.world.sites
    assert (clearing.claims(model.world).owner == row).sum() == 2
    model.world.enterprises.alive[row] = False
    c = clearing.claims(model.world)
    assert c.consumer[c.owner == row].sum() == 0 and c.business[c.owner == row].sum() == 0
    model.world.enterprises.alive[row] = True
    premises.close_sites(model.world, np.array([site]))
    assert not s.open[site]
    assert (clearing.claims(model.world).owner == row).sum() == 1


def test_clearing_books_the_site_sales_on_its_enterprise(model):
    row, site = _open_a_site_away(model)
    model.world.sites.business_weight[site] *= 1e6  # the site's clients dominate its pool
    clearing.clear_markets(model)
    assert model.now.sales_parts["business"][row] > 0
    assert model.world.enterprises.demand[row] > 0
