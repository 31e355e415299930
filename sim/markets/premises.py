"""Premises: floor space, leases and rents set by land-market tension (brake 4).

Clearing rule: requests for floor space (growth, entry, new site) are served in a random order
within each territory. With a solidarity land trust that gives ESS priority, a request is first
served from the trust's vacant stock at a discounted rent. Otherwise a private landlord accepts an
ESS tenant with the brake's acceptance probability, if vacant stock remains and the rent stays
under the tenant's maximum rent-to-sales ratio. Market rent = base rent × tension × rent index;
a lease keeps its rent, indexed yearly with the scenario's rent inflation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PRIVATE, TRUST = 0, 1


@dataclass
class Leases:
    request: np.ndarray        # index into the request arrays
    stock: np.ndarray          # PRIVATE or TRUST
    rent_m2_yr: np.ndarray


class PremisesMarket:
    def __init__(self, base_rent: float, tension: np.ndarray):
        self.base_rent = base_rent
        self.tension = tension

    def market_rent(self, rent_index: float) -> np.ndarray:
        """€/m²/yr of a new private lease in each territory."""
        return self.base_rent * self.tension * rent_index

    def clear(self, rng, territory, m2, max_rent_m2, vacant, acceptance, effects, rent_index):
        """Serve requests (arrays over requests); ``vacant`` is (2, T): private and trust stock."""
        n = territory.size
        if n == 0:
            return Leases(np.zeros(0, np.int64), np.zeros(0, np.int8), np.zeros(0))
        order = rng.permutation(n)
        accept_draw = rng.random(n)
        market = self.market_rent(rent_index)
        stock_left = vacant.copy()
        served, stocks, rents = [], [], []
        for r in order:  # requests are few per month; sequential clearing keeps stocks exact
            t = territory[r]
            trust_rent = market[t] * (1.0 - effects.trust_rent_discount[t])
            if effects.trust_priority[t] > 0 and stock_left[TRUST, t] >= m2[r] \
                    and trust_rent <= max_rent_m2[r]:
                stock_left[TRUST, t] -= m2[r]
                served.append(r), stocks.append(TRUST), rents.append(trust_rent)
            elif stock_left[PRIVATE, t] >= m2[r] and accept_draw[r] < acceptance \
                    and market[t] <= max_rent_m2[r]:
                stock_left[PRIVATE, t] -= m2[r]
                served.append(r), stocks.append(PRIVATE), rents.append(market[t])
        return Leases(np.asarray(served, np.int64), np.asarray(stocks, np.int8),
                      np.asarray(rents, float))
