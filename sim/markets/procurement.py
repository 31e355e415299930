"""Public procurement: tenders, lots, award scoring, reserved lots and joint bids.

Clearing rule: each month every territory's public buyers (the local public sector the spend
is calibrated on, OECP 2022; State and hospital purchases are not modelled) issue lots whose
number is Poisson with mean spend / lot size (allotment divides lots so small
structures can bid). An open lot draws an ESS bid with the calibrated bid rate, a reserved lot
whenever an eligible local structure exists; the bidder is a random local enterprise that can
take the lot on (its public work stays under half its capacity — it grows to deliver; with joint
bids the headroom of up to three local structures is pooled). On an open lot the ESS
bid wins when its score beats the conventional bid: scores weigh price (the ESS price carries the
competition brake's unit-cost premium), a social criterion when the lot has a social clause, and
quality noise. A reserved lot (Code de la commande publique, art. L2113-12 to -14) is open only to
insertion and adapted structures and is awarded to the eligible bid if one exists. Contracts pay
a monthly value for their duration.

The procurement phase function ``award_tenders`` records the contracts won (``world.contracts``)
and the month's reserved awards (month record).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from sim.events import EventKind
from sim.grouping import GroupIndex, rounds


@dataclass
class Awards:
    enterprise: np.ndarray
    monthly_value: np.ndarray
    reserved: np.ndarray
    territory: np.ndarray


class ProcurementMarket:
    def __init__(self, params, spend_by_territory: np.ndarray, bid_rate: float):
        self.params = params
        self.spend = spend_by_territory
        self.bid_rate = bid_rate

    def win_probability(self, price_premium: float) -> float:
        """Chance an ESS bid beats the conventional bid on an open lot (normal quality noise)."""
        p = self.params
        gap = p.price_weight / (1.0 + price_premium) - p.price_weight
        sd = p.score_noise * np.sqrt(2.0)
        with_clause = ndtr((gap + p.social_clause_weight) / sd)
        return float(p.social_clause_share * with_clause
                     + (1 - p.social_clause_share) * ndtr(gap / sd))

    def clear(self, rng, spare, territory_of, eligible_reserved, alive_idx, effects,
              procurement_index, price_premium) -> Awards:
        """Issue and award the month's lots (``effects``: the levers' ``ProcurementEffects``)."""
        p = self.params
        n_territories = self.spend.size
        lot_size = p.lot_size_eur / effects.allotment_divisor
        lots = rng.poisson(self.spend * procurement_index / lot_size)
        lot_territory = np.repeat(np.arange(n_territories), lots)
        n_lots = lot_territory.size
        empty = Awards(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool), np.zeros(0, np.int64))
        if n_lots == 0 or alive_idx.size == 0:
            return empty
        value = lot_size[lot_territory] / p.contract_months
        reserved = rng.random(n_lots) < effects.reserved_share[lot_territory]
        bids = reserved | (rng.random(n_lots) < self.bid_rate)
        clause = rng.random(n_lots) < p.social_clause_share
        u = rng.random((p.joint_bid_members, n_lots))
        noise = rng.normal(0.0, p.score_noise, size=(2, n_lots))

        local = GroupIndex(territory_of[alive_idx], alive_idx, n_territories)
        ins = alive_idx[eligible_reserved[alive_idx]]
        local_reserved = GroupIndex(territory_of[ins], ins, n_territories)
        lead = np.where(reserved, local_reserved.draw(lot_territory, u[0]),
                        local.draw(lot_territory, u[0]))
        has_bid = bids & (lead >= 0)
        lead_spare = np.where(has_bid, spare[np.maximum(lead, 0)], 0.0)
        joint = effects.joint_bids[lot_territory] > 0
        pooled = lead_spare.copy()
        for k in range(1, p.joint_bid_members):
            partner = np.where(reserved, local_reserved.draw(lot_territory, u[k]),
                               local.draw(lot_territory, u[k]))
            distinct = (partner >= 0) & (partner != lead)
            pooled += np.where(joint & distinct, spare[np.maximum(partner, 0)], 0.0)
        can_deliver = has_bid & (pooled >= value)

        social = p.social_clause_weight * clause
        ess_score = p.price_weight / (1.0 + price_premium) + social + noise[0]
        conventional_score = p.price_weight + noise[1]
        wins = can_deliver & (reserved | (ess_score > conventional_score))
        winners = np.flatnonzero(wins)
        # each winner takes its lots in order, forfeiting those its spare capacity cannot cover
        taken = np.zeros(winners.size, dtype=bool)
        remaining = spare.copy()
        for at in rounds(lead[winners]):
            lot = winners[at]
            firm = lead[lot]
            ok = (remaining[firm] >= value[lot]) | joint[lot]
            remaining[firm[ok]] -= value[lot[ok]]
            taken[at[ok]] = True
        won = winners[taken]
        return Awards(lead[won], value[won], reserved[won], lot_territory[won])


# --- the procurement phase functions ------------------------------------------------------------
def contracted_work(m) -> np.ndarray:
    """Monthly value of each enterprise's public contracts in force."""
    c = m.world.contracts
    live = c.end_month > m.month
    return np.bincount(c.enterprise[live], weights=c.monthly_value[live],
                       minlength=m.world.enterprises.n)


def award_tenders(m) -> None:
    """Public buyers award the month's lots; winners sign contracts and plan with them."""
    w, p = m.world, m.params.procurement
    e = w.enterprises
    alive_idx = np.flatnonzero(e.alive)
    spare = np.maximum(p.public_work_cap * e.capacity - contracted_work(m), 0)
    awards = w.procurement_market.clear(
        m.streams["procurement.tenders"], spare, e.territory, w.forms.reserved[e.form],
        alive_idx, m.effects.procurement, m.conditions.procurement_index,
        m.params.competition.price_premium())
    if awards.enterprise.size:
        months = round(p.contract_months)
        w.contracts.append(awards.enterprise.size, enterprise=awards.enterprise,
                           monthly_value=awards.monthly_value, end_month=m.month + 1 + months,
                           reserved=awards.reserved)
        m.events.record(m.month, EventKind.TENDER_WON, awards.enterprise, awards.territory,
                        np.where(awards.reserved, "reserved", "open"))
        # a signed contract is certain demand, not noise to smooth: the winner plans with
        # it at once (the smoothing of the markets phase then keeps it in full)
        np.add.at(e.pressure, awards.enterprise,
                  awards.monthly_value / np.maximum(e.capacity[awards.enterprise], 1.0))
    reserved_value = awards.monthly_value * awards.reserved * p.contract_months
    m.now.reserved_awards_by_territory = np.bincount(
        awards.territory, weights=reserved_value, minlength=w.n_territories)
    m.now.reserved_awards = float(reserved_value.sum())
