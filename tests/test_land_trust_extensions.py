"""The land trust reaches growth at home too (issue 13, item 11): since growth extends the
lease an enterprise holds at home, the trust's priority and discount must apply to those
requests, not only to new sites; the tenant then extends its trust lease at the trust's rent."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sim.config import load_config
from sim.markets.premises import TRUST
from sim.model import EcosystemModel
from sim.vocabulary import LEGAL_FORMS
from tests.test_home_leases import _grow_once, _growing, _home_sites

CLASSROOM = ("territory=classroom", "horizon_months=24", "progress=false",
             "policies=[land_trust]")


@pytest.fixture
def model():
    model = EcosystemModel(load_config(CLASSROOM), rng=0)
    model.step()  # the lever's effects of a running month
    model.params.premises = replace(model.params.premises, private_acceptance=1.0)
    return model


def test_growth_at_home_takes_trust_floor_then_extends_the_trust_lease_at_its_rent(model):
    row = _growing(model)
    w = model.world
    w.enterprises.form[row] = LEGAL_FORMS.index("SCOP")  # hires without the State's envelope
    home = w.enterprises.territory[row]
    fx = model.effects.premises
    assert fx.trust_priority[home] > 0 and fx.trust_rent_discount[home] > 0
    w.ledger.territory_floor[TRUST][home] += 1e5  # the trust holds vacant floor there
    market = float(w.premises_market.market_rent(model.conditions.rent_index)[home])
    trust_rent = market * (1.0 - fx.trust_rent_discount[home])
    _grow_once(model, row)
    trust_sites = [i for i in _home_sites(model, row) if w.sites.stock[i] == TRUST]
    assert len(trust_sites) == 1                        # growth reached the trust first
    site = trust_sites[0]
    assert w.sites.rent_m2_yr[site] == pytest.approx(trust_rent)
    held = float(w.ledger.site_floor[site])
    _grow_once(model, row)
    assert [i for i in _home_sites(model, row) if w.sites.stock[i] == TRUST] == [site]
    assert float(w.ledger.site_floor[site]) > held      # extended, not a new unit
    assert w.sites.rent_m2_yr[site] == pytest.approx(trust_rent)
    assert np.isclose(w.enterprises.floor[row],
                      w.ledger.site_floor[_home_sites(model, row)].sum())
