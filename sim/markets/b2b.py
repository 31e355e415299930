"""Business-to-business purchasing on the economic graph, and how firms come to know suppliers.

Brake 1 (mutual ignorance): a firm buys only from ESS suppliers it knows. Each month a firm
discovers one supplier with a probability that rises with its existing ESS ties (referrals) and
with matchmaking, and falls as the suppliers it trusts cover its ESS needs (a satisfied firm
stops prospecting: ``search_satiation``); the supplier is drawn from its territory (or a
neighbour's). Trust grows with full delivery and decays otherwise; a tie whose trust reaches zero
is lost. A buyer's supply relationship also ends at a monthly rate (needs change, a buyer's staff
or panel turns over, a competing offer): the rate at which, in the world of month 0, the ties
buyers end equal the fed ties they make (``stationary_tie_lapse``), so the coverage of buyers'
needs observed at start is the mechanism's steady state, not a point it drifts away from.

Industrial purchasing (``IndustrialPurchasing``): a firm's orders to the ESS come from its needs by
ESS sector (what it buys that collection/recycling, reuse, subcontracting/on-site services or
manufacturing can supply), and only a buyer (a CSR-minded firm, or one bound by an aid
commitment) orders, only in sectors where it knows a supplier it trusts (``trust_to_buy``), and
only what it would buy at the ESS price (brake 2's unit-cost premium). It splits a sector's order
among its trusted suppliers there by trust × spare capacity; a supplier delivers at most its spare
capacity (capacity left once its contracts and regular clients are served). No known supplier in a
sector, or no spare capacity, means no ESS purchase there. Other businesses (offices, retailers)
buy from ESS in each territory and sector from a pool shared among that sector's claims there.

The ``TieGraph`` owns the ties (an edge list and its index of firm–enterprise pairs); the phase
functions ``discover_suppliers`` and ``update_trust`` make, feed and lose them.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np
import pandas as pd

from sim.events import EventKind, Labelled
from sim.grouping import GroupIndex, dense_unique
from sim.markets import implants, premises
from sim.state import PairIndex, Table, pair_key
from sim.vocabulary import SECTORS, TieKind


class TieGraph:
    """Firm–ESS ties: the edge list (``table``), the index of active pairs, and each firm's
    count of ESS ties kept in ``firms.ess_ties``."""

    def __init__(self, table: Table, firms: Table, enterprises: Table, new_tie_trust: float):
        self.table = table
        self.new_tie_trust = new_tie_trust
        self.firms = firms
        self.enterprises = enterprises
        live = table.active
        self.index = PairIndex(table.firm[live], table.enterprise[live])

    def add(self, firms_idx: np.ndarray, enterprises_idx: np.ndarray, kind: TieKind,
            month: int, events) -> None:
        """New firm–ESS ties (existing active pairs are kept, not duplicated)."""
        if firms_idx.size == 0:
            return
        key_new, first = np.unique(pair_key(firms_idx, enterprises_idx), return_index=True)
        fresh = ~self.index.contains(key_new)
        f, e = firms_idx[first][fresh], enterprises_idx[first][fresh]
        self.table.append(f.size, active=True, firm=f, enterprise=e, kind=kind,
                          trust=self.new_tie_trust, created=month)
        self.index.add(key_new[fresh])
        np.add.at(self.firms.ess_ties, f, 1)
        events.record(month, EventKind.NEW_TIE, e, self.enterprises.territory[e],
                      Labelled("firm=", f))

    def drop(self, tie_idx: np.ndarray, month: int, events) -> None:
        """End ties (those already inactive are ignored)."""
        ties = self.table
        tie_idx = tie_idx[ties.active[tie_idx]]
        if tie_idx.size == 0:
            return
        ties.active[tie_idx] = False
        self.index.remove(pair_key(ties.firm[tie_idx], ties.enterprise[tie_idx]))
        np.subtract.at(self.firms.ess_ties, ties.firm[tie_idx], 1)
        ent = ties.enterprise[tie_idx]
        events.record(month, EventKind.TIE_LOST, ent, self.enterprises.territory[ent])

    def frame(self, territory_codes: np.ndarray) -> pd.DataFrame:
        """The active ties, for inspection: firm, enterprise, kind, trust and both territories."""
        ties = self.table
        live = ties.active.nonzero()[0]
        kinds = np.array([kind.name.lower() for kind in TieKind])
        return pd.DataFrame({
            "firm": ties.firm[live], "enterprise": self.enterprises.serial[ties.enterprise[live]],
            "kind": kinds[ties.kind[live]], "trust": ties.trust[live],
            "firm_territory": territory_codes[self.firms.territory[ties.firm[live]]],
            "enterprise_territory": territory_codes[
                self.enterprises.territory[ties.enterprise[live]]],
        })

    def count_by_enterprise(self) -> np.ndarray:
        ties = self.table
        return np.bincount(ties.enterprise[ties.active], minlength=self.enterprises.n)


def discover_suppliers(m) -> None:
    """Brake 1: firms meet ESS suppliers by proximity, referrals and matchmaking; levers may
    introduce more (conditional aid's compliers)."""
    w = m.world
    firms, enterprises = w.firms, w.enterprises
    rng = m.streams["b2b.discovery"]
    boost = m.effects.ties.discovery_boost[firms.territory]
    mi = m.params.mutual_ignorance
    covered = covered_need_share(w.ties.table, firms.n, enterprises.sector,
                                 w.industrial_purchasing.per_job_by_sector, mi.trust_to_buy)
    p = mi.discovery_probability(firms.ess_ties, boost, covered)
    draws = rng.random((3, firms.n))
    meeting = (draws[0] < p).nonzero()[0]
    for introduced in m.lever_introductions():
        meeting = np.union1d(meeting, introduced)
    if meeting.size == 0:
        return
    home = firms.territory[meeting]
    abroad = draws[1, meeting] < m.params.mutual_ignorance.neighbour_share
    where = np.where(abroad, w.random_neighbour(home, draws[2, meeting]), home)
    alive = enterprises.alive.nonzero()[0]
    supplier = GroupIndex(enterprises.territory[alive], alive, w.n_territories).draw(
        where, draws[2, meeting])
    ok = supplier >= 0
    w.ties.add(meeting[ok], supplier[ok], TieKind.SUPPLY, m.month, m.events)


def covered_need_share(ties, n_firms: int, supplier_sector: np.ndarray, need_by_sector: np.ndarray,
                       trust_to_buy: float) -> np.ndarray:
    """Share of each firm's ESS needs (weighted by sector) for which it knows a supplier it trusts
    enough to buy from: what it has no reason to look further for."""
    live = (ties.active & (ties.trust >= trust_to_buy)).nonzero()[0]
    pair = dense_unique(ties.firm[live].astype(np.int64) * len(SECTORS)
                        + supplier_sector[ties.enterprise[live]], n_firms * len(SECTORS))
    weight = need_by_sector / need_by_sector.sum()
    return np.bincount(pair // len(SECTORS), weights=weight[pair % len(SECTORS)],
                       minlength=n_firms)


def update_trust(m) -> None:
    """Trust rises with full deliveries, decays otherwise; some supply ties become on-site
    implants where the host has idle floor (``sim.markets.implants``); empty trust loses the
    tie."""
    w, mi = m.world, m.params.mutual_ignorance
    ties = w.ties.table
    live = ties.active.nonzero()[0]
    # each gathered once over the live ties; the few positions that implants change are
    # patched below instead of gathering again (same values)
    firm = ties.firm[live]
    territory = w.firms.territory[firm]
    kind = ties.kind[live]
    # the ties that bought this month, computed on their own: the others only decay (adding
    # the scalar ``0.0 - decay`` adds to each the same float an array of it held; the buyers'
    # trust is then recomputed from the same old trust, as one ``trust + change`` gave it)
    spend = m.now.tie_spend[live]
    bought = (spend > 0).nonzero()[0]
    ordered_ties = live[bought]
    delivered = m.now.tie_delivered[ordered_ties] / spend[bought]
    gain = mi.trust_gain * (1.0 + m.effects.ties.trust_gain_boost[territory[bought]])
    old = ties.trust[live]
    trust = old + (0.0 - mi.trust_decay)
    trust[bought] = old[bought] + (gain * (2 * delivered - 1) - mi.trust_decay)
    trust = np.clip(trust, 0.0, 1.0, out=trust)
    ties.trust[live] = trust
    ties.last_order[ordered_ties] = m.month
    _implant(m, live, territory, kind, trust)
    kind[end_idle_implants(m, live, kind)] = TieKind.SUPPLY
    buyers = w.industrial_purchasing.buyers(w.firms, m.effects.ties.committed_buyers)
    # the few ties whose lapse draw falls under the rate, then their buyers: the positions a
    # mask ``draw < rate & buyers[firm]`` over every live tie gives
    lapsed = (m.streams["b2b.lapse"].random(live.size)
              < w.industrial_purchasing.tie_lapse_month).nonzero()[0]
    lapsed = lapsed[buyers[firm[lapsed]]]
    lost = trust <= 0
    lost[lapsed] = True
    lost &= kind == TieKind.SUPPLY
    w.ties.drop(live[lost.nonzero()[0]], m.month, m.events)


def _implant(m, live: np.ndarray, territory: np.ndarray, kind: np.ndarray,
             trust: np.ndarray) -> None:
    """Supply ties drawn at their territory's implant rate become implants where the host
    can (``implants.open_implants``); the live ties' ``kind`` and ``trust`` are patched at
    the implants' positions. The draws are made every month (the stream moves alike); with
    no implant rate anywhere (no lever) no draw falls under it, so no tie is a candidate."""
    w, ties = m.world, m.world.ties.table
    draws = m.streams["b2b.implants"].random(live.size)
    rate = m.effects.ties.implant_rate
    m.now.implants = 0
    if not rate.any():
        return
    candidate = (draws < rate[territory]) & (kind == TieKind.SUPPLY)
    implanted = implants.open_implants(m, live[candidate])
    m.now.implants = int(implanted.size)
    if implanted.size == 0:
        return
    ties.kind[implanted] = TieKind.IMPLANT
    ties.trust[implanted] = 1.0
    ties.last_order[implanted] = m.month
    ties.site[implanted] = np.arange(w.sites.n - implanted.size, w.sites.n)  # one site each
    at = np.searchsorted(live, implanted)  # implants are live ties, in increasing order
    kind[at] = TieKind.IMPLANT
    trust[at] = 1.0


def stationary_tie_lapse(mutual_ignorance, purchasing, firms, ties, enterprises,
                         spare: np.ndarray, n_territories: int) -> float:
    """Monthly chance that a buyer's supply relationship ends, set so that in the world of
    month 0 the ties buyers end equal the ties they make and keep: a month's discoveries by
    buyers (the brake as measured, without levers), each counted with the chance that its
    supplier's free capacity feeds it (``discovery_fed_share``; a tie it cannot feed fades and
    is lost through trust), over the ties buyers hold that their suppliers feed (``spare``:
    capacity left by the other markets at start). The stock of fed ties, hence the coverage of
    buyers' needs the start observes, is then the steady state of discovery, satiation, trust
    and lapse. Without a lapse a buyer kept a supplier it trusts for ever and coverage climbed
    from 5% to 20% in ten years of a baseline with every trend at zero (ARA); balancing the
    deliveries of new ties rather than their number (the previous rule) gave ~1.4%/month, and
    coverage still doubled, since a tie's first orders are smaller than an established tie's
    while each new tie adds to the stock. 0 when buyers hold no fed tie (nothing observed to
    balance)."""
    mi = mutual_ignorance
    buyers = purchasing.buyers(firms, None)
    orders = purchasing.clear(ties, firms, enterprises.sector, spare, buyers, mi.trust_to_buy,
                              observed_price=True)
    share = np.divide(orders.tie_delivered, orders.tie_ordered, out=np.zeros(ties.n),
                      where=orders.tie_ordered > 0)
    held = int((_feeds_trust(mi, share) & (orders.tie_ordered > 0)).sum())
    if held == 0:
        return 0.0
    covered = covered_need_share(ties, firms.n, enterprises.sector,
                                 purchasing.per_job_by_sector, mi.trust_to_buy)
    discovery = dataclasses.replace(mi, enabled=True).discovery_probability(
        firms.ess_ties, 0.0, covered)
    free = np.maximum(spare - orders.delivered, 0.0)
    fed = discovery_fed_share(mi, purchasing, firms, enterprises, free, buyers, n_territories)
    return float(np.clip((discovery * fed)[buyers].sum() / held, 0.0, 1.0))


def _feeds_trust(mi, delivered_share: np.ndarray) -> np.ndarray:
    """Deliveries (share of what was ordered) under which trust grows at least as fast as it
    decays: below, the tie fades and is lost."""
    return mi.trust_gain * (2 * delivered_share - 1) >= mi.trust_decay


def discovery_fed_share(mi, purchasing, firms, enterprises, free: np.ndarray,
                        buyers: np.ndarray, n_territories: int) -> np.ndarray:
    """Per buyer, the chance that a supplier it discovers at home can feed the tie: the share
    of its territory's ESS enterprises whose ``free`` capacity delivers enough of the buyer's
    need in their sector for trust to grow (``_feeds_trust``). 0 for other firms."""
    alive = enterprises.alive.nonzero()[0]
    fed = np.zeros(firms.n)
    for t in range(n_territories):
        here = alive[enterprises.territory[alive] == t]
        who = (buyers & (firms.territory == t)).nonzero()[0]
        if here.size == 0 or who.size == 0:
            continue
        need = firms.jobs[who, None] * purchasing.per_job_observed[
            enterprises.sector[here]][None, :]
        delivered = np.minimum(need, free[here][None, :])
        share = np.divide(delivered, need, out=np.zeros_like(need), where=need > 0)
        fed[who] = _feeds_trust(mi, share).mean(axis=1)
    return fed


def end_idle_implants(m, live: np.ndarray, kind: np.ndarray | None = None) -> np.ndarray:
    """An implant whose host has ordered nothing for ``implant_idle_months`` ends: its site
    closes (floor and equipment back to the host) and the tie is a supply tie again, whose
    trust then fades unless orders resume. Without this an implant outlived its client's
    orders for good (in a national 20-year run with every lever, half the implants had no
    order in a year, and their sites and ties piled up). ``kind``: the live ties' kinds, if
    the caller holds them; returns the positions in ``live`` of the implants that ended."""
    ties = m.world.ties.table
    if kind is None:
        kind = ties.kind[live]
    at = (kind == TieKind.IMPLANT).nonzero()[0]  # implants first: a few of the live ties
    at = at[m.month - ties.last_order[live[at]] >= m.params.mutual_ignorance.implant_idle_months]
    if at.size == 0:
        return at
    idle = live[at]
    premises.close_sites(m.world, ties.site[idle])
    ties.kind[idle] = TieKind.SUPPLY
    return at


class BusinessMarket:
    """Other businesses' purchases from the ESS: a pool per territory and ESS sector
    (``clearing.market_of``), shared among that sector's claims there in proportion to them."""

    def __init__(self, generic_pool_by_market: np.ndarray):
        self.generic_pool = generic_pool_by_market

    def clear_generic(self, market, claim, demand_index) -> np.ndarray:
        total = np.bincount(market, weights=claim, minlength=self.generic_pool.size)[market]
        share = np.divide(claim, total, out=np.zeros_like(claim), where=total > 0)
        return self.generic_pool[market] * demand_index * share


class TieOrders(NamedTuple):
    """Industrial orders of the month: per enterprise (ordered, delivered) and per tie. With
    ``orders_within_capacity`` an enterprise's ``ordered`` is its buyers' whole share of need
    (the sales it could make: its demand), a tie's ``tie_ordered`` what the buyer ordered."""

    ordered: np.ndarray
    delivered: np.ndarray
    tie_ordered: np.ndarray
    tie_delivered: np.ndarray


class IndustrialPurchasing:
    """Industrial firms' orders to the ESS suppliers they know, by need, trust, price and spare
    capacity (brake 1; the price is brake 2's unit-cost premium)."""

    def __init__(self, industry, competition, orders_within_capacity: bool = False):
        needs = np.array([getattr(industry, f"need_share_{s}") for s in SECTORS])
        observed = (1.0 + competition.unit_cost_premium) ** industry.ess_price_elasticity
        price = (1.0 + competition.price_premium()) ** industry.ess_price_elasticity
        # € per industrial job per month a buyer sources from a trusted ESS supplier, by sector,
        # in the observed world (the premium as measured) and at this run's ESS price
        self.per_job_observed = (industry.purchases_per_job_month * needs
                                 * industry.ess_sourcing_share)
        self.per_job_by_sector = self.per_job_observed * observed / price
        self.tie_lapse_month = 0.0  # set at build (``stationary_tie_lapse``)
        # ``MutualIgnorance.orders_within_capacity``: a buyer orders at most what its supplier
        # can take on, and the supplier's demand counts the buyer's whole share of need
        self.orders_within_capacity = orders_within_capacity

    def buyers(self, firms, committed: np.ndarray | None) -> np.ndarray:
        """Firms that order from the ESS: CSR-minded ones and those bound by a commitment."""
        return firms.csr if committed is None else firms.csr | committed

    def clear(self, ties, firms, supplier_sector, spare, buyers, trust_to_buy,
              observed_price: bool = False) -> TieOrders:
        """Each buyer's need in each ESS sector goes to its trusted suppliers of that sector in
        proportion to trust × spare capacity; a supplier delivers at most its spare capacity.
        ``observed_price``: at the premium as measured (the calibration of the start), even
        when a run lifts brake 2."""
        per_job = self.per_job_observed if observed_price else self.per_job_by_sector
        n_ent = spare.size
        live = (ties.active & (ties.trust >= trust_to_buy)).nonzero()[0]
        firm = ties.firm[live]
        buying = buyers[firm].nonzero()[0]  # positions: two gathers, not two masks
        live, firm = live[buying], firm[buying]
        ent = ties.enterprise[live]
        sector = supplier_sector[ent].astype(np.int64)
        room = np.maximum(spare[ent], 0.0)
        weight = ties.trust[live] * room
        group = firm.astype(np.int64) * len(SECTORS) + sector
        # a bin per firm–sector key: each total adds its ties' weights in the order of the
        # ties, as over the distinct keys' ranks (``dense_inverse``), without ranking them
        total = np.bincount(group, weights=weight, minlength=firms.n * len(SECTORS))[group]
        need = firms.jobs[firm] * per_job[sector]
        ordered = np.divide(need * weight, total, out=np.zeros(live.size), where=total > 0)
        by_ent = np.bincount(ent, weights=ordered, minlength=n_ent)
        expected = by_ent
        if self.orders_within_capacity:
            # a buyer orders from a supplier what it can take on; the supplier still counts
            # the buyer's whole share of need as the sales it could make (its demand)
            ordered = np.minimum(ordered, room)
            by_ent = np.bincount(ent, weights=ordered, minlength=n_ent)
        delivered = np.minimum(by_ent, np.maximum(spare, 0.0))
        ratio = np.divide(delivered, by_ent, out=np.zeros(n_ent), where=by_ent > 0)
        tie_ordered, tie_delivered = np.zeros(ties.n), np.zeros(ties.n)
        tie_ordered[live] = ordered
        tie_delivered[live] = ordered * ratio[ent]
        return TieOrders(expected, delivered, tie_ordered, tie_delivered)
