"""Scale-up as the study defines it (independent, industrial scale by FTE or sales, regional
footprint or national swarming), sites opened for market reasons, and a land trust whose reach
scales with its capital."""

from __future__ import annotations

import copy
import functools
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim.agents import ess
from sim.config import load_config
from sim.effects import PremisesEffects
from sim.ledger import Sector
from sim.markets.premises import PRIVATE, TRUST, PremisesMarket
from sim.model import EcosystemModel
from sim.outcomes import lever_cost
from sim.vocabulary import LEGAL_FORMS

CLASSROOM = ("territory=classroom", "horizon_months=24", "progress=false")


@functools.cache
def _composed(overrides: tuple[str, ...]):
    return load_config(overrides)


def _model(overrides=CLASSROOM, seed=0) -> EcosystemModel:
    model = EcosystemModel(copy.deepcopy(_composed(overrides)), rng=seed)
    model.step()  # conditions and effects of a running month
    return model


def _give_sites(model, row, territories, regions=None) -> None:
    w = model.world
    regions = w.territory_region[territories] if regions is None else np.asarray(regions)
    w.sites.append(len(territories), open=True, enterprise=row, territory=territories,
                   region=regions, stock=PRIVATE, rent_m2_yr=50.0, opened=model.month)
    w.ledger.grow_sites(w.sites)


def _sized(model, row, *, form="AI", permanent=5, insertion=120) -> None:
    e = model.world.enterprises
    e.form[row] = LEGAL_FORMS.index(form)
    e.permanent[row], e.adapted[row], e.insertion[row] = permanent, 0, insertion
    e.sales[row] = 1e4
    e.owner_firm[row] = -1


# --- the definition ----------------------------------------------------------------------------
@pytest.fixture
def model():
    return _model()


def _no_sector_route(model):
    return replace(model.params.scale_up, regional_sector_share=1.01)


def test_insertion_heads_count_by_their_fte_not_as_heads(model):
    row = int(np.flatnonzero(model.world.enterprises.alive)[0])
    _sized(model, row, permanent=5, insertion=120)  # 125 heads, 5 + 120 × 0.33 ≈ 45 FTE
    _give_sites(model, row, np.array([1, 2, 3]))
    su = _no_sector_route(model)
    regional, national = ess.scale_up_kinds(model.world, su)
    assert ess.full_time_equivalents(model.world, np.array([row]))[0] < su.industrial_fte
    assert not regional[row] and not national[row]
    model.world.enterprises.permanent[row] = 20  # now ≈ 60 FTE
    regional, _ = ess.scale_up_kinds(model.world, su)
    assert regional[row]


def test_revenue_alone_reaches_industrial_scale(model):
    row = int(np.flatnonzero(model.world.enterprises.alive)[0])
    _sized(model, row, permanent=5, insertion=0)
    _give_sites(model, row, np.array([1, 2, 3]))
    su = _no_sector_route(model)
    assert not ess.scale_up_kinds(model.world, su)[0][row]
    model.world.enterprises.sales[row] = su.industrial_sales_eur_yr / 12.0
    assert ess.scale_up_kinds(model.world, su)[0][row]


def test_an_acquired_structure_is_not_a_scale_up_but_is_counted_as_acquired(model):
    e = model.world.enterprises
    row = int(np.flatnonzero(e.alive)[0])
    _sized(model, row, form="EI", permanent=80, insertion=0)
    _give_sites(model, row, np.array([1, 2, 3]))
    su = _no_sector_route(model)
    assert ess.scale_up_kinds(model.world, su)[0][row]
    e.owner_firm[row] = 0
    regional, national = ess.scale_up_kinds(model.world, su)
    assert not regional[row] and not national[row]
    model.metrics.record(model.now, {})
    ts = model.metrics.series
    assert ts["ess_acquired"][model.metrics.months - 1] == (e.alive & (e.owner_firm >= 0)).sum() > 0


def test_sites_in_another_region_are_national_swarming_not_regional_footprint(model):
    e = model.world.enterprises
    row = int(np.flatnonzero(e.alive)[0])
    _sized(model, row, form="EI", permanent=80, insertion=0)
    su = _no_sector_route(model)
    other_region = int(model.world.territory_region.max()) + 1
    _give_sites(model, row, np.array([1]), regions=[other_region])
    regional, national = ess.scale_up_kinds(model.world, su)
    assert national[row] and not regional[row]


def test_a_regional_leader_of_its_sector_is_a_regional_footprint(model):
    e = model.world.enterprises
    row = int(np.flatnonzero(e.alive)[0])
    _sized(model, row, form="EI", permanent=80, insertion=0)
    strict = _no_sector_route(model)
    assert not ess.scale_up_kinds(model.world, strict)[0][row]  # one site, no sector route
    fte = ess.full_time_equivalents(model.world, np.arange(e.n))
    share = ess._regional_sector_share(model.world, fte)[row]
    assert ess.scale_up_kinds(model.world, replace(strict, regional_sector_share=share))[0][row]
    assert not ess.scale_up_kinds(model.world,
                                  replace(strict, regional_sector_share=share + 1e-6))[0][row]


# --- where sites go, and why they open --------------------------------------------------------
def test_far_sites_in_a_one_region_run_spread_by_population(model):
    w = model.world
    assert np.unique(w.territory_region).size == 1
    home = np.zeros(20000, dtype=np.int64)
    far = ess._far_territory(w, home, np.random.default_rng(1).random(home.size))
    assert (far != 0).all()
    share = np.bincount(far, minlength=w.territory_region.size)[1:] / far.size
    population = w.territories.population[1:].astype(float)
    np.testing.assert_allclose(share, population / population.sum(), atol=0.02)


def _expanding(model, row, unserved=2.0) -> None:
    """A profitable enterprise that is not blocked by premises at home, in a world where ESS
    demand is ``unserved`` × ESS capacity everywhere."""
    e, w = model.world.enterprises, model.world
    e.demand[:] = unserved * e.capacity
    _sized(model, row, form="EI", permanent=120, insertion=0)
    e.alive[row], e.loss_making[row] = True, False
    e.pressure[row] = 2.0
    e.premises_wait[row] = 0
    e.last_growth[row] = -100
    w.ledger.pay_sector_to_enterprises(Sector.FOUNDERS, np.array([row]), np.array([1e7]),
                                       "test")
    model.params.scale_up = replace(model.params.scale_up, site_opening_rate_month=1.0)
    model.params.premises = replace(model.params.premises, private_acceptance=1.0)


def _sites_of(model, row) -> int:
    s = model.world.sites
    return int((s.open & (s.enterprise == row)).sum())


def test_demand_beyond_the_catchment_opens_a_site_without_a_premises_block(model):
    row = int(np.flatnonzero(model.world.enterprises.alive)[0])
    _expanding(model, row)
    before = _sites_of(model, row)
    ess.open_sites(model)
    assert _sites_of(model, row) == before + 1


def test_beyond_the_catchment_but_with_demand_served_everywhere_no_site(model):
    row = int(np.flatnonzero(model.world.enterprises.alive)[0])
    _expanding(model, row, unserved=0.5)
    before = _sites_of(model, row)
    ess.open_sites(model)
    assert _sites_of(model, row) == before


def test_within_its_catchment_an_unblocked_enterprise_opens_no_site(model):
    row = int(np.flatnonzero(model.world.enterprises.alive)[0])
    _expanding(model, row)
    model.params.scale_up = replace(model.params.scale_up, site_catchment_fte=1e4)
    before = _sites_of(model, row)
    ess.open_sites(model)
    assert _sites_of(model, row) == before


def test_no_vacant_premises_no_new_site(model):
    row = int(np.flatnonzero(model.world.enterprises.alive)[0])
    _expanding(model, row)
    model.world.ledger.territory_floor[PRIVATE][:] = 0.0
    model.world.ledger.territory_floor[TRUST][:] = 0.0
    before = _sites_of(model, row)
    ess.open_sites(model)
    assert _sites_of(model, row) == before


# --- the land trust ------------------------------------------------------------------------
def _clear(vacant_trust: float):
    market = PremisesMarket(100.0, np.ones(1))
    effects = PremisesEffects(trust_rent_discount=np.array([0.4]), trust_priority=np.array([1]))
    leases = market.clear(np.random.default_rng(0), np.zeros(2, dtype=np.int64),
                          np.array([80.0, 80.0]), np.array([1e9, 1e9]),
                          np.array([[1000.0], [vacant_trust]]), 1.0, effects, 1.0)
    return market, leases


def test_once_the_trust_floor_is_let_the_next_ess_tenant_goes_to_the_private_market():
    market, leases = _clear(vacant_trust=100.0)
    assert sorted(leases.stock.tolist()) == [PRIVATE, TRUST]
    assert market.trust_shortfall_m2.tolist() == [80.0]  # the demand the trust buys against
    market, leases = _clear(vacant_trust=0.0)
    assert leases.stock.tolist() == [PRIVATE, PRIVATE]
    assert market.trust_shortfall_m2.tolist() == [160.0]


def _trust_run(capital: float):
    config = copy.deepcopy(_composed((*CLASSROOM, "policies=[land_trust]")))
    config.policies["land_trust"] = replace(config.policies["land_trust"],
                                            capital_eur_per_inhabitant_yr=capital)
    return EcosystemModel(config, rng=2).run().timeseries_frame()


def test_zero_capital_holds_no_trust_floor_and_is_the_baseline():
    lever = _trust_run(0.0)
    baseline = EcosystemModel(copy.deepcopy(_composed(CLASSROOM)), rng=2).run()
    assert (lever["trust_floor_m2"] == 0).all()
    assert (lever[lever_cost("land_trust")] == 0).all()
    pd.testing.assert_frame_equal(
        lever.drop(columns=["levers", lever_cost("land_trust")]),
        baseline.timeseries_frame().drop(columns=["levers"]), check_exact=True)


def test_trust_reach_rises_with_capital_then_saturates_with_ess_demand():
    floor = {c: _trust_run(c)["trust_floor_m2"].iloc[-1] for c in (0.3, 3.0, 300.0, 3000.0)}
    cost = {c: _trust_run(c)[lever_cost("land_trust")].iloc[-1] for c in (300.0, 3000.0)}
    assert 0 < floor[0.3] < floor[3.0] <= floor[300.0]
    # beyond the ESS demand for its floor, more capital buys nothing more and costs nothing more
    assert floor[3000.0] == floor[300.0]
    assert cost[3000.0] == cost[300.0] > 0
