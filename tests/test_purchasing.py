"""Industrial purchasing from the ESS and conditional aid: orders follow needs, trusted ties and
spare capacity; a commitment needs a supplier that can deliver and stops when it lapses."""

from __future__ import annotations

import copy
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from sim.brakes import Competition, MutualIgnorance
from sim.config import load_config
from sim.config.schema import IndustryParams
from sim.ledger import Sector
from sim.markets.b2b import IndustrialPurchasing, covered_need_share
from sim.model import EcosystemModel
from sim.vocabulary import SECTORS

COLLECTION, SUBCONTRACTING = SECTORS.index("collection_recycling"), SECTORS.index(
    "subcontracting_services")
TRUST_TO_BUY = 0.2


def _ties(firm, enterprise, trust):
    firm, enterprise = np.asarray(firm, np.int64), np.asarray(enterprise, np.int64)
    return SimpleNamespace(active=np.ones(firm.size, bool), firm=firm, enterprise=enterprise,
                           trust=np.asarray(trust, float), n=firm.size)


def _firms(jobs, csr):
    return SimpleNamespace(jobs=np.asarray(jobs, float), csr=np.asarray(csr, bool),
                           n=len(jobs))


PURCHASING = IndustrialPurchasing(IndustryParams(), Competition())
SPARE = np.full(3, 1e9)


def test_a_buyer_orders_only_in_the_sectors_where_it_trusts_a_supplier():
    sectors = np.array([COLLECTION, SUBCONTRACTING, SUBCONTRACTING])
    ties = _ties([0, 1], [0, 2], [0.5, 0.1])  # firm 1's only tie is below trust_to_buy
    orders = PURCHASING.clear(ties, _firms([100, 100], [True, True]), sectors, SPARE,
                              np.array([True, True]), TRUST_TO_BUY)
    per_job = PURCHASING.per_job_by_sector
    assert orders.ordered[0] == pytest.approx(100 * per_job[COLLECTION])
    assert orders.ordered[1:].sum() == 0.0  # no trusted supplier: no ESS purchase
    assert per_job[SUBCONTRACTING] > 0  # it does need subcontracting: the tie decides


def test_no_matching_supplier_no_purchases():
    sectors = np.array([COLLECTION, COLLECTION, COLLECTION])
    orders = PURCHASING.clear(_ties([], [], []), _firms([500], [True]), sectors, SPARE,
                              np.array([True]), TRUST_TO_BUY)
    assert orders.ordered.sum() == 0.0 and orders.delivered.sum() == 0.0


def test_a_firm_that_is_not_a_buyer_orders_nothing():
    sectors = np.array([COLLECTION, COLLECTION, COLLECTION])
    orders = PURCHASING.clear(_ties([0], [0], [0.9]), _firms([500], [False]), sectors, SPARE,
                              np.array([False]), TRUST_TO_BUY)
    assert orders.ordered.sum() == 0.0


def test_a_supplier_without_spare_capacity_delivers_nothing_more():
    sectors = np.array([COLLECTION, COLLECTION, COLLECTION])
    ties = _ties([0, 0], [0, 1], [0.9, 0.9])
    spare = np.array([0.0, 50.0, 0.0])
    orders = PURCHASING.clear(ties, _firms([1000], [True]), sectors, spare, np.array([True]),
                              TRUST_TO_BUY)
    assert orders.delivered[0] == 0.0 and orders.ordered[0] == 0.0
    assert orders.delivered[1] == pytest.approx(50.0)  # bounded by its spare capacity
    assert orders.ordered[1] > 50.0
    assert orders.tie_delivered.sum() == pytest.approx(orders.delivered.sum())


def test_lifting_the_price_brake_raises_orders_from_a_start_calibrated_as_observed():
    lifted = IndustrialPurchasing(IndustryParams(), Competition(enabled=False))
    base = PURCHASING.per_job_by_sector
    assert (lifted.per_job_by_sector > base).all()
    assert np.allclose(lifted.per_job_observed, base)


# --- conditional aid ---------------------------------------------------------------------------
@pytest.fixture
def aided_model():
    """A classroom model with conditional aid at full dose, every firm non-CSR and tie-less,
    and three firms aided above the threshold this month."""
    config = copy.deepcopy(load_config(["territory=classroom", "horizon_months=24",
                                        "policies=[conditional_aid]"]))
    config.policies["conditional_aid"] = replace(config.policies["conditional_aid"],
                                                 lapse_after_months=2)
    m = EcosystemModel(config, rng=0)
    w = m.world
    w.firms.csr[:] = False
    w.ties.drop(np.flatnonzero(w.ties.table.active), 0, m.events)
    m.now.aid_granted_firms = np.array([0, 1, 2])
    m.now.aid_granted_amounts = np.full(3, 500_000.0)
    policy = m.policies[0]
    policy.act(m.effects, 1.0)
    return m, policy


def test_a_complier_with_no_reachable_supplier_cannot_comply(aided_model):
    m, policy = aided_model
    e = m.world.enterprises
    e.demand[:] = e.capacity  # no ESS supplier anywhere has spare capacity
    policy.introductions(1.0)
    assert policy.compliers.size == 0
    assert policy.tally["cannot_comply"] == 3
    assert not m.effects.ties.committed_buyers.any()
    assert m.world.ties.table.active.sum() == 0


def test_a_complier_finds_a_supplier_with_room_and_orders_from_it(aided_model):
    m, policy = aided_model
    policy.introductions(1.0)
    assert set(policy.compliers) == {0, 1, 2} and policy.tally["found_supplier"] == 3
    ties = m.world.ties.table
    assert set(ties.firm[ties.active]) == {0, 1, 2}
    w = m.world
    buyers = w.industrial_purchasing.buyers(w.firms, m.effects.ties.committed_buyers)
    orders = w.industrial_purchasing.clear(ties, w.firms, w.enterprises.sector,
                                           np.full(w.enterprises.n, 1e9), buyers,
                                           m.params.mutual_ignorance.trust_to_buy)
    assert (np.bincount(ties.firm[: ties.n], weights=orders.tie_ordered)[[0, 1, 2]] > 0).all()


def test_a_lapsed_commitment_stops_purchases_and_repays_the_aid(aided_model):
    m, policy = aided_model
    policy.introductions(1.0)
    w = m.world
    regions_before = w.ledger.money[Sector.REGIONS]
    m.now.tie_delivered = np.zeros(w.ties.table.n)  # nothing delivered, month after month
    for _ in range(policy.params.lapse_after_months):
        policy.cost(1.0)
    assert not policy.committed(m.month).any() and policy.tally["lapsed"] == 3
    assert w.ledger.money[Sector.REGIONS] > regions_before  # bound firms repaid the aid
    buyers = w.industrial_purchasing.buyers(w.firms, policy.committed(m.month))
    orders = w.industrial_purchasing.clear(w.ties.table, w.firms, w.enterprises.sector,
                                           np.full(w.enterprises.n, 1e9), buyers,
                                           m.params.mutual_ignorance.trust_to_buy)
    assert orders.ordered.sum() == 0.0


def test_a_commitment_ends_with_its_contract(aided_model):
    m, policy = aided_model
    policy.introductions(1.0)
    months = policy.params.contract_months
    assert policy.committed(m.month + months - 1)[[0, 1, 2]].all()
    assert not policy.committed(m.month + months).any()


def test_more_known_suppliers_split_a_firms_need_rather_than_add_to_it():
    """Doubling the suppliers a firm knows in a sector leaves its ESS purchases there at its
    need (jobs × € per job of that sector): ties share the need, they do not multiply it."""
    sectors = np.array([COLLECTION, COLLECTION, SUBCONTRACTING, COLLECTION])
    firms, buyer, spare = _firms([200], [True]), np.array([True]), np.full(4, 1e9)
    need = 200 * PURCHASING.per_job_by_sector
    one = PURCHASING.clear(_ties([0], [0], [0.6]), firms, sectors, spare, buyer, TRUST_TO_BUY)
    two = PURCHASING.clear(_ties([0, 0], [0, 1], [0.6, 0.9]), firms, sectors, spare, buyer,
                           TRUST_TO_BUY)
    four = PURCHASING.clear(_ties([0, 0, 0], [0, 1, 3], [0.6, 0.9, 0.3]), firms, sectors,
                            spare, buyer, TRUST_TO_BUY)
    for orders in (one, two, four):
        assert orders.ordered.sum() == pytest.approx(need[COLLECTION])
    assert two.ordered[1] > two.ordered[0]  # the more trusted supplier takes the larger share
    other_sector = PURCHASING.clear(_ties([0, 0], [0, 2], [0.6, 0.6]), firms, sectors, spare,
                                    buyer, TRUST_TO_BUY)
    assert other_sector.ordered.sum() == pytest.approx(need[COLLECTION] + need[SUBCONTRACTING])


def test_a_firm_whose_needs_are_covered_stops_prospecting():
    """Search for new ESS suppliers falls with the share of a firm's ESS needs its trusted
    suppliers cover: none covered, full rate; every need covered, none (search_satiation=1)."""
    mi = MutualIgnorance()
    sectors = np.arange(len(SECTORS))
    need = PURCHASING.per_job_by_sector
    ties = _ties([1] + [2] * len(SECTORS) + [3], [COLLECTION, *sectors, SUBCONTRACTING],
                 [0.6] + [0.9] * len(SECTORS) + [0.1])  # firm 3's only tie is untrusted
    covered = covered_need_share(ties, 4, sectors, need, TRUST_TO_BUY)
    assert covered == pytest.approx([0.0, need[COLLECTION] / need.sum(), 1.0, 0.0])
    p = mi.discovery_probability(np.array([0, 1, len(SECTORS), 1]), 0.0, covered)
    assert p[2] == 0.0 and p[3] == pytest.approx(mi.discovery_probability(np.array([1]), 0.0)[0])
    assert 0.0 < p[1] < p[3]
