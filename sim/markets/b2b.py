"""Business-to-business purchasing on the economic graph, and how firms come to know suppliers.

Brake 1 (mutual ignorance): a firm buys only from ESS suppliers it knows. Each month a firm
discovers one supplier with a probability that rises with its existing ESS ties (referrals) and
with matchmaking; the supplier is drawn from its territory (or a neighbour's). Trust grows with
full delivery and decays otherwise; a tie whose trust reaches zero is lost.

Clearing rule: a CSR-minded firm with at least one trusted tie (``trust_to_buy``) spends a share
of its purchases on ESS suppliers, split among its ties in proportion to trust × supplier
capacity. Other businesses (offices, retailers) buy from ESS in each territory from a pool shared
by capacity.

The ``TieGraph`` owns the ties (an edge list and its index of firm–enterprise pairs); the phase
functions ``discover_suppliers`` and ``update_trust`` make, feed and lose them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.events import EventKind, Labelled
from sim.grouping import GroupIndex
from sim.state import PairIndex, Table, pair_key
from sim.vocabulary import TieKind


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
        live = np.flatnonzero(ties.active)
        kinds = np.array([kind.name.lower() for kind in TieKind])
        return pd.DataFrame({
            "firm": ties.firm[live], "enterprise": ties.enterprise[live],
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
    p = m.params.mutual_ignorance.discovery_probability(firms.ess_ties, boost)
    draws = rng.random((3, firms.n))
    meeting = np.flatnonzero(draws[0] < p)
    for introduced in m.lever_introductions():
        meeting = np.union1d(meeting, introduced)
    if meeting.size == 0:
        return
    home = firms.territory[meeting]
    abroad = draws[1, meeting] < m.params.mutual_ignorance.neighbour_share
    where = np.where(abroad, w.random_neighbour(home, draws[2, meeting]), home)
    alive = np.flatnonzero(enterprises.alive)
    supplier = GroupIndex(enterprises.territory[alive], alive, w.n_territories).draw(
        where, draws[2, meeting])
    ok = supplier >= 0
    w.ties.add(meeting[ok], supplier[ok], TieKind.SUPPLY, m.month, m.events)


def update_trust(m) -> None:
    """Trust rises with full deliveries, decays otherwise; some supply ties become on-site
    implants; empty trust loses the tie."""
    w, mi = m.world, m.params.mutual_ignorance
    ties = w.ties.table
    live = np.flatnonzero(ties.active)
    delivered = m.now.served[ties.enterprise[live]]
    bought = m.now.tie_spend[live] > 0
    change = np.where(bought, mi.trust_gain * (2 * delivered - 1), 0.0) - mi.trust_decay
    ties.trust[live] = np.clip(ties.trust[live] + change, 0.0, 1.0)
    rng = m.streams["b2b.implants"]
    implant = (rng.random(live.size) < m.effects.ties.implant_rate[
        w.firms.territory[ties.firm[live]]]) & (ties.kind[live] == TieKind.SUPPLY)
    ties.kind[live[implant]] = TieKind.IMPLANT
    ties.trust[live[implant]] = 1.0
    m.now.implants = int(implant.sum())
    lost = live[(ties.trust[live] <= 0) & (ties.kind[live] == TieKind.SUPPLY)]
    w.ties.drop(lost, m.month, m.events)


class BusinessMarket:
    def __init__(self, generic_pool_by_territory: np.ndarray, tie_spend_share: float):
        self.generic_pool = generic_pool_by_territory
        self.tie_spend_share = tie_spend_share  # share of a firm's purchases a tie can take

    def clear_generic(self, territory, capacity, demand_index) -> np.ndarray:
        totals = np.bincount(territory, weights=capacity, minlength=self.generic_pool.size)
        share = np.divide(capacity, totals[territory], out=np.zeros_like(capacity),
                          where=totals[territory] > 0)
        return self.generic_pool[territory] * demand_index * share

    @staticmethod
    def clear_ties(ties, firms, capacity, n_enterprises, spend_share, spend_boost_by_firm,
                   trust_to_buy):
        """Industrial purchases from known ESS suppliers, per enterprise and per tie."""
        active = ties.active & (ties.trust >= trust_to_buy)
        firm = ties.firm[active]
        enterprise = ties.enterprise[active]
        weight = ties.trust[active] * capacity[enterprise]
        firm_total = np.bincount(firm, weights=weight, minlength=firms.n)
        budget = firms.jobs * spend_share * (1.0 + spend_boost_by_firm) * firms.csr
        share = np.divide(weight, firm_total[firm], out=np.zeros_like(weight),
                          where=firm_total[firm] > 0)
        per_tie = budget[firm] * share
        per_tie_all = np.zeros(ties.n)
        per_tie_all[active] = per_tie
        return np.bincount(enterprise, weights=per_tie, minlength=n_enterprises), per_tie_all
