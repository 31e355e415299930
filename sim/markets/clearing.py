"""The markets phase: consumer, business, industry (ties) and public demand meet capacity.

Rule: each market allocates its demand to enterprises (see its module); an enterprise serves at
most its capacity, pro rata across its markets. Private sales are cashed unevenly month to month
around what was served (a log-normal multiplier of mean 1); public contracts are paid in full.
The smoothed demand-to-capacity ratio (``pressure``) is what growth and shrinkage read.
"""

from __future__ import annotations

import numpy as np

from sim.markets.b2b import BusinessMarket
from sim.markets.procurement import award_tenders, contracted_work


def clear_markets(m) -> None:
    """Consumer, business, industry (ties) and public demand meet capacity."""
    w, conditions, effects = m.world, m.conditions, m.effects
    e, n = w.enterprises, w.enterprises.n
    consumer = w.consumer_market.clear(
        e.territory, e.consumer_weight * e.alive, w.forms.labelled[e.form],
        conditions.demand_index, effects.consumer.ess_vat_rate, effects.consumer.vat_pass_through)
    generic = w.business_market.clear_generic(e.territory, e.business_weight * e.alive,
                                              conditions.demand_index)
    boost = effects.ties.spend_boost[w.firms.territory]
    tie_demand, m.now.tie_spend = BusinessMarket.clear_ties(
        w.ties.table, w.firms, e.capacity, n, w.business_market.tie_spend_share, boost,
        m.params.mutual_ignorance.trust_to_buy)
    award_tenders(m)
    public = contracted_work(m)
    demand = (consumer.demand_ht + generic + tie_demand + public) * e.alive
    served = np.divide(np.minimum(demand, e.capacity), demand, out=np.zeros(n),
                       where=demand > 0)
    # private sales are cashed unevenly month to month (lumpy orders, seasonality, late
    # payers) around what was served: cash strain without a bias on margins or growth
    shock = _sales_shock(m, n)
    e.demand[:] = demand
    e.sales[:] = ((consumer.demand_ht + generic + tie_demand) * shock + public) * served
    e.procurement_sales[:] = public * served
    ratio = np.divide(demand, e.capacity, out=np.ones(n), where=e.capacity > 0)
    smoothing = m.params.economy.pressure_smoothing
    e.pressure[:] = (1 - smoothing) * e.pressure + smoothing * ratio
    m.now.served = served
    private = shock * served
    m.now.sales_parts = {
        "consumer": consumer.demand_ht * private, "vat": consumer.vat_collected * private,
        "vat_forgone": consumer.vat_forgone * private, "business": generic * private,
        "industry": tie_demand * private, "public": public * served,
    }


def _sales_shock(m, n: int) -> np.ndarray:
    """Monthly log-normal multiplier of private sales, mean 1 (``sales_volatility``)."""
    sd = m.params.economy.sales_volatility
    return m.streams["markets.sales_shocks"].lognormal(-sd**2 / 2, sd, n)
