"""The markets phase: consumer, business, industry (ties) and public demand meet capacity.

Rule: each market allocates its demand to enterprises (see its module); households' and
businesses' pools are kept by territory and ESS sector (``market_of``: a household buying
reconditioned goods does not buy subcontracting) and shared among the claims of that sector in
that territory: an enterprise's claim where it is based, and the claim of each site it opened in
another territory (``claims``), so a site draws on, and is booked against, the pools of the
territory it stands in, and an enterprise growing in one sector or territory takes no clients
from another's. An enterprise serves at
most its capacity, pro rata across its households, businesses and contracts; industrial orders
(markets/b2b.py) take only the capacity those leave. Private sales are cashed unevenly month to
month around what was served (a log-normal multiplier of mean 1); public contracts are paid in
full, each by the buyer that tendered it (``public_sales_by_buyer``).
The smoothed demand-to-capacity ratio (``pressure``) is what growth and shrinkage read.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.markets.consumer import ConsumerClearing
from sim.markets.procurement import award_tenders, contracted_work_with_buyers
from sim.vocabulary import SECTORS


class Claims(NamedTuple):
    """Claims on the territories' households' and businesses' pools: each live enterprise's at home
    (its row), then each open site's away from home, with the enterprise that owns it and the
    market (territory and sector, ``market_of``) the claim is on."""

    owner: np.ndarray
    territory: np.ndarray
    consumer: np.ndarray
    business: np.ndarray
    market: np.ndarray


def market_of(territory: np.ndarray, sector: np.ndarray) -> np.ndarray:
    """Index of the households' and businesses' pool of an ESS sector in a territory (pools
    hold ``n_territories × len(SECTORS)`` markets)."""
    return np.asarray(territory, dtype=np.int64) * len(SECTORS) + sector


def n_markets(n_territories: int) -> int:
    return n_territories * len(SECTORS)


def per_territory(by_market: np.ndarray) -> np.ndarray:
    """A pool by market summed over the sectors of each territory."""
    return by_market.reshape(-1, len(SECTORS)).sum(axis=1)


def claims(world) -> Claims:
    """Every live claim: enterprises' at home, and their open sites' where the site stands (a
    site's claim is zero unless it was opened in another territory; it ends when the site
    closes or its enterprise fails)."""
    e, s = world.enterprises, world.sites
    # Only live enterprises' rows: a failed one's claim was zero, and every use of the claims
    # is element by element or a sequential sum (``np.bincount``), where adding a zero changes
    # no bit; so dropping them gives the same numbers, at a cost that stays with the live rows.
    home = e.alive.nonzero()[0]
    away = (s.open & ((s.consumer_weight > 0) | (s.business_weight > 0))).nonzero()[0]
    away = away[e.alive[s.enterprise[away]]]
    rows = np.concatenate([home, s.enterprise[away]])
    territory = np.concatenate([e.territory[home], s.territory[away]])
    return Claims(rows, territory,
                  np.concatenate([e.consumer_weight[home], s.consumer_weight[away]]),
                  np.concatenate([e.business_weight[home], s.business_weight[away]]),
                  market_of(territory, e.sector[rows]))


def _per_enterprise(c: Claims, values: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(c.owner, weights=values, minlength=n)


def clear_markets(m) -> None:
    """Consumer, business, industry (ties) and public demand meet capacity."""
    w, conditions, effects = m.world, m.conditions, m.effects
    e, n = w.enterprises, w.enterprises.n
    c = claims(w)
    vat_rate = effects.consumer.ess_vat_rate
    labelled = None if vat_rate is None else w.forms.labelled[e.form[c.owner]]
    by_claim = w.consumer_market.clear(c.market, c.consumer, labelled, conditions.demand_index,
                                       vat_rate, effects.consumer.vat_pass_through)
    consumer = ConsumerClearing(*(_per_enterprise(c, part, n) for part in (
        by_claim.demand_ht, by_claim.vat_collected, by_claim.vat_forgone)))
    generic = _per_enterprise(c, w.business_market.clear_generic(
        c.market, c.business, conditions.demand_index), n)
    award_tenders(m)
    public, public_by_buyer = contracted_work_with_buyers(m)
    other = (consumer.demand_ht + generic + public) * e.alive
    served_other = np.divide(np.minimum(other, e.capacity), other, out=np.zeros(n),
                             where=other > 0)
    # industrial orders take the capacity left once contracts and regular clients are served
    spare = np.maximum(e.capacity - other, 0.0) * e.alive
    purchasing = w.industrial_purchasing
    orders = purchasing.clear(w.ties.table, w.firms, e.sector, spare,
                              purchasing.buyers(w.firms, effects.ties.committed_buyers),
                              m.params.mutual_ignorance.trust_to_buy)
    m.now.tie_spend, m.now.tie_delivered = orders.tie_ordered, orders.tie_delivered
    demand = other + orders.ordered
    served = np.divide(np.minimum(other, e.capacity) + orders.delivered, demand,
                       out=np.zeros(n), where=demand > 0)
    # private sales are cashed unevenly month to month (lumpy orders, seasonality, late
    # payers) around what was served: cash strain without a bias on margins or growth
    shock = _sales_shock(m, n)
    e.demand[:] = demand
    e.sales[:] = (((consumer.demand_ht + generic) * shock + public) * served_other
                  + orders.delivered * shock)
    e.procurement_sales[:] = public * served_other
    ratio = np.divide(demand, e.capacity, out=np.ones(n), where=e.capacity > 0)
    smoothing = m.params.economy.pressure_smoothing
    e.pressure[:] = (1 - smoothing) * e.pressure + smoothing * ratio
    m.now.served = served
    private = shock * served_other
    m.now.sales_parts = {
        "consumer": consumer.demand_ht * private, "vat": consumer.vat_collected * private,
        "vat_forgone": consumer.vat_forgone * private, "business": generic * private,
        "industry": orders.delivered * shock, "public": public * served_other,
    }
    # the same public sales by buyer: each contract is served as its holder's others are
    m.now.public_sales_by_buyer = {buyer: work * served_other
                                   for buyer, work in public_by_buyer.items()}


def _sales_shock(m, n: int) -> np.ndarray:
    """Monthly log-normal multiplier of private sales, mean 1 (``sales_volatility``): one per
    enterprise ever created (by serial), so the draws do not depend on compaction."""
    sd = m.params.economy.sales_volatility
    e = m.world.enterprises
    return m.streams["markets.sales_shocks"].lognormal(-sd**2 / 2, sd, e.appended)[e.serial]
