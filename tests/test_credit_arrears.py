"""Defaults without failure: a structure refused cash pays its suppliers late first; only when
it owes them more than the trade credit they grant does it miss its bank instalments, and after
``arrears_default_months`` such months in a row its loans default (issue 13)."""

from __future__ import annotations

import numpy as np

from sim.config import load_config
from sim.ledger import Sector
from sim.markets import credit
from sim.model import EcosystemModel
from sim.month import Month

FAST = ("territory=tiny", "horizon_months=24", "progress=false")


def _borrower():
    """A model a month in, one live structure with a bank loan, this month's purchases known
    and its overdrafts always refused."""
    m = EcosystemModel(load_config(FAST), rng=3)
    m.step()
    m.now = Month(m.month, m.world.n_territories)
    e = m.world.enterprises
    # a structure with no other loan and nothing owed (the settled start holds indebted ones)
    row = np.flatnonzero(e.alive & (e.debt == 0) & (e.payables == 0) & (e.arrears_months == 0))[:1]
    credit.grant_loans(m, row, np.array([50_000.0]), 60, "investment")
    purchases = np.zeros(e.n)
    purchases[row] = 10_000.0
    m.now.accounts = {"materials": purchases}
    m.world.credit_market.screen = lambda rng, form, *a, **k: np.zeros(np.size(form), bool)
    return m, row


def _month_short_of(m, row, shortfall) -> None:
    """The structure ends the month ``shortfall`` € short of cash; the credit phase runs."""
    ledger = m.world.ledger
    cash = ledger.cash_view(m.world.enterprises.n)[row]
    ledger.pay_enterprises_to_sector(row, cash + shortfall, Sector.SUPPLIERS, "test")
    credit.finance_cash_shortfalls(m)


def _defaults(m, row) -> int:
    """The structure's loan defaults for arrears (others, from the settled start's steady
    state, may be in arrears too and are refused as well)."""
    events = m.events_frame()
    return int(((events.kind == "loan_default") & (events.details == "arrears")
                & (events.agent == row[0])).sum())


def test_within_the_trade_credit_a_refused_structure_does_not_default():
    m, row = _borrower()
    monthly = 0.1 * m.params.finance.trade_credit_months * 10_000.0  # half the credit in all
    for _ in range(m.params.finance.arrears_default_months + 2):
        _month_short_of(m, row, monthly)
    e = m.world.enterprises
    assert e.refused_months[row[0]] >= m.params.finance.arrears_default_months
    assert e.payables[row[0]] <= m.params.finance.trade_credit_months * 10_000.0
    assert _defaults(m, row) == 0


def test_beyond_the_trade_credit_for_three_months_the_loans_default_once():
    m, row = _borrower()
    beyond = 1.5 * m.params.finance.trade_credit_months * 10_000.0
    months = m.params.finance.arrears_default_months
    for month in range(months + 2):
        _month_short_of(m, row, beyond if month == 0 else 1.0)
        assert _defaults(m, row) == (1 if month + 1 >= months else 0)
    assert m.world.enterprises.alive[row[0]]


def test_repaying_the_suppliers_ends_the_arrears():
    m, row = _borrower()
    beyond = 1.5 * m.params.finance.trade_credit_months * 10_000.0
    _month_short_of(m, row, beyond)
    assert m.world.enterprises.arrears_months[row[0]] == 1
    m.world.ledger.pay_sector_to_enterprises(Sector.FOUNDERS, row, np.array([2 * beyond]),
                                             "test")
    credit.finance_cash_shortfalls(m)
    assert m.world.enterprises.arrears_months[row[0]] == 0
