"""Credit: applications, screening, repayment and defaults (brake 3).

Clearing rule: each application is approved with the finance brake's probability (legal form,
size, youth, losses, and purpose: an overdraft is short-term credit). Where a guarantee fund
operates (impact finance lever) it offers to cover a share of a loan to a borrower the bank
judges viable (profitable, within the debt ceiling), which lowers the bank's loss given default:
the bank then lends to viable applicants it refused for want of collateral, never to a
non-viable one; those loans, and only those, carry the guarantee (no cover of loans the bank
would make anyway). The borrower pays the fund's fee. An approved loan is an annuity at the
scenario's rate plus a spread, paid monthly.

A structure refused cash first pays its suppliers late: they carry its shortfall up to the
trade credit they grant (``trade_credit_months`` of its purchases, the legal payment terms).
Beyond that it misses its bank instalments; a loan defaults after ``arrears_default_months``
of such months in a row, or at failure; the fund then pays the bank the guaranteed share (a
call). A borrower in arrears that survives has its debt rescheduled, the fund's called share
becoming the fund's claim on it. (The ledger books the whole shortfall as payables to
suppliers; only the timing of a default reads where the trade credit ends.)

Impact equity: a cooperative or association may not take outside equity unless the holding
route (impact finance lever) opens it. Investors' stakes are claims in the loan table repaid
with a below-market return, paid only out of profits (deferred while loss-making) and not
counted as debt by banks; through a holding, public investors take a share.

The credit phase functions: ``finance_cash_shortfalls`` (overdrafts, payables, arrears),
``grant_loans``, ``raise_equity``, ``service_loans`` (settlement) and ``default_loans``
(failures); money moves through the ledger.
"""

from __future__ import annotations

import numpy as np

from sim.events import EventKind
from sim.ledger import Sector
from sim.state import among

EQUITY_LENDERS = (Sector.IMPACT_INVESTORS, Sector.PUBLIC_INVESTMENT_BANK)
# Whether a lender (a ``Sector`` value) takes stakes rather than lending: a lookup instead of
# ``np.isin(lenders, EQUITY_LENDERS)``, the same mask (~30 µs less a call, twice a month).
_IS_EQUITY_LENDER = np.isin(np.arange(max(Sector) + 1), EQUITY_LENDERS)
SERVICE_FLOWS = {Sector.BANKS: "loan_service", Sector.GUARANTEE_FUND: "guarantee_recoveries",
                 Sector.IMPACT_INVESTORS: "impact_equity_return",
                 Sector.PUBLIC_INVESTMENT_BANK: "public_equity_return"}

FORM_FACTOR_KEYS = {"firm": None, "cooperative": "cooperative_factor",
                    "association": "association_factor"}


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

    def screen(self, rng, form, young, loss_making, guarantee_cover, jobs=None,
               short_term=False, leverage=None, needs_cover=None) -> np.ndarray:
        """Approval decisions for a batch of applications (``guarantee_cover``: share of the
        loan a guarantee fund would cover; ``jobs``: applicants' headcount; ``short_term``: an
        overdraft rather than an investment loan; ``leverage``: debt in months of sales
        capacity). ``needs_cover``, if given, is filled with the approvals the bank grants only
        because of the cover."""
        small = False if jobs is None else np.asarray(jobs) < self.brake.small_firm_jobs
        form_factor = self.form_factor[form]
        p = self.brake.approval_probability(form_factor, young, loss_making, guarantee_cover,
                                            small, short_term, leverage)
        draw = rng.random(np.asarray(form).size)
        if needs_cover is not None:
            if np.any(guarantee_cover):
                uncovered = self.brake.approval_probability(form_factor, young, loss_making,
                                                            0.0, small, short_term, leverage)
                needs_cover[:] = (draw < p) & (draw >= uncovered)
            else:  # no cover: the odds without it are ``p`` itself, so no approval needs it
                needs_cover[:] = False
        return draw < p

    def terms(self, principal, interest_rate_month, months):
        """Monthly payment and rate of a loan: the scenario's rate plus the banks' spread."""
        rate = interest_rate_month + self.brake.loan_spread_yr / 12.0
        return annuity(principal, rate, months), rate


# --- the credit phase functions -----------------------------------------------------------------
def repayment_base(w, rows) -> np.ndarray:
    """Monthly income a bank counts against debt (the debt ceiling's months): sales capacity
    and, for a chantier d'insertion, its co-funders' convention, which stands in its budget for
    the sales it may not make (``sim.agents.ess.calibrate_productivity``); at least 1 €."""
    e = w.enterprises
    cofunding = e.cofunding_per_fte[rows] * e.insertion[rows] * w.forms.fte[e.form[rows]]
    return np.maximum(e.capacity[rows] + cofunding, 1.0)


def screen_applications(m, rng, rows, jobs, leverage, short_term=False) -> np.ndarray:
    """The bank's decisions on applications by enterprises ``rows`` (through
    ``world.credit_market.screen``, which validation instruments). Borrowers approved only
    thanks to a guarantee are noted in the month record: their loan will carry it."""
    e = m.world.enterprises
    cover = m.effects.credit.guarantee_share[e.territory[rows]]
    needs_cover = np.zeros(np.asarray(rows).size, dtype=bool)
    approved = m.world.credit_market.screen(
        rng, e.form[rows], m.month - e.founded[rows] < m.params.finance.young_months,
        e.loss_making[rows], cover, jobs=jobs, short_term=short_term, leverage=leverage,
        needs_cover=needs_cover)
    if needs_cover.any():
        m.now.needs_cover = np.union1d(m.now.needs_cover, np.asarray(rows)[needs_cover])
    return approved


def grant_loans(m, enterprises_idx, principal, months: int, purpose: str) -> None:
    """Open loans (an annuity) and pay them out. A loan the bank grants only because a
    guarantee fund covers it (a viable borrower it would have refused for want of collateral)
    carries the guarantee; the borrower pays the fund's fee out of the loan, which the bank
    raises by that fee."""
    if enterprises_idx.size == 0:
        return
    w, fx = m.world, m.effects.credit
    territory = w.enterprises.territory[enterprises_idx]
    if m.now.needs_cover.size:
        covered = np.isin(enterprises_idx, m.now.needs_cover)
        m.now.needs_cover = np.setdiff1d(m.now.needs_cover, enterprises_idx)
    else:  # the usual case: no approval this month waits on a guarantee (same values, no sort)
        covered = np.zeros(enterprises_idx.size, dtype=bool)
    guaranteed = fx.guarantee_share[territory] * covered
    fee_share = guaranteed * fx.guarantee_fee_rate[territory]
    principal = principal / (1.0 - fee_share)  # net of the fee, the borrower gets its need
    payment, rate = w.credit_market.terms(principal, m.conditions.interest_rate_month, months)
    _open_claims(w, enterprises_idx, principal, payment, rate, Sector.BANKS, guaranteed)
    w.ledger.pay_sector_to_enterprises(Sector.BANKS, enterprises_idx, principal,
                                       f"loan_{purpose}")
    if fee_share.any():
        fees = principal * fee_share
        w.ledger.pay_enterprises_to_sector(enterprises_idx, fees, Sector.GUARANTEE_FUND,
                                           "guarantee_fees")
        np.add.at(m.now.guarantee_fees_by_territory, territory, fees)
    m.events.record(m.month, EventKind.LOAN_GRANTED, enterprises_idx, territory, purpose)


def _open_claims(w, rows, principal, payment, rate, lender: Sector, guaranteed=0.0) -> None:
    w.loans.append(np.asarray(rows).size, open=True, enterprise=rows, outstanding=principal,
                   payment=payment, rate_month=rate, guaranteed=guaranteed, lender=int(lender))


def raise_equity(m, rows, amounts) -> None:
    """Investors buy a stake for ``amounts`` (an expansion): a claim repaid with the impact
    return over ``impact_equity_months``, out of profits only. Through a holding (a closed
    legal form), public investors take ``public_equity_share`` of the round."""
    if rows.size == 0:
        return
    w, params = m.world, m.params
    e = w.enterprises
    holding = ~w.forms.outside_equity[e.form[rows]]
    public = m.effects.credit.public_equity_share[e.territory[rows]] * holding
    rate = np.full(rows.size, params.impact_equity_return_yr / 12.0)
    for lender, share in ((Sector.IMPACT_INVESTORS, 1.0 - public),
                          (Sector.PUBLIC_INVESTMENT_BANK, public)):
        take = share > 0
        if not take.any():
            continue
        stake = amounts[take] * share[take]
        _open_claims(w, rows[take], stake, annuity(stake, rate[take],
                                                   params.impact_equity_months),
                     rate[take], lender)
        w.ledger.pay_sector_to_enterprises(lender, rows[take], stake,
                                           SERVICE_FLOWS[lender].replace("_return", ""))
    e.equity_raised[rows] += amounts


def finance_cash_shortfalls(m) -> None:
    """Treasury credit: a shortfall asks for an overdraft, screened as brake 3 screens loans
    (lifting the brake, which is about investment finance, leaves it as is); refusal means
    unpaid suppliers (payables) and, after repeated refusals, failure."""
    w = m.world
    e, L = w.enterprises, w.ledger
    cash = L.cash_view(e.n)
    short = np.flatnonzero((cash < 0) & e.alive)
    if short.size:
        approved = screen_applications(
            m, m.streams["credit.overdraft"], short,
            e.permanent[short] + e.insertion[short] + e.adapted[short],
            e.debt[short] / repayment_base(w, short), short_term=True)
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
    _count_bank_arrears(m)
    default_in_arrears(m)


def _count_bank_arrears(m) -> None:
    """Months in a row each structure has owed its suppliers more than the trade credit they
    grant (``trade_credit_months`` of this month's purchases): months its bank instalments go
    unpaid."""
    e = m.world.enterprises
    trade_credit = m.params.finance.trade_credit_months * m.now.accounts["materials"]
    beyond = e.alive & (e.payables > trade_credit)
    e.arrears_months[:] = np.where(beyond, e.arrears_months + 1, 0)


def service_loans(m) -> np.ndarray:
    """Monthly instalments to each creditor; an investor's stake is paid only by a structure
    in profit (deferred, with its return accruing, while loss-making). Returns each
    enterprise's service (€); its debt counts bank loans and the fund's claims, not stakes."""
    w = m.world
    loans, n = w.loans, w.enterprises.n
    live = loans.open.nonzero()[0]
    outstanding = loans.outstanding[live]  # each column gathered once over the open loans
    interest = outstanding * loans.rate_month[live]
    payment = np.minimum(loans.payment[live], outstanding + interest)
    owner, lenders = loans.enterprise[live], loans.lender[live]
    stake = _IS_EQUITY_LENDER[lenders]
    payment[stake & w.enterprises.loss_making[owner]] = 0.0
    outstanding -= payment - interest
    loans.outstanding[live] = outstanding
    repaid = outstanding <= 1e-6
    done = live[repaid]
    loans.open[done] = False
    loans.outstanding[done] = 0.0
    _pay_lenders(m, owner, lenders, payment)
    service = np.bincount(owner, weights=payment, minlength=n)
    # the debt ``_debt`` counts: the loans still open that are not stakes, in the same order
    owed = ~(stake | repaid)
    w.enterprises.debt[:] = np.bincount(owner[owed], weights=outstanding[owed], minlength=n)
    return service


def _pay_lenders(m, owner, lenders, payment) -> None:
    """Each lender is paid its instalments, lenders in ascending order (``np.unique``'s, here
    marked, not sorted); a single lender (the usual month: banks only) takes every row as is."""
    w = m.world
    present = np.bincount(lenders, minlength=1).nonzero()[0].tolist()
    for lender in present:
        if len(present) == 1:
            paid_owner, paid = owner, payment
        else:
            at = (lenders == lender).nonzero()[0]
            paid_owner, paid = owner[at], payment[at]
        sector = Sector(lender)
        w.ledger.pay_enterprises_to_sector(paid_owner, paid, sector, SERVICE_FLOWS[sector])
        if sector == Sector.GUARANTEE_FUND:
            np.add.at(m.now.guarantee_recoveries_by_territory,
                      w.enterprises.territory[paid_owner], paid)


def _debt(w) -> np.ndarray:
    loans = w.loans
    owed = loans.open & ~_IS_EQUITY_LENDER[loans.lender]
    return np.bincount(loans.enterprise[owed], weights=loans.outstanding[owed],
                       minlength=w.enterprises.n)


def outstanding_claims(w) -> np.ndarray:
    """(enterprises,): what each enterprise owes on its open loans, claims and stakes."""
    loans = w.loans
    owed = loans.open
    return np.bincount(loans.enterprise[owed], weights=loans.outstanding[owed],
                       minlength=w.enterprises.n)


def settle_loans(m, rows) -> None:
    """Enterprises ``rows`` dissolving while solvent pay every open loan, claim and stake off
    to its lender (no guarantee called, nothing written off)."""
    w = m.world
    loans = w.loans
    settled = np.flatnonzero(loans.open & among(loans.enterprise, rows, w.enterprises.n))
    owner, lenders = loans.enterprise[settled], loans.lender[settled]
    for lender in np.unique(lenders):
        paid = np.flatnonzero(lenders == lender)
        amounts = loans.outstanding[settled[paid]]
        w.ledger.pay_enterprises_to_sector(owner[paid], amounts, Sector(lender),
                                           SERVICE_FLOWS[Sector(lender)])
        if lender == Sector.GUARANTEE_FUND:
            np.add.at(m.now.guarantee_recoveries_by_territory,
                      w.enterprises.territory[owner[paid]], amounts)
    loans.open[settled] = False
    loans.outstanding[settled] = 0.0
    w.enterprises.debt[rows] = 0.0


def _call_guarantees(m, bad) -> np.ndarray:
    """The fund pays the banks the guaranteed share of defaulted loans ``bad``; returns it."""
    w = m.world
    loans, territory = w.loans, w.enterprises.territory
    covered = loans.outstanding[bad] * loans.guaranteed[bad]
    if covered.any():
        w.ledger.pay_sector_to_sector(Sector.GUARANTEE_FUND, Sector.BANKS, covered.sum(),
                                      "guarantee_calls")
        m.now.guarantee_calls += covered.sum()
        np.add.at(m.now.guarantee_calls_by_territory, territory[loans.enterprise[bad]],
                  covered)
    return covered


def default_in_arrears(m) -> None:
    """Borrowers that have missed ``arrears_default_months`` bank instalments in a row (owing
    their suppliers more than the trade credit they grant for that long) default without
    failing: the guarantees are called, and the bank
    reschedules its uncovered share over ``restructure_months`` while the fund, subrogated,
    recovers the share it paid on the same terms."""
    w, finance = m.world, m.params.finance
    e, loans = w.enterprises, w.loans
    rows = (e.alive & (e.arrears_months == finance.arrears_default_months)).nonzero()[0]
    if rows.size == 0:  # no borrower in default: no loan to look up
        return
    bad = np.flatnonzero(loans.open & (loans.lender == Sector.BANKS)
                         & among(loans.enterprise, rows, e.n))
    if bad.size == 0:
        return
    covered = _call_guarantees(m, bad)
    owed = loans.outstanding[bad]
    borrower, rate = loans.enterprise[bad], loans.rate_month[bad]
    loans.open[bad] = False
    loans.outstanding[bad] = 0.0
    months = finance.restructure_months
    _open_claims(w, borrower, owed - covered, annuity(owed - covered, rate, months), rate,
                 Sector.BANKS)
    called = (covered > 0).nonzero()[0]
    if called.size:  # (no guarantee called: no claim to open, ``Table.append`` of 0 rows)
        _open_claims(w, borrower[called], covered[called],
                     annuity(covered[called], rate[called], months), rate[called],
                     Sector.GUARANTEE_FUND)
    m.events.record(m.month, EventKind.LOAN_DEFAULT, borrower, e.territory[borrower], "arrears")


def default_loans(m, rows) -> None:
    """Failed enterprises' claims default: the guarantee fund pays the banks its share of
    their loans; the fund's own claims and investors' stakes are lost (public investors'
    losses recorded for the lever's cost)."""
    w = m.world
    loans, territory = w.loans, w.enterprises.territory
    bad = np.flatnonzero(loans.open & among(loans.enterprise, rows, w.enterprises.n))
    bank = bad[loans.lender[bad] == Sector.BANKS]
    _call_guarantees(m, bank)
    public = bad[loans.lender[bad] == Sector.PUBLIC_INVESTMENT_BANK]
    np.add.at(m.now.public_equity_losses_by_territory, territory[loans.enterprise[public]],
              loans.outstanding[public])
    m.events.record(m.month, EventKind.LOAN_DEFAULT, loans.enterprise[bank],
                    territory[loans.enterprise[bank]])
    loans.open[bad] = False
    loans.outstanding[bad] = 0.0
    w.enterprises.debt[rows] = 0.0
