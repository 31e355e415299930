"""Credit: applications, screening, repayment and defaults (brake 3).

Clearing rule: each application is approved with the finance brake's probability (legal form,
size, youth, losses, and purpose: an overdraft is short-term credit), raised by guarantees; an
approved loan is an annuity at the scenario's rate plus a spread, paid monthly. A cooperative or
association may not take outside equity unless the holding route (impact finance lever) opens it.
When an enterprise fails, its outstanding loans default: a guaranteed share is paid to the bank
by the guarantee fund.
"""

from __future__ import annotations

import numpy as np

FORM_FACTOR_KEYS = {"firm": None, "cooperative": "cooperative_factor",
                    "association": "association_factor"}
LENDER_BANK = 0
SPREAD_YR = 0.015
YOUNG_MONTHS = 36
SMALL_FIRM_JOBS = 10  # "très petite entreprise" (Insee, Banque de France): < 10 employees


def annuity(principal, rate_month, months):
    """Monthly payment of a loan repaid in equal instalments."""
    rate_month = np.asarray(rate_month, dtype=float)
    factor = np.where(rate_month > 0, rate_month / (1.0 - (1.0 + rate_month) ** (-months)),
                      1.0 / months)
    return principal * factor


class CreditMarket:
    def __init__(self, brake, form_factor_by_form: np.ndarray):
        self.brake = brake
        self.form_factor = form_factor_by_form

    def screen(self, rng, form, young, loss_making, guarantee_boost, jobs=None,
               short_term=False, leverage=None) -> np.ndarray:
        """Approval decisions for a batch of applications (``jobs``: applicants' headcount;
        ``short_term``: an overdraft rather than an investment loan; ``leverage``: debt in
        months of sales capacity)."""
        small = False if jobs is None else np.asarray(jobs) < SMALL_FIRM_JOBS
        p = self.brake.approval_probability(self.form_factor[form], young, loss_making,
                                            guarantee_boost, small, short_term, leverage)
        return rng.random(np.asarray(form).size) < p

    @staticmethod
    def terms(principal, interest_rate_month, months):
        rate = interest_rate_month + SPREAD_YR / 12.0
        return annuity(principal, rate, months), rate
