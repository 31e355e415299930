"""The waste-feedstock market (brake 2) and consortia: collectors' capacity is bounded by the
feedstock they win against conventional recyclers; a consortium needs an industrial partner."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest

from sim.config import load_config
from sim.markets.feedstock import FeedstockMarket, allocate_feedstock, collectors
from sim.model import EcosystemModel
from sim.vocabulary import TieKind


def _model(*overrides):
    return EcosystemModel(load_config(["territory=classroom", "horizon_months=12",
                                       *overrides]), rng=0)


@pytest.fixture(scope="module")
def baseline():
    return _model()


def _two_territory_market(supply, conventional):
    from sim.config.schema import Params

    params = Params()
    market = FeedstockMarket(np.asarray(supply, float), np.asarray(conventional, float),
                             np.zeros(2))
    return market, params


def test_calibration_gives_every_collector_the_contest_share_at_brake_prices(baseline):
    m = copy.deepcopy(baseline)
    w, e = m.world, m.world.enterprises
    rows = collectors(w)
    p = m.params.feedstock
    expected = p.ess_quality_score * (1 + m.params.competition.unit_cost_premium) ** (
        -p.price_elasticity)
    assert rows.size > 0
    np.testing.assert_allclose(e.feedstock_access[rows], expected)
    allocate_feedstock(m)  # the first clearing reproduces the calibrated shares
    np.testing.assert_allclose(e.feedstock_access[rows], expected)


def test_no_feedstock_means_no_collection_output(baseline):
    m = copy.deepcopy(baseline)
    w, e = m.world, m.world.enterprises
    w.feedstock_market.supply[:] = 0.0
    m.step()
    rows = collectors(w)
    others = np.flatnonzero(e.alive & ~w.sectors.needs_feedstock[e.sector])
    assert rows.size > 0 and m.now.feedstock_won_t == 0.0
    assert (e.capacity[rows] == 0).all() and (e.sales[rows] == 0).all()
    assert (e.capacity[others] > 0).any()  # other sectors need no feedstock


def test_more_conventional_competition_wins_ess_less():
    market, params = _two_territory_market([100.0, 100.0], [50.0, 50.0])
    territory, need, lots = np.array([0, 0, 1]), np.array([20.0, 40.0, 60.0]), np.zeros(3)
    before = market.clear(territory, need, lots, params)
    market.conventional_demand[:] = 200.0
    after = market.clear(territory, need, lots, params)
    assert (after < before).all()
    assert (after <= need).all() and after.sum() <= market.supply.sum()


def test_lifting_the_competition_brake_wins_ess_more():
    market, params = _two_territory_market([100.0, 100.0], [80.0, 80.0])
    territory, need, lots = np.array([0, 1]), np.array([60.0, 60.0]), np.zeros(2)
    braked = market.clear(territory, need, lots, params)
    lifted = market.clear(territory, need, lots,
                          replace(params, competition=replace(params.competition, enabled=False)))
    assert (lifted > braked).all()


def test_lots_come_out_of_the_supply_and_never_exceed_it():
    market, params = _two_territory_market([10.0, 100.0], [50.0, 50.0])
    territory, need = np.array([0, 1]), np.array([40.0, 40.0])
    won = market.clear(territory, need, np.array([30.0, 30.0]), params)
    assert won[0] == pytest.approx(10.0)  # the lot is cut to the whole supply
    without = market.clear(territory, need, np.zeros(2), params)
    assert won[1] > without[1]  # a lot is won before conventional recyclers bid


NO_DISCOVERY = ("params.mutual_ignorance.discovery_rate_month=0",
                "params.mutual_ignorance.referral_rate_month=0")


def _cooperation_without_ties():
    """The lever on, every tie dropped and no discovery, and the same model without the lever."""
    m = _model("policies=[industrial_cooperation]", *NO_DISCOVERY)
    m.world.ties.drop(np.flatnonzero(m.world.ties.table.active), 0, m.events)
    plain = copy.deepcopy(m)
    plain.policies = []
    return m, plain


def test_consortium_without_an_industrial_partner_gives_no_access():
    m, plain = _cooperation_without_ties()
    m.step()
    plain.step()
    rows = collectors(m.world)
    assert m.now.feedstock_lots_t == 0.0
    np.testing.assert_array_equal(m.world.enterprises.feedstock_access[rows],
                                  plain.world.enterprises.feedstock_access[rows])


def test_consortium_with_an_industrial_partner_wins_a_lot():
    m, plain = _cooperation_without_ties()
    recycler = collectors(m.world)[:1]
    m.world.ties.add(np.array([0]), recycler, TieKind.SUPPLY, 0, m.events)
    m.step()
    plain.step()
    assert m.now.feedstock_lots_t > 0.0
    assert (m.world.enterprises.feedstock_access[recycler[0]]
            > plain.world.enterprises.feedstock_access[recycler[0]])
