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
        trust_rent = market * (1.0 - effects.trust_rent_discount)
        t = territory[order]
        wants_trust = (effects.trust_priority[t] > 0) & (trust_rent[t] <= max_rent_m2[order])
        wants_private = (accept_draw[order] < acceptance) & (market[t] <= max_rent_m2[order])
        # stocks are rationed where land is tense, so each request sees what earlier ones left:
        # a loop, over plain lists (a request costs ~1 µs; most months see a few hundred)
        stock = np.full(n, -1, dtype=np.int8)
        left = vacant.tolist()
        for i, (here, need, trust_ok, private_ok) in enumerate(zip(
                t.tolist(), m2[order].tolist(), wants_trust.tolist(), wants_private.tolist(),
                strict=True)):
            if trust_ok and left[TRUST][here] >= need:
                left[TRUST][here] -= need
                stock[i] = TRUST
            elif private_ok and left[PRIVATE][here] >= need:
                left[PRIVATE][here] -= need
                stock[i] = PRIVATE
        served = np.flatnonzero(stock >= 0)
        rents = np.where(stock[served] == TRUST, trust_rent[t[served]], market[t[served]])
        return Leases(order[served], stock[served], rents)
