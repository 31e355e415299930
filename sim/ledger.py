"""The one ledger: every euro and every square metre of the model moves through it.

Money: enterprises' cash accounts must never go negative; sector accounts (households, State,
banks...) stand for the world outside the model and may. All accounts start at zero, so by
double entry the sum of all balances is zero at all times: ``assert_conserved`` checks it.

Floor space: territories' vacant and brownfield stocks and each site's occupied floor. Square
metres are never created; a transfer that would overdraw a stock is refused.
"""

from __future__ import annotations

from collections import defaultdict
from enum import IntEnum

import numpy as np


class Sector(IntEnum):
    """Money accounts of actors outside the enterprise tables."""

    HOUSEHOLDS = 0
    INDUSTRY = 1
    STATE = 2
    REGIONS = 3
    INTERCOMMUNALITIES = 4
    BANKS = 5
    IMPACT_INVESTORS = 6
    PUBLIC_INVESTMENT_BANK = 7
    GUARANTEE_FUND = 8
    PRIVATE_LANDLORDS = 9
    LAND_TRUSTS = 10
    SUPPLIERS = 11
    FOUNDERS = 12
    DEPARTEMENTS = 13


N_SECTORS = len(Sector)
SKIP_ZEROS_FROM = 512  # amounts from which a payment looks for zero amounts to skip
# The public payers of the outputs' ``cost_to_<payer>_eur`` columns (``sim.outcomes.PAYERS``).
PUBLIC_PAYERS = {"state": Sector.STATE, "regions": Sector.REGIONS,
                 "departements": Sector.DEPARTEMENTS,
                 "intercommunalities": Sector.INTERCOMMUNALITIES,
                 "public_investment_bank": Sector.PUBLIC_INVESTMENT_BANK}


class LedgerError(RuntimeError):
    """Raised when a transfer would create money or floor space out of nothing."""


class Ledger:
    """Double-entry accounts for money (euros) and floor space (m²), with monthly flow totals."""

    def __init__(self, n_territories: int):
        self.money = np.zeros(N_SECTORS, dtype=np.float64)
        self.gross_flow = 0.0
        self.flows: dict[str, float] = defaultdict(float)
        self.n_territories = n_territories
        # floor stocks: [vacant private, vacant trust, brownfield, industrial hosts' idle floor]
        # per territory, then one per site
        self.territory_floor = np.zeros((4, n_territories), dtype=np.float64)
        self.site_floor = np.zeros(0, dtype=np.float64)
        # the size ``site_floor`` would have had were no site row ever dropped (its sum)
        self.site_floor_span = 0
        self.enterprises = None  # the enterprise table (``World``), for sums over every row
        self.sites = None  # the site table (``World``), likewise

    # --- accounts -------------------------------------------------------------------------
    def grow_enterprises(self, n_total: int) -> None:
        """Make room for enterprise accounts up to ``n_total`` (new accounts start at zero)."""
        missing = N_SECTORS + n_total - self.money.size
        if missing > 0:
            self.money = np.concatenate([self.money, np.zeros(max(missing, self.money.size))])

    def grow_sites(self, sites) -> None:
        """Make room for the floor of every row the site table ``sites`` can hold."""
        size = _grown(self.site_floor.size, sites.allocated)
        if size > self.site_floor.size:
            self.site_floor = np.concatenate(
                [self.site_floor, np.zeros(size - self.site_floor.size)])
        self.site_floor_span = _grown(self.site_floor_span, sites.allocated_ever)

    def compact_sites(self, keep: np.ndarray) -> None:
        """Site floor follows its rows when the site table drops those not in ``keep``
        (``sim.compaction``); a dropped site must hold no floor."""
        floor = self.site_floor[: keep.size]
        if np.any(floor[~keep] != 0):
            raise LedgerError("compaction: a dropped site still holds floor space")
        kept = floor[keep]
        floor[: kept.size] = kept
        floor[kept.size :] = 0.0

    def site_floor_total(self) -> float:
        """The pairwise sum of every site's floor, over the array as it would stand had no
        site row been dropped (the dropped ones' zero): the same float whatever compaction
        dropped."""
        s = self.sites
        if s is None or s.n == s.appended:
            return float(self.site_floor.sum())
        full = np.zeros(self.site_floor_span)
        full[s.serial] = self.site_floor[: s.n]
        return float(full.sum())

    def compact_enterprises(self, keep: np.ndarray) -> None:
        """Enterprise accounts follow their rows when the table drops those not in ``keep``
        (``sim.compaction``); a dropped account must be empty."""
        accounts = self.money[N_SECTORS : N_SECTORS + keep.size]
        if np.any(accounts[~keep] != 0):
            raise LedgerError("compaction: a dropped enterprise account still holds money")
        kept = accounts[keep]
        accounts[: kept.size] = kept
        accounts[kept.size :] = 0.0

    def cash(self, enterprise_idx):
        return self.money[N_SECTORS + np.asarray(enterprise_idx)]

    def cash_view(self, n: int) -> np.ndarray:
        return self.money[N_SECTORS : N_SECTORS + n]

    # --- money ----------------------------------------------------------------------------
    def pay_sector_to_enterprises(self, sector: Sector, idx, amounts, flow: str) -> None:
        """Sector pays each enterprise ``idx[k]`` the amount ``amounts[k]`` (vectorised;
        ``idx`` rows or a slice of consecutive rows)."""
        amounts = self._checked(amounts)
        if isinstance(idx, slice):
            self.money[self._accounts(idx, amounts.size)] += amounts
        else:
            np.add.at(self.money, N_SECTORS + np.asarray(idx), amounts)
        total = self._total(idx, amounts)
        self.money[sector] -= total
        self._book(flow, total)

    def pay_sectors_to_enterprises(self, parts: dict[int, np.ndarray], idx, amounts,
                                   flow: str) -> None:
        """Several sectors pay enterprises: each enterprise ``idx[k]`` receives ``amounts[k]``,
        of which sector ``s`` pays ``parts[s][k]`` (the parts add up to the amounts within
        rounding; e.g. each public buyer its contracts). The enterprises are credited the
        amounts as one payment would credit them; each sector's total is booked as the flow
        ``<flow>:<sector>`` (``sector_flows`` reads them back)."""
        amounts = self._checked(amounts)
        parts = {Sector(s): self._checked(part) for s, part in parts.items()}
        paid = sum(self._total(idx, part) for part in parts.values())
        total = self._total(idx, amounts)
        if abs(paid - total) > 1e-9 * max(abs(total), 1.0):
            raise LedgerError(f"{flow}: the payers' parts ({paid} €) do not add up to the "
                              f"amounts paid ({total} €)")
        if isinstance(idx, slice):
            self.money[self._accounts(idx, amounts.size)] += amounts
        else:
            np.add.at(self.money, N_SECTORS + np.asarray(idx), amounts)
        for sector, part in parts.items():
            part_total = self._total(idx, part)
            self.money[sector] -= part_total
            self._book(f"{flow}:{sector.name.lower()}", part_total)

    def sector_flows(self, flow: str) -> dict[Sector, float]:
        """The flows ``<flow>:<sector>`` booked by ``pay_sectors_to_enterprises`` since the
        counters were last reset, by sector."""
        prefix = f"{flow}:"
        return {Sector[key[len(prefix):].upper()]: value for key, value in self.flows.items()
                if key.startswith(prefix)}

    def pay_enterprises_to_sector(self, idx, amounts, sector: Sector, flow: str,
                                  total: float | None = None) -> None:
        """Each enterprise ``idx[k]`` pays ``amounts[k]`` to a sector (may leave cash < 0 until
        the credit market settles overdrafts; ``assert_no_negative_cash`` runs after that).
        ``total``: the amounts' sum, when the caller sums them over more rows than it holds
        (``sim.compaction.sum_over_sites_ever``)."""
        amounts = self._checked(amounts)
        if isinstance(idx, slice):
            self.money[self._accounts(idx, amounts.size)] -= amounts
        elif amounts.size >= SKIP_ZEROS_FROM:
            # x - (+0.0) is x, bit for bit (-0.0 included): only the others are subtracted
            # (e.g. the rents of closed sites, most site rows after 20 years)
            paid = ((amounts != 0) | np.signbit(amounts)).nonzero()[0]
            np.subtract.at(self.money, N_SECTORS + np.asarray(idx)[paid], amounts[paid])
        else:
            np.subtract.at(self.money, N_SECTORS + np.asarray(idx), amounts)
        if total is None:
            total = self._total(idx, amounts)
        self.money[sector] += total
        self._book(flow, total)

    def pay_sector_to_sector(self, payer: Sector, payee: Sector, amount: float, flow: str) -> None:
        amount = float(amount)
        if amount < 0 or not np.isfinite(amount):
            raise LedgerError(f"{flow}: refused transfer of {amount} €")
        self.money[payer] -= amount
        self.money[payee] += amount
        self._book(flow, amount)

    def _total(self, idx, amounts: np.ndarray) -> float:
        """The pairwise sum of a payment's amounts. Paid to or by every enterprise row (a slice
        from row 0, as settlement pays), it is summed over every enterprise ever created (the
        dropped ones' zero): the same float whatever rows compaction dropped."""
        if (isinstance(idx, slice) and not idx.start and self.enterprises is not None
                and amounts.size == self.enterprises.n):
            amounts = self.enterprises.in_serial_space(amounts)
        return float(amounts.sum())

    @staticmethod
    def _accounts(rows: slice, size: int) -> slice:
        """The money accounts of the enterprise rows ``rows`` (a slice of consecutive rows,
        one amount each). Adding to a slice is what ``np.add.at`` does over the same rows,
        element by element in the same order (no row twice), so the balances are the same
        bits, without ``ufunc.at``'s per-element indexing (settlement pays every enterprise
        row, dead ones included, seven times a month; ``ufunc.at`` was also seen 30× slower
        than a slice on the 27k accounts of an unpickled national run, not in a live one)."""
        start = rows.start or 0
        if rows.step not in (None, 1) or rows.stop - start != size:
            raise ValueError(f"accounts {rows} do not match {size} amounts")
        return slice(N_SECTORS + start, N_SECTORS + rows.stop)

    def _checked(self, amounts) -> np.ndarray:
        amounts = np.asarray(amounts, dtype=np.float64)
        # NaN fails both comparisons, -inf the first, +inf the second: the same refusals as
        # ``isfinite().all()`` and ``min() < 0``, in two reductions instead of three
        # (``np.minimum.reduce`` is what ``amounts.min()`` calls, without its Python wrapper)
        if amounts.size and not (np.minimum.reduce(amounts, axis=None) >= 0.0
                                 and np.maximum.reduce(amounts, axis=None) < np.inf):
            raise LedgerError("refused a transfer with a negative or non-finite amount")
        return amounts

    def _book(self, flow: str, total: float) -> None:
        self.flows[flow] += total
        self.gross_flow += total

    def month_flows(self) -> dict[str, float]:
        """This month's flow totals by kind; resets the counters."""
        flows = dict(self.flows)
        self.flows.clear()
        return flows

    # --- floor space ----------------------------------------------------------------------
    def move_floor_to_site(self, stock: int, territory, site, m2) -> None:
        """Lease: m² leave a territory stock (0 private vacant, 1 trust vacant, 3 an industrial
        host's idle floor) for a site."""
        territory, site, m2 = np.asarray(territory), np.asarray(site), np.asarray(m2, float)
        if _nothing_moves(territory, site, m2):
            return
        np.subtract.at(self.territory_floor[stock], territory, m2)
        if (self.territory_floor[stock] < -1e-6).any():
            raise LedgerError("floor space: a lease overdrew a territory's vacant stock")
        np.add.at(self.site_floor, site, m2)

    def move_floor_from_site(self, stock: int, territory, site, m2) -> None:
        """End of lease: the site's m² return to the landlord's vacant stock."""
        territory, site, m2 = np.asarray(territory), np.asarray(site), np.asarray(m2, float)
        if _nothing_moves(territory, site, m2):
            return
        np.subtract.at(self.site_floor, site, m2)
        if (self.site_floor < -1e-6).any():
            raise LedgerError("floor space: a site returned more m² than it held")
        np.add.at(self.territory_floor[stock], territory, m2)

    def move_floor_between_stocks(self, source: int, target: int, territory, m2) -> None:
        """E.g. brownfield -> trust vacant (rehabilitation), private vacant -> trust (purchase)."""
        territory, m2 = np.asarray(territory), np.asarray(m2, float)
        np.subtract.at(self.territory_floor[source], territory, m2)
        if (self.territory_floor[source] < -1e-6).any():
            raise LedgerError("floor space: a transfer overdrew a territory stock")
        np.add.at(self.territory_floor[target], territory, m2)

    def total_floor(self) -> float:
        return float(self.territory_floor.sum() + self.site_floor_total())

    # --- invariants -----------------------------------------------------------------------
    def assert_conserved(self, initial_floor: float) -> None:
        tolerance = 1e-9 * max(self.gross_flow, 1.0) + 1e-3
        imbalance = float(self.money.sum())
        if abs(imbalance) > tolerance:
            raise LedgerError(f"money not conserved: imbalance {imbalance:.6f} €")
        floor_gap = self.total_floor() - initial_floor
        if abs(floor_gap) > 1e-6 * max(initial_floor, 1.0):
            raise LedgerError(f"floor space not conserved: gap {floor_gap:.3f} m²")

    def assert_no_negative_cash(self, n_enterprises: int) -> None:
        cash = self.cash_view(n_enterprises)
        if cash.size and cash.min() < -1e-6:
            raise LedgerError(f"an enterprise holds negative cash ({cash.min():.2f} €)")


def _grown(size: int, needed: int) -> int:
    """An array's size after making room for ``needed`` entries: at least doubled."""
    return size + max(needed - size, size, 64) if needed > size else size


def _nothing_moves(territory: np.ndarray, site: np.ndarray, m2: np.ndarray) -> bool:
    """An empty move of floor (no territory, site or m²: e.g. the trust's share of a month's
    leases when no lever runs a trust) changes no stock, and every subtraction from a stock is
    checked where it happens, so its check would find the stocks as the last one left them:
    the move and its check can be skipped (two thirds of the moves of a regional run)."""
    return m2.size == 0 and territory.size == 0 and site.size == 0
