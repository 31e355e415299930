"""Business-to-business purchasing on the economic graph, and how firms come to know suppliers.

Brake 1 (mutual ignorance): a firm buys only from ESS suppliers it knows. Each month a firm
discovers one supplier with a probability that rises with its existing ESS ties (referrals) and
with matchmaking; the supplier is drawn from its territory (or a neighbour's). Trust grows with
full delivery and decays otherwise; a tie whose trust reaches zero is lost.

Clearing rule: a CSR-minded firm with at least one trusted tie spends a share of its purchases
on ESS suppliers, split among its ties in proportion to trust × supplier capacity. Other
businesses (offices, retailers) buy from ESS in each territory from a pool shared by capacity.
"""

from __future__ import annotations

import numpy as np

TRUST_TO_BUY = 0.2
NEW_TIE_TRUST = 0.3


class BusinessMarket:
    def __init__(self, generic_pool_by_territory: np.ndarray):
        self.generic_pool = generic_pool_by_territory

    def clear_generic(self, territory, capacity, demand_index) -> np.ndarray:
        totals = np.bincount(territory, weights=capacity, minlength=self.generic_pool.size)
        share = np.divide(capacity, totals[territory], out=np.zeros_like(capacity),
                          where=totals[territory] > 0)
        return self.generic_pool[territory] * demand_index * share

    @staticmethod
    def clear_ties(ties, firms, capacity, n_enterprises, spend_share, spend_boost_by_firm):
        """Industrial purchases from known ESS suppliers, per enterprise and per tie."""
        active = ties.active & (ties.trust >= TRUST_TO_BUY)
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
