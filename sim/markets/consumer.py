"""Household demand for ESS goods (reuse, reconditioned and manufactured products).

Clearing rule: each territory has a pool of household spending on the goods of each ESS sector
at base prices (calibrated at start, growing with the scenario's demand index). It is shared
among the territory's consumer-facing enterprises of that sector in proportion to their consumer
weight (capacity at start, updated as they grow): a workshop of another sector or territory
growing takes none of it. Prices include VAT: with a reduced ESS rate ``r`` and pass-through
``π``, the consumer price per euro of base HT price becomes ``(1+s) - π (s-r)``; quantity responds
with the price elasticity, the HT price keeps the part of the cut not passed on, and the VAT
forgone on covered sales is ``quantity × HT price × (s - r)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ConsumerClearing:
    demand_ht: np.ndarray       # per enterprise, € HT this month
    vat_collected: np.ndarray   # per enterprise, € of VAT paid by households
    vat_forgone: np.ndarray     # per enterprise, € of VAT not collected because of a reduced rate


class ConsumerMarket:
    def __init__(self, pool_by_market: np.ndarray, vat_standard: float, elasticity: float):
        self.pool = pool_by_market  # by territory and sector (``clearing.market_of``)
        self.vat_standard = vat_standard
        self.elasticity = elasticity

    def clear(self, market, weight, labelled, demand_index, ess_vat_rate, pass_through):
        """Allocate each market's pool (territory and sector) to the claims on it; returns HT
        demand and VAT."""
        s = self.vat_standard
        total = np.bincount(market, weights=weight, minlength=self.pool.size)[market]  # once
        share = np.divide(weight, total, out=np.zeros_like(weight), where=total > 0)
        base_units = self.pool[market] * demand_index * share / (1.0 + s)
        # without a reduced ESS rate every claim pays the standard rate: the scalar meets each
        # claim in the same operations an array of it did (the same floats; ``labelled`` may
        # then be None)
        rate = s if ess_vat_rate is None else np.where(labelled, ess_vat_rate, s)
        consumer_price = (1.0 + s) - pass_through * (s - rate)
        quantity = base_units * (consumer_price / (1.0 + s)) ** (-self.elasticity)
        price_ht = consumer_price / (1.0 + rate)
        demand_ht = quantity * price_ht
        return ConsumerClearing(demand_ht, demand_ht * rate, demand_ht * (s - rate))
