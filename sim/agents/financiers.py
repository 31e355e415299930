"""Financiers: a bank, impact investors, the public investment bank and a guarantee fund.

Their money is a ledger sector account each; their screening rules live in markets/credit.py.
"""

from __future__ import annotations

import mesa

from sim.ledger import Sector


class _Financier(mesa.Agent):
    sector: Sector

    @property
    def balance(self) -> float:
        return float(self.model.ledger.money[self.sector])


class Bank(_Financier):
    """Lends on profitability, collateral and legal form (brake 3)."""

    sector = Sector.BANKS


class ImpactInvestor(_Financier):
    """Takes equity or quasi-equity at a lower return, only where the legal form allows it."""

    sector = Sector.IMPACT_INVESTORS


class PublicInvestmentBank(_Financier):
    """Co-invests beside banks (Banque des Territoires, Bpifrance)."""

    sector = Sector.PUBLIC_INVESTMENT_BANK


class GuaranteeFund(_Financier):
    """Covers part of a loan's loss on default (France Active: 50-80%)."""

    sector = Sector.GUARANTEE_FUND
