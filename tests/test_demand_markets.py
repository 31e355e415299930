"""Households' and businesses' demand is kept by territory and ESS sector (issue 13): an
enterprise growing takes clients only from the enterprises of its own sector in its own
territory, not from every ESS enterprise around it."""

from __future__ import annotations

import numpy as np
import pytest

from sim.markets import clearing
from sim.model import EcosystemModel


@pytest.fixture(scope="module")
def model():
    return EcosystemModel(rng=2, territory="classroom", horizon_months=12)


def _drawn(m, kind: str) -> np.ndarray:
    """Per enterprise, the households' (HT) or businesses' spending its claims draw."""
    w, e = m.world, m.world.enterprises
    c = clearing.claims(w)
    if kind == "business":
        drawn = w.business_market.clear_generic(c.market, c.business, 1.0)
    else:
        drawn = w.consumer_market.clear(c.market, c.consumer, w.forms.labelled[e.form[c.owner]],
                                        1.0, None, 0.0).demand_ht
    return np.bincount(c.owner, weights=drawn, minlength=e.n)


def _grower_and_neighbours(m, weight: np.ndarray):
    """An enterprise with a claim that shares its territory with one of its own sector and one
    of another sector (both with a claim), and one of its sector in another territory."""
    e = m.world.enterprises
    live = np.flatnonzero(e.alive & (weight > 0))
    for row in live:
        same_place = live[(e.territory[live] == e.territory[row]) & (live != row)]
        rival = same_place[e.sector[same_place] == e.sector[row]]
        other = same_place[e.sector[same_place] != e.sector[row]]
        far = live[(e.territory[live] != e.territory[row]) & (e.sector[live] == e.sector[row])]
        if rival.size and other.size and far.size:
            return row, rival[0], other[0], far[0]
    pytest.fail("the classroom should hold such a group of enterprises")


@pytest.mark.parametrize("kind", ["business", "consumer"])
def test_growth_takes_clients_from_its_own_sector_and_territory_only(model, kind):
    e = model.world.enterprises
    weight = e.business_weight if kind == "business" else e.consumer_weight
    row, rival, other_sector, other_territory = _grower_and_neighbours(model, weight)
    before = _drawn(model, kind)
    saved = weight[row]
    weight[row] = saved * 3.0                 # the grower's capacity (and claim) triples
    try:
        after = _drawn(model, kind)
    finally:
        weight[row] = saved
    assert after[row] > before[row]
    assert after[rival] < before[rival]       # a competitor of its sector, same territory
    assert after[other_sector] == before[other_sector]
    assert after[other_territory] == before[other_territory]
    assert after.sum() == pytest.approx(before.sum(), rel=1e-12)  # the pools are shared out


def test_each_market_is_shared_out_exactly(model):
    w = model.world
    c = clearing.claims(w)
    drawn = w.business_market.clear_generic(c.market, c.business, 1.0)
    by_market = np.bincount(c.market, weights=drawn, minlength=w.business_market.generic_pool.size)
    claimed = np.bincount(c.market, weights=c.business, minlength=by_market.size) > 0
    np.testing.assert_allclose(by_market[claimed], w.business_market.generic_pool[claimed])
    assert by_market[~claimed].sum() == 0.0
