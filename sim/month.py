"""The month record: what happened this month, filled by the phases of the calendar and read by
the metrics and by the levers' ``book()``.

A fresh record is made at the start of every month, so nothing has to be reset and nothing of
last month leaks into this one. The world's state (tables, stocks, ledger) lives in
``sim.world``; this record holds only the month's flows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np


def _ints() -> np.ndarray:
    return np.zeros(0, np.int64)


@dataclass
class Month:
    """Flows of one month. Arrays ``*_by_territory`` have one entry per territory."""

    index: int
    n_territories: int
    # public money of the baseline (State aid per post, regional aid to industry), in €
    public_baseline: float = 0.0
    # every public euro of the month located on territories: baseline and levers (book())
    public_by_territory: np.ndarray = field(init=False)
    # the same euros by the ledger sector that bears them (``sim.ledger.PUBLIC_PAYERS``)
    public_by_payer: defaultdict[int, float] = field(init=False)
    # the Regions' aid to industrial firms (industry phase)
    aid_granted_firms: np.ndarray = field(default_factory=_ints)
    aid_granted_amounts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # markets phase: sales by kind per enterprise (consumer, vat, vat_forgone, business,
    # industry, public), the share of demand served, each tie's industrial orders and deliveries
    sales_parts: dict[str, np.ndarray] = field(default_factory=dict)
    served: np.ndarray = field(default_factory=lambda: np.zeros(0))
    tie_spend: np.ndarray = field(default_factory=lambda: np.zeros(0))
    tie_delivered: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # procurement: value of reserved lots awarded this month (whole contract value)
    reserved_awards: float = 0.0
    reserved_awards_by_territory: np.ndarray = field(init=False)
    # the same, award by award (0 for an open lot) with each award's territory and buyer (the
    # ledger sector that tendered the lot and pays it): the reserved markets lever books each
    # award's premium to that buyer
    reserved_award_values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    reserved_award_territories: np.ndarray = field(default_factory=_ints)
    reserved_award_buyers: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    # markets phase: each buyer's payment for public contracts per enterprise (ledger sector ->
    # €, the parts of ``sales_parts["public"]``), which settlement takes from the buyer's account
    public_sales_by_buyer: dict[int, np.ndarray] = field(default_factory=dict)
    # settlement: accounts per enterprise (sales, aid, wages, materials, rent)
    accounts: dict[str, np.ndarray] = field(default_factory=dict)
    # insertion labour: exits, employed, durable, entries, filled (totals) and breakdowns
    labour: dict = field(default_factory=dict)
    # feedstock phase: tonnes of waste feedstock ESS collectors won, of which consortium lots
    feedstock_won_t: float = 0.0
    feedstock_lots_t: float = 0.0
    # trust phase: supply ties turned into on-site implants
    implants: int = 0
    # failures; guarantees called (at failure or after missed repayments), the guarantee
    # fund's fee income and recoveries, public investors' equity written off at failure
    failures: int = 0
    closures: int = 0  # voluntary closures (ess.voluntary_closures), apart from failures
    guarantee_calls: float = 0.0
    guarantee_calls_by_territory: np.ndarray = field(init=False)
    guarantee_fees_by_territory: np.ndarray = field(init=False)
    guarantee_recoveries_by_territory: np.ndarray = field(init=False)
    public_equity_losses_by_territory: np.ndarray = field(init=False)
    # enterprises a bank approved this month only because a guarantee covers the loan
    needs_cover: np.ndarray = field(default_factory=_ints)
    # scale-ups phase: (regional, national) masks of ``ess.scale_up_kinds``, which the metrics
    # read at the month's end (nothing after that phase moves what they are made of)
    scale_up_kinds: tuple[np.ndarray, np.ndarray] | None = None

    def __post_init__(self):
        self.public_by_territory = np.zeros(self.n_territories)
        self.public_by_payer = defaultdict(float)
        self.reserved_awards_by_territory = np.zeros(self.n_territories)
        self.guarantee_calls_by_territory = np.zeros(self.n_territories)
        self.guarantee_fees_by_territory = np.zeros(self.n_territories)
        self.guarantee_recoveries_by_territory = np.zeros(self.n_territories)
        self.public_equity_losses_by_territory = np.zeros(self.n_territories)

    def add_public_cost(self, by_territory: np.ndarray, payer: int) -> None:
        """Locate public euros of the month on territories (for the territory panel) and on
        the payer that bears them."""
        self.public_by_territory += by_territory
        self.public_by_payer[payer] += float(by_territory.sum())
