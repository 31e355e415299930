"""A stationary public-contract channel (issue 13, item 8): with every trend at zero the ESS
stock of public contracts fell ~18% in ten years (ARA, 4 seeds) because (1) a failed holder's
contracts vanished with it and (2) the initial contracts, an even share of every structure's
demand, left every structure room to bid, so the share of structures able to take a lot on fell
from 0.96 to ~0.88 as lots concentrated on winners and awards ran below the stationary rate.
Now the unfinished work is tendered again, and the bid rate is calibrated on the start's stock
held in whole lots, as the market holds it, so the award flow matches the expiry flow once the
start's contracts have expired."""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents import ess
from sim.api import build_model
from sim.ledger import Sector
from sim.markets import procurement
from sim.markets.procurement import Lots
from sim.validation import ZERO_TRENDS
from sim.world import held_in_whole_lots

FLAT = ("progress=false", "horizon_months=120", *ZERO_TRENDS)


def _in_force(m, row):
    c = m.world.contracts
    return np.flatnonzero((c.enterprise == row) & (c.end_month > m.month + 1))


def test_a_failed_holders_unfinished_work_is_reawarded_to_another_eligible_structure():
    """A failed holder's reserved contract is tendered again the next month, with the same
    monthly value and end month, and goes to another local structure allowed to bid on a
    reserved lot; before, it ended with the holder and the work left the ESS stock."""
    m = build_model(["seed=2", "territory=drome", *FLAT])
    w, e = m.world, m.world.enterprises
    c = w.contracts
    eligible = w.forms.reserved[e.form] & e.alive
    counts = np.bincount(e.territory[eligible], minlength=w.n_territories)
    holders = [r for r in np.unique(c.enterprise) if eligible[r] and counts[e.territory[r]] >= 2
               and _in_force(m, r).size]
    row = int(holders[0])
    mine = _in_force(m, row)
    c.reserved[mine] = True  # a reserved lot: any eligible bid wins, the test is not a draw
    value, end = c.monthly_value[mine].copy(), np.sort(c.end_month[mine])
    peers = np.flatnonzero(eligible & (e.territory == e.territory[row]))
    e.capacity[peers] += 10 * value.sum()  # room for the work: the test is not about capacity
    e.refused_months[row] = m.params.economy.failure_cash_months
    ess.failures(m)
    assert not e.alive[row]
    again = w.procurement_market.retender
    assert again.monthly_value.sum() == pytest.approx(value.sum())
    assert np.all(again.reserved) and np.all(again.territory == e.territory[row])
    before = c.n
    m.month += 1
    procurement.award_tenders(m)
    new = np.arange(before, c.n)
    taken = new[c.reserved[new] & np.isin(c.end_month[new], end)]
    assert taken.size == mine.size
    assert np.all(c.enterprise[taken] != row) and np.all(eligible[c.enterprise[taken]])
    assert np.all(e.territory[c.enterprise[taken]] == e.territory[row])
    assert np.sort(c.end_month[taken]).tolist() == end.tolist()
    assert w.procurement_market.retender.monthly_value.size == 0  # tendered once


def test_retendered_work_is_the_buyers_budget_already_committed():
    """Work tendered again adds no spend: an open lot nobody in ESS takes is not awarded to an
    ESS (the conventional firm finishes it), and no lot is awarded twice."""
    m = build_model(["seed=0", "territory=drome", *FLAT])
    w, e = m.world, m.world.enterprises
    market = w.procurement_market
    market.bid_rate = 0.0  # no ESS bids on open lots: only reserved lots could go to ESS
    market.spend = np.zeros_like(market.spend)
    t = int(e.territory[np.flatnonzero(e.alive)[0]])
    market.retender = Lots(np.array([t]), np.array([5000.0]), np.array([m.month + 10], np.int32),
                           np.array([False]), np.array([True]), np.array([Sector.STATE], np.int8))
    before = w.contracts.n
    procurement.award_tenders(m)
    assert w.contracts.n == before
    assert market.retender.monthly_value.size == 0


def test_the_bid_rate_counts_the_stock_held_in_whole_lots_within_the_public_work_cap():
    """The calibration holds the start's stock as the market does: whole lots, each within its
    holder's public-work cap, the whole stock where local structures have room for it."""
    m = build_model(["seed=1", *FLAT])
    w, p = m.world, m.params.procurement
    e = w.enterprises
    stock = np.bincount(e.territory, weights=procurement.contracted_work(m),
                        minlength=w.n_territories)
    held = held_in_whole_lots(w, p, np.random.default_rng(0), stock)
    value = p.lot_size_eur / p.contract_months
    assert np.allclose(held / value, np.round(held / value))
    assert np.all(held <= p.public_work_cap * e.capacity + 1e-6)
    assert held.sum() == pytest.approx(stock.sum(), rel=0.02)
    # lots concentrate on their holders: fewer structures can take one more on than when every
    # structure holds an even share of the stock (the contracts in force at start)
    room = p.public_work_cap * e.capacity
    even = procurement.contracted_work(m)
    assert ((room - held) >= value).mean() < ((room - even) >= value).mean() - 0.03


def _expected_awards(m, draws=60):
    """Mean monthly value ESS would win at this month's state (fresh lots only)."""
    w, p = m.world, m.params.procurement
    e, market = w.enterprises, w.procurement_market
    spare = np.maximum(p.public_work_cap * e.capacity - procurement.contracted_work(m), 0)
    kept, won = market.retender, []
    for k in range(draws):
        market.retender = Lots.none()
        won.append(market.clear(np.random.default_rng(k), spare, e.territory,
                                w.forms.reserved[e.form], np.flatnonzero(e.alive),
                                m.effects.procurement, 1.0, m.params.competition.price_premium(),
                                m.month, np.random.default_rng(draws + k)).monthly_value.sum())
    market.retender = kept
    return float(np.mean(won))


def test_zero_trend_award_flow_equals_the_expiry_flow_once_lots_are_held():
    """At zero trends, once the start's contracts have expired and lots are held as the market
    awards them, the monthly value ESS win equals the value of the start's contracts ending
    each month (stock / duration): before, awards ran ~10% below by month 36 (ARA), the
    stock of contracts drifting down with them. Since founders' forms follow each form's
    closures (ninth session), the structures able to bid hold a little less room: awards run
    1-5% below the expiry flow on seeds 0-3 (months 36-96; -1 to +2.5% without it), hence 6%."""
    m = build_model(["seed=0", *FLAT])
    expiring = procurement.contracted_work(m).sum() / m.params.procurement.contract_months
    for month in (36, 60):
        while m.month < month:
            m.step()
        assert _expected_awards(m) == pytest.approx(expiring, rel=0.06)
