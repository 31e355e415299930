"""The markets phase: consumer, business, industry (ties) and public demand meet capacity.

Rule: each market allocates its demand to enterprises (see its module); an enterprise serves at
most its capacity, pro rata across its households, businesses and contracts; industrial orders
(markets/b2b.py) take only the capacity those leave. Private sales are cashed unevenly month to
month around what was served (a log-normal multiplier of mean 1); public contracts are paid in
full.
The smoothed demand-to-capacity ratio (``pressure``) is what growth and shrinkage read.
"""

from __future__ import annotations

import numpy as np

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
    award_tenders(m)
    public = contracted_work(m)
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


def _sales_shock(m, n: int) -> np.ndarray:
    """Monthly log-normal multiplier of private sales, mean 1 (``sales_volatility``)."""
    sd = m.params.economy.sales_volatility
    return m.streams["markets.sales_shocks"].lognormal(-sd**2 / 2, sd, n)
