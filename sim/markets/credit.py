"""Credit: applications, screening, repayment and defaults (brake 3).

Clearing rule: each application is approved with the finance brake's probability (legal form,
size, youth, losses, and purpose: an overdraft is short-term credit), raised by guarantees; an
approved loan is an annuity at the scenario's rate plus a spread, paid monthly. A cooperative or
association may not take outside equity unless the holding route (impact finance lever) opens it.
When an enterprise fails, its outstanding loans default: a guaranteed share is paid to the bank
by the guarantee fund.

The credit phase functions: ``finance_cash_shortfalls`` (overdrafts, payables), ``grant_loans``,
``service_loans`` (settlement) and ``default_loans`` (failures); money moves through the ledger.
"""

from __future__ import annotations

import numpy as np

from sim.brakes import FinanceAccess
from sim.events import EventKind
from sim.ledger import Sector
from sim.state import among

FORM_FACTOR_KEYS = {"firm": None, "cooperative": "cooperative_factor",
                    "association": "association_factor"}
SMALL_FIRM_JOBS = FinanceAccess.small_firm_jobs  # the default, read by sim.validation


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
        small = False if jobs is None else np.asarray(jobs) < self.brake.small_firm_jobs
        p = self.brake.approval_probability(self.form_factor[form], young, loss_making,
                                            guarantee_boost, small, short_term, leverage)
        return rng.random(np.asarray(form).size) < p

    def terms(self, principal, interest_rate_month, months):
        """Monthly payment and rate of a loan: the scenario's rate plus the banks' spread."""
        rate = interest_rate_month + self.brake.loan_spread_yr / 12.0
        return annuity(principal, rate, months), rate


# --- the credit phase functions -----------------------------------------------------------------
def screen_applications(m, rng, rows, jobs, leverage, short_term=False) -> np.ndarray:
    """The bank's decisions on applications by enterprises ``rows`` (through
    ``world.credit_market.screen``, which validation instruments)."""
    e = m.world.enterprises
    return m.world.credit_market.screen(
        rng, e.form[rows], m.month - e.founded[rows] < m.params.finance.young_months,
        e.loss_making[rows],
        m.effects.credit.guarantee_boost[e.territory[rows]], jobs=jobs, short_term=short_term,
        leverage=leverage)


def grant_loans(m, enterprises_idx, principal, months: int, purpose: str) -> None:
    """Open loans (an annuity, guaranteed where a guarantee lever reaches) and pay them out."""
    if enterprises_idx.size == 0:
        return
    w = m.world
    payment, rate = w.credit_market.terms(principal, m.conditions.interest_rate_month, months)
    guaranteed = m.effects.credit.guarantee_share[w.enterprises.territory[enterprises_idx]]
    w.loans.append(enterprises_idx.size, open=True, enterprise=enterprises_idx,
                   outstanding=principal, payment=payment, rate_month=rate,
                   guaranteed=guaranteed)
    w.ledger.pay_sector_to_enterprises(Sector.BANKS, enterprises_idx, principal,
                                       f"loan_{purpose}")
    m.events.record(m.month, EventKind.LOAN_GRANTED, enterprises_idx,
                    w.enterprises.territory[enterprises_idx], purpose)


def finance_cash_shortfalls(m) -> None:
    """Brake 3 on cash flow: a shortfall asks for an overdraft; refusal means unpaid
    suppliers (payables) and, after repeated refusals, failure."""
    w = m.world
    e, L = w.enterprises, w.ledger
    cash = L.cash_view(e.n)
    short = np.flatnonzero((cash < 0) & e.alive)
    if short.size:
        approved = screen_applications(
            m, m.streams["credit.overdraft"], short,
            e.permanent[short] + e.insertion[short] + e.adapted[short],
            e.debt[short] / np.maximum(e.capacity[short], 1.0), short_term=True)
        need = -cash[short]
        finance = m.params.finance
        grant_loans(m, short[approved], need[approved] * finance.overdraft_headroom,
                    finance.overdraft_months, "overdraft")
        refused = short[~approved]
        m.events.record(m.month, EventKind.LOAN_REFUSED, refused, e.territory[refused],
                        "overdraft")
        unpaid = -cash[refused]  # read before the transfer: ``cash`` is a live view
        L.pay_sector_to_enterprises(Sector.SUPPLIERS, refused, unpaid, "payables")
        e.payables[refused] += unpaid
        e.refused_months[refused] += 1
        e.refused_months[short[approved]] = 0
    solvent = np.flatnonzero((cash > 0) & (e.payables > 0))
    repay = np.minimum(cash[solvent], e.payables[solvent])
    L.pay_enterprises_to_sector(solvent, repay, Sector.SUPPLIERS, "payables_repaid")
    e.payables[solvent] -= repay
    cleared = solvent[e.payables[solvent] <= 1e-6]
    e.refused_months[cleared] = 0


def service_loans(m) -> np.ndarray:
    """Monthly instalments to the banks; returns each enterprise's loan service (€)."""
    w = m.world
    loans, n = w.loans, w.enterprises.n
    live = np.flatnonzero(loans.open)
    interest = loans.outstanding[live] * loans.rate_month[live]
    payment = np.minimum(loans.payment[live], loans.outstanding[live] + interest)
    loans.outstanding[live] -= payment - interest
    done = live[loans.outstanding[live] <= 1e-6]
    loans.open[done] = False
    loans.outstanding[done] = 0.0
    w.ledger.pay_enterprises_to_sector(loans.enterprise[live], payment, Sector.BANKS,
                                       "loan_service")
    service = np.bincount(loans.enterprise[live], weights=payment, minlength=n)
    w.enterprises.debt[:] = np.bincount(loans.enterprise[loans.open],
                                        weights=loans.outstanding[loans.open], minlength=n)
    return service


def default_loans(m, rows) -> None:
    """Failed enterprises' loans default; the guarantee fund pays the banks its share."""
    w = m.world
    loans, territory = w.loans, w.enterprises.territory
    bad = np.flatnonzero(loans.open & among(loans.enterprise, rows, w.enterprises.n))
    covered = loans.outstanding[bad] * loans.guaranteed[bad]
    w.ledger.pay_sector_to_sector(Sector.GUARANTEE_FUND, Sector.BANKS, covered.sum(),
                                  "guarantee_calls")
    m.now.guarantee_calls += covered.sum()
    np.add.at(m.now.guarantee_calls_by_territory, territory[loans.enterprise[bad]], covered)
    m.events.record(m.month, EventKind.LOAN_DEFAULT, loans.enterprise[bad],
                    territory[loans.enterprise[bad]])
    loans.open[bad] = False
    loans.outstanding[bad] = 0.0
    w.enterprises.debt[rows] = 0.0
