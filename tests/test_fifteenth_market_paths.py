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
from sim.ledger import Sector
from sim.markets import credit, procurement
from sim.model import EcosystemModel


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
    """A stepped model's loans with random lenders (banks alone, or every lender), balances
    (some nearly repaid), payments and loss-making borrowers: the same service, loans, debts,
    ledger and guarantee recoveries."""
    r = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    base = copy.deepcopy(_MODEL)
    loans, e = base.world.loans, base.world.enterprises
    lenders = ([Sector.BANKS] if data.draw(st.booleans())
               else [Sector.BANKS, Sector.GUARANTEE_FUND, Sector.IMPACT_INVESTORS,
                     Sector.PUBLIC_INVESTMENT_BANK])
    loans.lender[:] = r.choice(np.array(lenders, np.int8), loans.n)
    loans.open[:] = r.random(loans.n) < 0.9
    loans.outstanding[:] *= r.choice([1.0, 1e-9, r.random()], loans.n)
    loans.payment[:] *= r.choice([1.0, 0.5, 40.0], loans.n)
    e.loss_making[:] = r.random(e.n) < 0.5
    fast, slow = copy.deepcopy(base), copy.deepcopy(base)
    assert _state(fast, credit.service_loans(fast)) == _state(slow, _service_loans_reference(slow))
