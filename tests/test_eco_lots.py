"""Eco-organism lots in the waste-feedstock market (brake 2, ``lot_contracts``): lots tendered
at expiry, bids admitted on capacity, consortia pooling it, feedstock held for the contract."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest

from sim.config import load_config
from sim.config.schema import Params
from sim.markets.feedstock import CONVENTIONAL, collectors, tender_lot
from sim.model import EcosystemModel

LOTS = "params.feedstock.lot_contracts=true"


def _model(*overrides):
    return EcosystemModel(load_config(["territory=classroom", "horizon_months=120", LOTS,
                                       *overrides]), rng=0)


def _run(m, months):
    for _ in range(months):
        m.step()
    return m


@pytest.fixture(scope="module")
def started():
    return _run(_model(), 1)


def _supply(m):
    return m.world.feedstock_market.supply * m.conditions.demand_index


def test_lots_are_built_once_with_expiries_spread_over_a_contract(started):
    lots = started.world.feedstock_market.lots
    months = started.params.feedstock.lot_contract_months
    n_t = started.world.n_territories
    assert lots.territory.size == n_t * started.params.feedstock.lot_streams
    counts = np.bincount(lots.expiry - lots.expiry.min(), minlength=months)
    assert counts.size == months and counts.max() - counts.min() <= 1
    assert (lots.expiry > started.month - 1).all()  # none due in the month it was built
    np.testing.assert_allclose(np.bincount(lots.territory, weights=lots.share),
                               started.params.feedstock.lot_share)


def test_spread_expiries_give_a_constant_tender_rate(started):
    m = _run(copy.deepcopy(started), 71)
    lots = m.world.feedstock_market.lots
    per_year = [sum(t[1] for t in lots.tenders if y * 12 < t[0] <= y * 12 + 12)
                for y in range(5)]
    expected = lots.territory.size * 12 / m.params.feedstock.lot_contract_months
    assert all(abs(n - expected) <= 1 for n in per_year), per_year
    assert (lots.expiry > m.month - 1).all()  # every lot due was tendered again


def test_no_ess_bidder_able_to_meet_the_minimum_wins_no_lot():
    admitted = _run(_model(), 40).world.feedstock_market.lots
    assert (admitted.holder != CONVENTIONAL).any()  # with the default minimum, ESS win some
    m = _run(_model("params.feedstock.lot_min_capacity_share=100"), 40)
    lots = m.world.feedstock_market.lots
    assert (lots.holder == CONVENTIONAL).all() and lots.member_row.size == 0
    assert sum(t[2] for t in lots.tenders) == 0
    e = m.world.enterprises
    assert lots.held(e.n, _supply(m), e.alive, e.territory).sum() == 0.0


def _favoured_params():
    """ESS bids that beat the conventional one whenever admitted (no price gap, no noise)."""
    p = Params()
    return replace(p, feedstock=replace(p.feedstock, ess_quality_score=2.0, lot_score_noise=0.0))


def test_a_consortium_wins_a_lot_none_of_its_members_could_alone():
    params, local, capacity = _favoured_params(), np.array([5, 7]), np.array([6.0, 6.0])
    rng = np.random.default_rng(0)
    alone, _ = tender_lot(10.0, local, capacity, False, params, 0.0, rng)
    assert alone.size == 0  # neither can process 10 t: the conventional recyclers win
    members, parts = tender_lot(10.0, local, capacity, True, params, 0.0, rng)
    np.testing.assert_array_equal(members, local)
    np.testing.assert_allclose(parts, [0.5, 0.5])
    small, _ = tender_lot(10.0, local, np.array([3.0, 4.0]), True, params, 0.0, rng)
    assert small.size == 0  # pooled, still short of the lot's minimum


def test_consortia_bid_only_where_the_cooperation_lever_runs():
    overrides = ("params.feedstock.lot_min_capacity_share=2.0",)
    plain = _run(_model(*overrides), 48).world.feedstock_market.lots
    lever = _run(_model("policies=[industrial_cooperation]", *overrides),
                 48).world.feedstock_market.lots
    assert sum(t[3] for t in plain.tenders) == 0
    assert sum(t[3] for t in lever.tenders) > 0


def test_a_lost_lot_cuts_the_holders_feedstock_at_expiry_not_before(started):
    m = copy.deepcopy(started)
    lots, e = m.world.feedstock_market.lots, m.world.enterprises
    held = np.flatnonzero((lots.holder != CONVENTIONAL) & e.alive[np.maximum(lots.holder, 0)])
    assert held.size, "no lot held by an ESS collector at start"
    lot = held[np.argmax(lots.expiry[held])]  # the one held longest
    holder, expiry = lots.holder[lot], lots.expiry[lot]
    others = np.setdiff1d(np.arange(lots.territory.size), [lot])
    m.params.feedstock.lot_min_capacity_share = 1e9  # no ESS bid is admitted any more
    while m.month < expiry:
        from_lot = lots.held(e.n, _supply(m), e.alive, e.territory, exclude=others)[holder]
        assert lots.holder[lot] == holder and from_lot > 0.0, m.month
        m.step()
    assert m.month == expiry
    m.step()  # the tender of the expiry month
    assert lots.holder[lot] == CONVENTIONAL
    assert lots.held(e.n, _supply(m), e.alive, e.territory, exclude=others)[holder] == 0.0


def test_no_feedstock_means_no_collection_output_with_lots(started):
    m = copy.deepcopy(started)
    m.world.feedstock_market.supply[:] = 0.0
    m.step()
    rows = collectors(m.world)
    assert rows.size > 0 and m.now.feedstock_won_t == 0.0
    assert (m.world.enterprises.capacity[rows] == 0).all()


def test_an_ess_lot_feeds_its_holder_beyond_the_open_contest(started):
    m = copy.deepcopy(started)
    lots, e, w = m.world.feedstock_market.lots, m.world.enterprises, m.world
    m.step()
    rows = collectors(w)
    holders = np.unique(lots.member_row[e.alive[lots.member_row]])
    holders = holders[np.isin(holders, rows)]
    assert holders.size
    open_share = w.feedstock_market.territory_access[e.territory[holders]]
    assert (e.feedstock_access[holders] > open_share).all()


def test_same_seed_same_lots_and_access():
    a, b = _run(_model(), 13), _run(_model(), 13)
    la, lb = a.world.feedstock_market.lots, b.world.feedstock_market.lots
    np.testing.assert_array_equal(la.holder, lb.holder)
    np.testing.assert_array_equal(la.expiry, lb.expiry)
    np.testing.assert_array_equal(a.world.enterprises.feedstock_access,
                                  b.world.enterprises.feedstock_access)


def test_a_member_that_closed_or_moved_away_receives_nothing_from_its_lot():
    from sim.markets.feedstock import EcoLots

    lots = EcoLots.build(2, Params(), np.random.default_rng(0), 0)
    lots.award(0, np.array([0, 1, 2]), np.array([0.5, 0.25, 0.25]), 36)  # a lot of territory 0
    supply = np.array([120.0, 50.0])
    alive = np.array([True, True, False])
    territory = np.array([0, 1, 0])  # row 1 moved to territory 1, row 2 closed
    held = lots.held(3, supply, alive, territory)
    np.testing.assert_allclose(held, [0.5 * lots.share[0] * 120.0, 0.0, 0.0])


def test_the_build_tender_is_the_past_levers_and_lifted_brakes_act_from_the_next_tender():
    base = _model("params.feedstock.lot_min_capacity_share=2.0")
    lever = _model("params.feedstock.lot_min_capacity_share=2.0",
                   "policies=[industrial_cooperation]", "params.competition.enabled=false")
    _run(base, 1), _run(lever, 1)
    a, b = base.world.feedstock_market.lots, lever.world.feedstock_market.lots
    np.testing.assert_array_equal(a.holder, b.holder)
    np.testing.assert_array_equal(a.member_row, b.member_row)


def test_the_competition_brake_loses_ess_tenders_on_price():
    params, local, capacity = Params(), np.array([3]), np.array([20.0])
    draws = 400

    def wins(premium):
        rng = np.random.default_rng(1)
        return sum(tender_lot(10.0, local, capacity, False, params, premium, rng)[0].size
                   for _ in range(draws))

    braked, lifted = wins(0.15), wins(0.0)
    assert 0 < braked < lifted < draws
