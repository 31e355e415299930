"""The fifteenth session's shortcuts in the market phases give what the plain code gives, bit for
bit (issue 20; ``python -m benchmarks.regression`` checks the outputs): the lots' buyers drawn
from a cumulative sum made once, bidders drawn without the reserved index when no lot is
reserved, one round of winners when none wins twice, the loans serviced over one gather. Each
test compares with the code it replaced, kept here as the reference."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.grouping import GroupIndex, rounds
from sim.ledger import Ledger, Sector
from sim.markets import credit, premises, procurement
from sim.markets.consumer import ConsumerMarket
from sim.model import EcosystemModel
from sim.state import PairIndex, site_table


# --- the lots' buyers ----------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_buyers_drawn_as_generator_choice_draws_them(data):
    """Random shares (some zero) and lot counts (0 included): the same buyers as
    ``rng.choice`` with the shares, and the stream left in the same state."""
    shares = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.05, 0.3, 1.0, 7.5, 1e-9]),
                                         min_size=4, max_size=4)))
    if shares.sum() <= 0:
        shares[0] = 1.0
    params = SimpleNamespace(buyers=lambda: ([1, 5, 6, 7], shares / shares.sum()))
    market = procurement.ProcurementMarket(params, np.ones(3), 0.0)
    seed, n = data.draw(st.integers(0, 2**32 - 1)), data.draw(st.integers(0, 300))
    fast, slow = np.random.default_rng(seed), np.random.default_rng(seed)
    got = market.draw_buyers(fast, n)
    payers, p = params.buyers()
    want = np.asarray(payers, np.int8)[slow.choice(len(payers), size=n, p=p)]
    assert got.dtype == want.dtype
    assert got.tobytes() == want.tobytes()
    assert fast.random() == slow.random()


# --- bidders and rounds --------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_bidders_without_reserved_lots_are_the_local_draws(data):
    """``_bidder_draws`` gives ``_draw_bidder``'s bidders (values and dtype), with reserved lots
    or none, eligible structures or none."""
    r = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    n_groups = data.draw(st.integers(1, 8))
    alive = np.sort(r.permutation(200)[: data.draw(st.integers(1, 60))]).astype(np.int64)
    territory_of = r.integers(0, n_groups, 200)
    eligible = alive[r.random(alive.size) < data.draw(st.sampled_from([0.0, 0.4, 1.0]))]
    local = GroupIndex(territory_of[alive], alive, n_groups)
    m = data.draw(st.integers(0, 30))
    lot_territory = r.integers(0, n_groups, m)
    reserved = r.random(m) < data.draw(st.sampled_from([0.0, 0.3]))
    draw = procurement._bidder_draws(reserved, eligible, territory_of, local, lot_territory,
                                     n_groups)
    reserved_index = GroupIndex(territory_of[eligible], eligible, n_groups)
    for _ in range(2):
        uniforms = r.random(m)
        got = draw(uniforms)
        want = procurement._draw_bidder(reserved, reserved_index, local, lot_territory, uniforms)
        assert got.dtype == want.dtype
        assert got.tobytes() == want.tobytes()


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_rounds_of_winners_are_the_rounds(data):
    """Winners' rows with and without repeats: the same rounds, index for index."""
    r = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    n = data.draw(st.integers(0, 30))
    pool = data.draw(st.sampled_from([5, 40, 1000]))
    keys = (r.permutation(pool)[:n] if n <= pool and data.draw(st.booleans())
            else r.integers(0, pool, n)).astype(np.int64)
    got, want = procurement._rounds_of_winners(keys), rounds(keys)
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()


# --- loan service --------------------------------------------------------------------------------
def _service_loans_reference(m) -> np.ndarray:
    """``credit.service_loans`` as the fourteenth session ran it."""
    w = m.world
    loans, n = w.loans, w.enterprises.n
    live = np.flatnonzero(loans.open)
    interest = loans.outstanding[live] * loans.rate_month[live]
    payment = np.minimum(loans.payment[live], loans.outstanding[live] + interest)
    owner, lenders = loans.enterprise[live], loans.lender[live]
    stake = credit._IS_EQUITY_LENDER[lenders]
    payment[stake & w.enterprises.loss_making[owner]] = 0.0
    loans.outstanding[live] -= payment - interest
    done = live[loans.outstanding[live] <= 1e-6]
    loans.open[done] = False
    loans.outstanding[done] = 0.0
    for lender in np.unique(lenders):
        paid = np.flatnonzero(lenders == lender)
        w.ledger.pay_enterprises_to_sector(owner[paid], payment[paid],
                                           Sector(lender), credit.SERVICE_FLOWS[Sector(lender)])
        if lender == Sector.GUARANTEE_FUND:
            np.add.at(m.now.guarantee_recoveries_by_territory,
                      w.enterprises.territory[owner[paid]], payment[paid])
    service = np.bincount(owner, weights=payment, minlength=n)
    w.enterprises.debt[:] = credit._debt(w)
    return service


def _stepped_model():
    m = EcosystemModel(rng=3, territory="classroom", horizon_months=40,
                       policies=["impact_finance"])
    for _ in range(14):
        m.step()
    return m


_MODEL = _stepped_model()


def _state(m, service):
    loans, e, L = m.world.loans, m.world.enterprises, m.world.ledger
    return (service.tobytes(), loans.open.tobytes(), loans.outstanding.tobytes(),
            e.debt.tobytes(), L.money.tobytes(), repr(sorted(L.flows.items())),
            m.now.guarantee_recoveries_by_territory.tobytes())


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_loan_service_over_one_gather_is_the_plain_service(data):
    """A stepped model's loans with random lenders (banks alone, two, or all four), balances
    (some nearly repaid), payments and loss-making borrowers: the same service, loans, debts,
    ledger and guarantee recoveries."""
    r = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    base = copy.deepcopy(_MODEL)
    loans, e = base.world.loans, base.world.enterprises
    lenders = data.draw(st.sampled_from([
        [Sector.BANKS], [Sector.BANKS, Sector.GUARANTEE_FUND],
        [Sector.BANKS, Sector.GUARANTEE_FUND, Sector.IMPACT_INVESTORS,
         Sector.PUBLIC_INVESTMENT_BANK]]))
    loans.lender[:] = r.choice(np.array(lenders, np.int8), loans.n)
    loans.open[:] = r.random(loans.n) < 0.9
    loans.outstanding[:] *= r.choice([1.0, 1e-9, r.random()], loans.n)
    loans.payment[:] *= r.choice([1.0, 0.5, 40.0], loans.n)
    e.loss_making[:] = r.random(e.n) < 0.5
    fast, slow = copy.deepcopy(base), copy.deepcopy(base)
    assert _state(fast, credit.service_loans(fast)) == _state(slow, _service_loans_reference(slow))


# --- the tie index -------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_tie_index_inserts_and_deletes_as_numpy_does(data):
    """Sorted new keys (before, between and after the held ones, or none) inserted, then some
    held keys deleted: the arrays ``np.insert`` and ``np.delete`` give."""
    r = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    universe = r.permutation(500).astype(np.int64) * 7
    held = data.draw(st.integers(0, 60))
    index = PairIndex(np.zeros(0, np.int64), np.zeros(0, np.int64))
    index.keys = np.sort(universe[:held])
    new = np.sort(universe[held:held + data.draw(st.integers(0, 30))])
    want = np.insert(index.keys, np.searchsorted(index.keys, new), new)
    index.add(new)
    assert index.keys.dtype == want.dtype and index.keys.tobytes() == want.tobytes()
    gone = r.permutation(index.keys)[: data.draw(st.integers(0, index.keys.size))]
    want = np.delete(index.keys, np.searchsorted(index.keys, gone))
    index.remove(gone)
    assert index.keys.dtype == want.dtype and index.keys.tobytes() == want.tobytes()


# --- tender details ------------------------------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_tender_details_from_the_table_are_the_joined_strings(data):
    r = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    n = data.draw(st.integers(0, 40))
    reserved = r.random(n) < 0.5
    buyer = r.integers(0, len(Sector), n).astype(np.int8)
    want = np.char.add(np.where(reserved, "reserved;buyer=", "open;buyer="),
                       procurement.BUYER_NAMES[buyer])
    got = procurement.tender_details(reserved, buyer)
    assert got.dtype == want.dtype and got.tobytes() == want.tobytes()


# --- premises ------------------------------------------------------------------------------------
def _premises_clear_reference(self, rng, territory, m2, max_rent_m2, vacant, acceptance,
                              effects, rent_index):
    """``PremisesMarket.clear`` as the fourteenth session ran it."""
    n = territory.size
    if n == 0:
        return premises.Leases(np.zeros(0, np.int64), np.zeros(0, np.int8), np.zeros(0))
    order = rng.permutation(n)
    accept_draw = rng.random(n)
    market = self.market_rent(rent_index)
    trust_rent = market * (1.0 - effects.trust_rent_discount)
    t = territory[order]
    wants_trust = (effects.trust_priority[t] > 0) & (trust_rent[t] <= max_rent_m2[order])
    wants_private = (accept_draw[order] < acceptance) & (market[t] <= max_rent_m2[order])
    stock = np.full(n, -1, dtype=np.int8)
    left = vacant.tolist()
    asking = (wants_trust | wants_private).nonzero()[0]
    for i, here, need, trust_ok, private_ok in zip(
            asking.tolist(), t[asking].tolist(), m2[order[asking]].tolist(),
            wants_trust[asking].tolist(), wants_private[asking].tolist(), strict=True):
        if trust_ok and left[premises.TRUST][here] >= need:
            left[premises.TRUST][here] -= need
            stock[i] = premises.TRUST
            continue
        if trust_ok:
            self.trust_shortfall_m2[here] += need
        if private_ok and left[premises.PRIVATE][here] >= need:
            left[premises.PRIVATE][here] -= need
            stock[i] = premises.PRIVATE
    served = (stock >= 0).nonzero()[0]
    rents = np.where(stock[served] == premises.TRUST, trust_rent[t[served]], market[t[served]])
    return premises.Leases(order[served], stock[served], rents)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_premises_clearing_serves_as_the_general_loop(data):
    """Random requests, stocks (some too small), acceptance, rents and trust priority (none,
    some territories, everywhere): the same leases, trust shortfall and stream state."""
    r = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    n_t, n = data.draw(st.integers(1, 6)), data.draw(st.integers(0, 40))
    territory = r.integers(0, n_t, n).astype(np.int32)
    m2 = r.choice([50.0, 120.0, r.random() * 400], n)
    max_rent = r.choice([0.0, 80.0, 1e6, r.random() * 200], n)
    vacant = r.choice([0.0, 100.0, 500.0, 1e5], (2, n_t))
    priority = r.random(n_t) < data.draw(st.sampled_from([0.0, 0.5, 1.0]))
    effects = SimpleNamespace(trust_rent_discount=r.random(n_t) * 0.5,
                              trust_priority=priority.astype(float))
    acceptance, rent_index = data.draw(st.sampled_from([0.0, 0.6, 1.0])), 1.0 + r.random()
    seed = data.draw(st.integers(0, 2**32 - 1))
    markets = [premises.PremisesMarket(60.0, 0.5 + r.random(n_t)) for _ in range(2)]
    markets[1].tension = markets[0].tension.copy()
    rngs = [np.random.default_rng(seed), np.random.default_rng(seed)]
    got = markets[0].clear(rngs[0], territory, m2, max_rent, vacant, acceptance, effects,
                           rent_index)
    want = _premises_clear_reference(markets[1], rngs[1], territory, m2, max_rent, vacant,
                                     acceptance, effects, rent_index)
    for a, b in ((got.request, want.request), (got.stock, want.stock),
                 (got.rent_m2_yr, want.rent_m2_yr),
                 (markets[0].trust_shortfall_m2, markets[1].trust_shortfall_m2)):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    assert rngs[0].random() == rngs[1].random()


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_floor_moves_to_sites_as_the_loop_over_stocks(data):
    """Leases all private or mixed, or none: the same territory and site floor as one move per
    stock through masks."""
    r = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    n, n_t = data.draw(st.integers(0, 20)), 4
    stock = np.where(r.random(n) < data.draw(st.sampled_from([0.0, 0.4])), premises.TRUST,
                     premises.PRIVATE).astype(np.int8)
    territory, sites = r.integers(0, n_t, n), r.integers(0, 8, n)
    m2 = r.random(n) * 100
    ledgers = []
    for _ in range(2):
        L = Ledger(n_territories=n_t)
        L.grow_sites(site_table(8))
        L.territory_floor[:2] = 1e4
        ledgers.append(L)
    premises._move_floor_to_sites(ledgers[0], stock, territory, sites, m2)
    for k_stock in (premises.PRIVATE, premises.TRUST):
        k = stock == k_stock
        ledgers[1].move_floor_to_site(k_stock, territory[k], sites[k], m2[k])
    assert ledgers[0].territory_floor.tobytes() == ledgers[1].territory_floor.tobytes()
    assert ledgers[0].site_floor.tobytes() == ledgers[1].site_floor.tobytes()


# --- contracted work -----------------------------------------------------------------------------
def test_contracted_work_with_buyers_is_each_on_its_own():
    m = _MODEL
    total, by_buyer = procurement.contracted_work_with_buyers(m)
    assert total.tobytes() == procurement.contracted_work(m).tobytes()
    c = m.world.contracts
    live = c.end_month > m.month
    assert live.any() and np.unique(c.buyer[live]).size > 1
    want = {int(b): np.bincount(c.enterprise[live & (c.buyer == b)],
                                weights=c.monthly_value[live & (c.buyer == b)],
                                minlength=m.world.enterprises.n)
            for b in np.unique(c.buyer[live])}
    assert list(by_buyer) == list(want)
    assert all(by_buyer[b].tobytes() == want[b].tobytes() for b in want)


# --- households' demand --------------------------------------------------------------------------
def _consumer_clear_reference(self, market, weight, labelled, demand_index, ess_vat_rate,
                              pass_through):
    """``ConsumerMarket.clear`` as the fourteenth session ran it (the rate as an array)."""
    s = self.vat_standard
    totals = np.bincount(market, weights=weight, minlength=self.pool.size)
    share = np.divide(weight, totals[market], out=np.zeros_like(weight),
                      where=totals[market] > 0)
    base_units = self.pool[market] * demand_index * share / (1.0 + s)
    rate = np.full(weight.size, s)
    if ess_vat_rate is not None:
        rate = np.where(labelled, ess_vat_rate, s)
    consumer_price = (1.0 + s) - pass_through * (s - rate)
    quantity = base_units * (consumer_price / (1.0 + s)) ** (-self.elasticity)
    price_ht = consumer_price / (1.0 + rate)
    demand_ht = quantity * price_ht
    return demand_ht, demand_ht * rate, demand_ht * (s - rate)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_consumer_clearing_at_the_standard_rate_is_the_array_rate(data):
    """Random pools, claims (some zero, some markets empty), standard rates, pass-through and
    elasticities, with and without a reduced rate: the same demand, VAT and VAT forgone."""
    r = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    n_markets, n = data.draw(st.integers(1, 12)), data.draw(st.integers(0, 50))
    market = r.integers(0, n_markets, n)
    weight = r.choice([0.0, 1.0, r.random() * 1e4, r.random()], n)
    labelled = r.random(n) < 0.5
    s = data.draw(st.sampled_from([0.2, 0.055, r.random()]))
    cm = ConsumerMarket(r.random(n_markets) * 1e6, s,
                        data.draw(st.sampled_from([0.0, 1.2, r.random() * 5])))
    vat_rate = data.draw(st.sampled_from([None, 0.055, 0.0]))
    pass_through = data.draw(st.sampled_from([0.0, 0.5, 1.0, -0.3, r.random()]))
    demand_index = 1.0 + r.random()
    got = cm.clear(market, weight, None if vat_rate is None else labelled, demand_index,
                   vat_rate, pass_through)
    want = _consumer_clear_reference(cm, market, weight, labelled, demand_index, vat_rate,
                                     pass_through)
    for a, b in zip((got.demand_ht, got.vat_collected, got.vat_forgone), want, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
