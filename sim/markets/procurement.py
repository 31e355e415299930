"""Public procurement: tenders, lots, award scoring, reserved lots and joint bids.

Clearing rule: each month every territory's public buyers issue lots whose number is Poisson
with mean spend / lot size (allotment divides lots so small structures can bid). The spend is
calibrated on the purchases of the buyers the model draws (OECP 2023: the State with public
hospitals and the local authorities, 124.5 Md€, scaled to each territory by population); each
lot's buyer, who pays its contract through the ledger (settlement) and, when it is reserved, its
premium (the reserved markets lever), is drawn with the same buyers' shares of that spend
(``buyer_share_*``, OECP 2023): the State (with public hospitals), the Regions, the
départements, the communes and intercommunalities. Before session 11 the volume was the local
public sector's alone (OECP 2022, 66 Md€), of which the State then paid 41%.
An open lot draws an ESS bid with the calibrated bid rate, a reserved lot whenever an eligible
local structure exists; the bidder is a random local enterprise that can take the lot on (its
public work stays under half its capacity — it grows to deliver; with joint bids the headroom of
up to three local structures is pooled). On an open lot the ESS bid wins when its score beats
the conventional bid: scores weigh price (the ESS price carries the competition brake's
unit-cost premium), a social criterion when the lot has a social clause, and quality noise. A
reserved lot (Code de la commande publique, art. L2113-12 to -14) is open only to insertion and
adapted structures and is awarded to the eligible bid if one exists. Contracts pay a monthly
value for their duration.

A holder that fails leaves its contracts unfinished: the buyer terminates them (the liquidator
does not take them over: CCAG 2021, résiliation de plein droit after the liquidator's notice;
Code de la commande publique L2195-4) and puts the remaining work out to tender again the next
month, as a lot of the same monthly value, terms (reserved or open, social clause or not),
buyer and end month, cleared by the same rules: an ESS structure takes it over if one bids and
wins, a conventional firm otherwise. The work is the buyer's budget already committed (it is spent
once, whoever finishes it). Before, it vanished with the failed holder.

The open lots' bid rate is set at build (``stationary_bid_rate``) so that the contracts ESS win
each month replace those that expire, counted with the quantities the clearing uses each month:
the win probability and the share of local structures that can take a lot on (spare public-work
capacity at least the lot's monthly value), with the start's stock held in whole lots as the
market holds it (``sim.world.held_in_whole_lots``). Calibrated on the start's even shares, the
rate left awards ~8% below the expiry flow once lots had concentrated on winners.

With both, at zero trends (ARA, 4 seeds), the ESS stock of public contracts ends ten years
-6.4% (mean of the last year over the first) instead of -15.4%. What remains: holders fail
(~5% of the stock's value a year) and an ESS takes over ~15% of the work tendered again, while
conventional holders, not modelled, never fail.

The procurement phase function ``award_tenders`` records the contracts won (``world.contracts``)
and the month's reserved awards (month record).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from sim.events import EventKind
from sim.grouping import GroupIndex, rounds
from sim.ledger import Sector
from sim.state import among


@dataclass
class Awards:
    enterprise: np.ndarray
    monthly_value: np.ndarray
    reserved: np.ndarray
    territory: np.ndarray
    end_month: np.ndarray
    clause: np.ndarray
    buyer: np.ndarray  # the ledger sector that tendered the lot and pays the contract


@dataclass
class Lots:
    """Unfinished work a buyer puts out to tender again (a failed holder's contracts)."""
    territory: np.ndarray
    monthly_value: np.ndarray
    end_month: np.ndarray
    reserved: np.ndarray
    clause: np.ndarray
    buyer: np.ndarray  # the buyer of the terminated contract, who tenders it again

    @staticmethod
    def none() -> Lots:
        return Lots(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int32),
                    np.zeros(0, bool), np.zeros(0, bool), np.zeros(0, np.int8))


class ProcurementMarket:
    def __init__(self, params, spend_by_territory: np.ndarray, bid_rate: float):
        self.params = params
        self.spend = spend_by_territory
        self.bid_rate = bid_rate
        self.retender = Lots.none()  # unfinished work tendered again at the next clearing
        payers, shares = params.buyers()
        self.payers = np.asarray(payers, np.int8)
        # what ``Generator.choice(len(payers), size=n, p=shares)`` looks its uniforms up in
        # (NumPy's own steps: ``cdf = p.cumsum(); cdf /= cdf[-1]``), made once a run
        self.buyer_cdf = shares.cumsum()
        self.buyer_cdf /= self.buyer_cdf[-1]

    def win_probabilities(self, price_premium: float) -> tuple[float, float]:
        """Chance an ESS bid beats the conventional bid on an open lot with and without a
        social clause (normal quality noise)."""
        p = self.params
        gap = p.price_weight / (1.0 + price_premium) - p.price_weight
        sd = p.score_noise * np.sqrt(2.0)
        return float(ndtr((gap + p.social_clause_weight) / sd)), float(ndtr(gap / sd))

    def win_probability(self, price_premium: float) -> float:
        """Chance an ESS bid beats the conventional bid on an open lot (normal quality noise)."""
        with_clause, without = self.win_probabilities(price_premium)
        share = self.params.social_clause_share
        return share * with_clause + (1 - share) * without

    def deliverable_share(self, spare, territory_of, alive_idx, value) -> np.ndarray:
        """Share of a territory's live structures that can take on a lot of monthly ``value``
        alone (``spare`` public-work capacity at least the value), as ``clear`` tests it."""
        n_t = self.spend.size
        local = np.bincount(territory_of[alive_idx], minlength=n_t)
        able = np.bincount(territory_of[alive_idx], weights=spare[alive_idx] >= value,
                           minlength=n_t)
        return np.divide(able, local, out=np.zeros(n_t), where=local > 0)

    def draw_buyers(self, rng, n: int) -> np.ndarray:
        """The buyer (ledger sector) of ``n`` lots, drawn with the buyers' shares of spend: the
        draws of ``rng.choice(len(payers), size=n, p=shares)`` (``n`` uniforms, each looked up
        in the shares' cumulative sum), without its checks of the shares every month."""
        return self.payers[self.buyer_cdf.searchsorted(rng.random(n), side="right")]

    def clear(self, rng, spare, territory_of, eligible_reserved, alive_idx, effects,
              procurement_index, price_premium, month: int, buyer_rng) -> Awards:
        """Issue and award the month's lots, and the unfinished work tendered again
        (``effects``: the levers' ``ProcurementEffects``). Each new lot's buyer is drawn from
        ``buyer_rng`` (one draw per new lot, whoever bids); a lot tendered again keeps its
        buyer."""
        p = self.params
        n_territories = self.spend.size
        lot_size = p.lot_size_eur / effects.allotment_divisor
        lots = rng.poisson(self.spend * procurement_index / lot_size)
        again, self.retender = self.retender, Lots.none()
        new_territory = np.repeat(np.arange(n_territories), lots)
        n_new = new_territory.size
        buyer = np.concatenate([self.draw_buyers(buyer_rng, n_new), again.buyer])
        lot_territory = np.concatenate([new_territory, again.territory])
        n_lots = lot_territory.size
        if n_lots == 0 or alive_idx.size == 0:
            return Awards(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool),
                          np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, bool),
                          np.zeros(0, np.int8))
        value = np.concatenate([lot_size[new_territory] / p.contract_months,
                                again.monthly_value])
        end_month = np.concatenate([np.full(n_new, month + 1 + round(p.contract_months),
                                            np.int32), again.end_month])
        reserved = rng.random(n_lots) < effects.reserved_share[lot_territory]
        bids = rng.random(n_lots) < self.bid_rate
        clause = rng.random(n_lots) < p.social_clause_share
        # a lot tendered again keeps its terms: the buyer's reservation and social clause stand
        reserved[n_new:] = again.reserved
        clause[n_new:] = again.clause
        bids |= reserved
        u = rng.random((p.joint_bid_members, n_lots))
        noise = rng.normal(0.0, p.score_noise, size=(2, n_lots))
        local = GroupIndex(territory_of[alive_idx], alive_idx, n_territories)
        ins = alive_idx[eligible_reserved[alive_idx]]
        draw_bidders = _bidder_draws(reserved, ins, territory_of, local, lot_territory,
                                     n_territories)
        lead = draw_bidders(u[0])
        has_bid = bids & (lead >= 0)
        lead_spare = np.where(has_bid, spare[np.maximum(lead, 0)], 0.0)
        joint = effects.joint_bids[lot_territory] > 0
        pooled = lead_spare.copy()
        for k in range(1, p.joint_bid_members):
            partner = draw_bidders(u[k])
            distinct = (partner >= 0) & (partner != lead)
            pooled += np.where(joint & distinct, spare[np.maximum(partner, 0)], 0.0)
        can_deliver = has_bid & (pooled >= value)

        social = p.social_clause_weight * clause
        ess_score = p.price_weight / (1.0 + price_premium) + social + noise[0]
        conventional_score = p.price_weight + noise[1]
        wins = can_deliver & (reserved | (ess_score > conventional_score))
        winners = wins.nonzero()[0]
        # each winner takes its lots in order, forfeiting those its spare capacity cannot cover
        taken = np.zeros(winners.size, dtype=bool)
        remaining = spare.copy()
        for at in _rounds_of_winners(lead[winners]):
            lot = winners[at]
            firm = lead[lot]
            ok = (remaining[firm] >= value[lot]) | joint[lot]
            remaining[firm[ok]] -= value[lot[ok]]
            taken[at[ok]] = True
        won = winners[taken]
        return Awards(lead[won], value[won], reserved[won], lot_territory[won], end_month[won],
                      clause[won], buyer[won])


def _rounds_of_winners(lead: np.ndarray) -> list[np.ndarray]:
    """``rounds(lead)``: when no structure wins two lots (most months), one round of every
    winner in order, without sorting them."""
    if lead.size and np.bincount(lead).max() == 1:
        return [np.arange(lead.size)]
    return rounds(lead)


def _bidder_draws(reserved, eligible, territory_of, local, lot_territory, n_territories):
    """Draws of a bidder per lot for given uniforms, as ``_draw_bidder`` gives them; the
    eligible structures' index (``eligible``: rows open to reserved lots) is built only when
    a lot is reserved: otherwise each bidder is the local index's draw, in the dtype
    ``_draw_bidder`` would give it."""
    if reserved.any():
        local_reserved = GroupIndex(territory_of[eligible], eligible, n_territories)
        return lambda uniforms: _draw_bidder(reserved, local_reserved, local, lot_territory,
                                             uniforms)
    dtype = np.result_type(eligible.dtype if eligible.size else np.int64,
                           local.members.dtype if local.members.size else np.int64)
    return lambda uniforms: local.draw(lot_territory, uniforms).astype(dtype, copy=False)


def _draw_bidder(reserved, local_reserved, local, lot_territory, uniforms) -> np.ndarray:
    """A bidder for each lot: from the structures eligible to reserved lots where the lot is
    reserved, else from every local structure, each with the lot's uniform. What
    ``np.where(reserved, local_reserved.draw(...), local.draw(...))`` gives (a draw is element
    by element), drawing each lot from one group index only: most months reserve no lot."""
    # the dtype ``np.where`` gives: both draws' (an empty index draws int64 -1s)
    dtype = np.result_type(*(index.members.dtype if index.members.size else np.int64
                             for index in (local_reserved, local)))
    lead = local.draw(lot_territory, uniforms).astype(dtype, copy=False)
    at = reserved.nonzero()[0]
    if at.size:
        lead[at] = local_reserved.draw(lot_territory[at], uniforms[at])
    return lead


# --- the procurement phase functions ------------------------------------------------------------
def contracted_work(m) -> np.ndarray:
    """Monthly value of each enterprise's public contracts in force."""
    c = m.world.contracts
    live = c.end_month > m.month
    return np.bincount(c.enterprise[live], weights=c.monthly_value[live],
                       minlength=m.world.enterprises.n)


def contracted_work_by_buyer(m) -> dict[int, np.ndarray]:
    """Monthly value of each enterprise's public contracts in force, by buyer (ledger sector):
    the buyers that hold at least one contract in force."""
    return contracted_work_with_buyers(m)[1]


def contracted_work_with_buyers(m) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """``contracted_work`` and ``contracted_work_by_buyer`` from one gather of the contracts in
    force (the same rows in the same order as each gives on its own)."""
    c = m.world.contracts
    live = (c.end_month > m.month).nonzero()[0]
    buyer = c.buyer[live]
    enterprise, value, n = c.enterprise[live], c.monthly_value[live], m.world.enterprises.n
    total = np.bincount(enterprise, weights=value, minlength=n)
    by_buyer = {}
    # the buyers holding a contract, in ascending order (``np.unique``'s), marked, not sorted;
    # each buyer's contracts are gathered once (the same rows in the same order)
    for b in np.bincount(buyer, minlength=1).nonzero()[0].tolist():
        of_buyer = (buyer == b).nonzero()[0]
        by_buyer[b] = np.bincount(enterprise[of_buyer], weights=value[of_buyer], minlength=n)
    return total, by_buyer


def award_tenders(m) -> None:
    """Public buyers award the month's lots; winners sign contracts and plan with them."""
    w, p = m.world, m.params.procurement
    e = w.enterprises
    alive_idx = e.alive.nonzero()[0]
    spare = np.maximum(p.public_work_cap * e.capacity - contracted_work(m), 0)
    awards = w.procurement_market.clear(
        m.streams["procurement.tenders"], spare, e.territory, w.forms.reserved[e.form],
        alive_idx, m.effects.procurement, m.conditions.procurement_index,
        m.params.competition.price_premium(), m.month, m.streams["procurement.buyers"])
    if awards.enterprise.size:
        w.contracts.append(awards.enterprise.size, enterprise=awards.enterprise,
                           monthly_value=awards.monthly_value, end_month=awards.end_month,
                           reserved=awards.reserved, clause=awards.clause, buyer=awards.buyer)
        m.events.record(m.month, EventKind.TENDER_WON, awards.enterprise, awards.territory,
                        tender_details(awards.reserved, awards.buyer))
        # a signed contract is certain demand, not noise to smooth: the winner plans with
        # it at once (the smoothing of the markets phase then keeps it in full)
        np.add.at(e.pressure, awards.enterprise,
                  awards.monthly_value / np.maximum(e.capacity[awards.enterprise], 1.0))
    reserved_value = awards.monthly_value * awards.reserved * (awards.end_month - m.month - 1)
    m.now.reserved_awards_by_territory = np.bincount(
        awards.territory, weights=reserved_value, minlength=w.n_territories)
    m.now.reserved_awards = float(reserved_value.sum())
    m.now.reserved_award_values, m.now.reserved_award_territories = reserved_value, awards.territory
    m.now.reserved_award_buyers = awards.buyer


BUYER_NAMES = np.array([sector.name.lower() for sector in Sector])
# every detail a won tender can have, by [reserved, buyer]: the strings (and the dtype)
# ``np.char.add`` of the two parts gives, built once instead of for each month's awards
TENDER_DETAILS = np.char.add(np.array(["open;buyer=", "reserved;buyer="])[:, None],
                             BUYER_NAMES[None, :])


def tender_details(reserved: np.ndarray, buyer: np.ndarray) -> np.ndarray:
    """A won tender's event detail: reserved or open, and the buyer that tendered the lot
    ("reserved;buyer=state"; the sweep dataset reads them as columns `detail` and `buyer`)."""
    return TENDER_DETAILS[reserved.astype(np.intp), buyer]


def terminate(m, rows: np.ndarray) -> None:
    """The contracts in force of failed structures ``rows`` end this month; their remaining
    work (to each contract's end month) is tendered again at the next clearing, by the
    contract's buyer."""
    w = m.world
    c, e = w.contracts, w.enterprises
    ended = (among(c.enterprise, rows, e.n) & (c.end_month > m.month)).nonzero()[0]
    if ended.size == 0:
        return
    unfinished = ended[c.end_month[ended] > m.month + 1]
    again = w.procurement_market.retender
    w.procurement_market.retender = Lots(
        np.concatenate([again.territory, e.territory[c.enterprise[unfinished]]]),
        np.concatenate([again.monthly_value, c.monthly_value[unfinished]]),
        np.concatenate([again.end_month, c.end_month[unfinished]]),
        np.concatenate([again.reserved, c.reserved[unfinished]]),
        np.concatenate([again.clause, c.clause[unfinished]]),
        np.concatenate([again.buyer, c.buyer[unfinished]]))
    c.end_month[ended] = m.month


def stationary_bid_rate(market: ProcurementMarket, spare, territory_of, alive_idx, expiring,
                        win) -> float:
    """Share of open lots drawing an ESS bid such that the monthly value ESS win on them
    equals ``expiring`` (the monthly value of contracts ending each month): a lot of monthly
    value v = spend's lot / duration goes to an ESS when a local structure bids (the rate),
    can take it on (``deliverable_share`` of the local structures, with ``spare`` as the
    clearing computes it) and wins (``win``)."""
    p = market.params
    value = p.lot_size_eur / p.contract_months
    able = market.deliverable_share(spare, territory_of, alive_idx, value)
    reachable = float((win * market.spend / p.contract_months * able).sum())
    return float(np.clip(expiring / max(reachable, 1e-9), 0.0, 1.0))
