"""Struct-of-arrays tables holding the model's monthly state.

Monthly arithmetic runs over these arrays (nanoseconds per agent); Mesa agents are thin views on
one row each, for inspection and Mesa's own tooling (sim.agents).
"""

from __future__ import annotations

import numpy as np


class Table:
    """Growable columns of equal length; attribute access returns a writable view of live rows.

    The views are plain instance attributes, refreshed when rows are added: a month reads
    columns hundreds of times, and an attribute lookup costs a fraction of building a view.
    Every row carries its ``serial``, its rank among all rows ever appended: ``compact`` drops
    rows and renumbers the others (keeping their order), the serials stay.
    """

    def __init__(self, schema: dict[str, np.dtype], capacity: int = 64):
        self.n = 0
        self.appended = 0  # rows ever appended, compacted ones included
        self.allocated_ever = capacity  # what ``allocated`` would be had no row been dropped
        self._columns = {name: np.zeros(capacity, dtype=dtype) for name, dtype in schema.items()}
        self._columns["serial"] = np.zeros(capacity, dtype=np.int64)
        self._refresh_views()

    def _refresh_views(self) -> None:
        n = self.n
        self.__dict__.update({name: column[:n] for name, column in self._columns.items()})

    def __getstate__(self) -> dict:
        # views would be copied apart
        return {"n": self.n, "appended": self.appended, "allocated_ever": self.allocated_ever,
                "_columns": self._columns}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._refresh_views()

    @property
    def allocated(self) -> int:
        """Rows the columns can hold before they grow (accounts sized on it stay aligned)."""
        return next(iter(self._columns.values())).size

    def append(self, count: int, **values) -> np.ndarray:
        """Add ``count`` rows (unspecified columns zero); returns their indices."""
        start, end = self.n, self.n + count
        if count == 0:  # nothing changes (a third of the calls: a month's empty batches)
            return np.arange(start, end)
        capacity = next(iter(self._columns.values())).size
        if end > capacity:
            new_capacity = max(end, 2 * capacity)
            for name, column in self._columns.items():
                grown = np.zeros(new_capacity, dtype=column.dtype)
                grown[:start] = column[:start]
                self._columns[name] = grown
        if self.appended + count > self.allocated_ever:  # the same rule, never compacted
            self.allocated_ever = max(self.appended + count, 2 * self.allocated_ever)
        for name, value in values.items():
            self._columns[name][start:end] = value
        if "serial" not in values:  # an archive's rows keep the serials they had
            self._columns["serial"][start:end] = np.arange(self.appended, self.appended + count)
        self.appended += count
        self.n = end
        self._refresh_views()
        return np.arange(start, end)

    def compact(self, keep: np.ndarray) -> np.ndarray:
        """Drop the rows where ``keep`` is False; the others move down in the same order, so a
        pass over the kept rows meets the same values in the same order as before. Row indices
        change: only call this when no one holds row indices of this table (a month's start).
        Returns the kept rows' former indices."""
        rows = keep.nonzero()[0]
        kept, end = rows.size, self.n
        for column in self._columns.values():
            column[:kept] = column[rows]
            column[kept:end] = 0  # append leaves unspecified columns at zero
        self.n = kept
        self._refresh_views()
        return rows

    def rows_of(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Copies of every column (``serial`` included) at ``rows``."""
        return {name: column[:self.n][rows].copy() for name, column in self._columns.items()}

    def in_serial_space(self, values: np.ndarray) -> np.ndarray:
        """``values`` (one per row of the first ``values.size`` rows held: a month's figures
        stop at the rows held when they were computed) placed at their rows' serials, zero
        elsewhere: the array as it would stand had no row ever been dropped. A pairwise sum
        over it is the same float as before any compaction, when dropped rows held zero."""
        k = values.size
        size = self.appended - (self.n - k)  # rows ever appended when they were computed
        if size == k:  # none dropped
            return values
        full = np.zeros(size, dtype=values.dtype)
        full[self.serial[:k]] = values
        return full

    def rows_since(self, appended: int) -> np.ndarray:
        """Indices of the rows still held that were appended after the table's ``appended``
        count was ``appended``."""
        return np.arange(np.searchsorted(self.serial, appended), self.n)


def enterprise_table(capacity: int) -> Table:
    """ESS enterprises: one row per enterprise ever created (dead rows stay, ``alive`` False)."""
    return Table(
        {
            "alive": np.bool_, "form": np.int8, "sector": np.int8, "territory": np.int32,
            "region": np.int32, "founded": np.int32, "permanent": np.int64,
            "insertion_posts": np.int64, "insertion": np.int64, "adapted": np.int64,
            "support_vacant": np.bool_, "capacity": np.float64, "demand": np.float64,
            "sales": np.float64, "procurement_sales": np.float64, "pressure": np.float64,
            "debt": np.float64, "payables": np.float64, "equity_raised": np.float64,
            "refused_months": np.int32, "arrears_months": np.int32,
            "premises_wait": np.int32, "owner_firm": np.int64,
            "scaled_up": np.bool_, "n_sites": np.int32, "n_regions": np.int32,
            "rent_month": np.float64, "floor": np.float64, "loss_making": np.bool_,
            "result_trend": np.float64,
            # € a month per insertion FTE the local co-funders pay (ACI's convention)
            "cofunding_per_fte": np.float64,
            "consumer_weight": np.float64, "business_weight": np.float64,
            "last_growth": np.int32, "productivity": np.float64,
            # an entrant's productivity at its form's target margin, and how far its drawn one
            # stood from it at birth (ess.mature_productivity; 0 for incumbents)
            "productivity_settled": np.float64, "productivity_gap": np.float64,
            "feedstock_access": np.float64,  # share of its waste feedstock need won (collectors)
            # € of automation equipment owned; € of a host's equipment used in implants
            "machines": np.float64, "host_equipment": np.float64,
        },
        capacity,
    )


def firm_table(capacity: int) -> Table:
    """Conventional industrial firms."""
    return Table(
        {
            "territory": np.int32, "region": np.int32, "sector": np.int8, "jobs": np.float64,
            "csr": np.bool_, "vacancies": np.float64, "aid_received": np.float64,
            "ess_ties": np.int32,
        },
        capacity,
    )


def site_table(capacity: int) -> Table:
    """Premises leased by ESS enterprises (or lent by an industrial host to an implant): floor
    space, landlord stock, rent and the host's equipment; a site opened in another territory
    than its enterprise's also holds a claim on that territory's households' and businesses'
    pools (``consumer_weight``, ``business_weight``)."""
    return Table(
        {
            "open": np.bool_, "enterprise": np.int64, "territory": np.int32, "region": np.int32,
            "stock": np.int8, "rent_m2_yr": np.float64, "opened": np.int32,
            "consumer_weight": np.float64, "business_weight": np.float64,
            "equipment": np.float64,  # € of the host's equipment an implant site uses
            "extended_m2": np.float64,  # m² added to the lease since it opened (growth at home)
        },
        capacity,
    )


def tie_table(capacity: int) -> Table:
    """Economic graph between industrial firms and ESS enterprises (edge list)."""
    return Table(
        {
            "active": np.bool_, "firm": np.int64, "enterprise": np.int64, "kind": np.int8,
            "trust": np.float64, "created": np.int32,
            "last_order": np.int32,  # month of the firm's last order on this tie
            "site": np.int64,        # an implant's site (row of the site table)
        },
        capacity,
    )


def loan_table(capacity: int) -> Table:
    return Table(
        {
            "open": np.bool_, "enterprise": np.int64, "outstanding": np.float64,
            "payment": np.float64, "rate_month": np.float64, "guaranteed": np.float64,
            "lender": np.int8,
        },
        capacity,
    )


def contract_table(capacity: int) -> Table:
    """Public contracts won by ESS enterprises: monthly value until the end month, reserved lot
    or not, social clause or not, and the buyer that tendered the lot and pays it (a ledger
    ``Sector``: the State, a Region, a département or the intercommunalities)."""
    return Table(
        {"enterprise": np.int64, "monthly_value": np.float64, "end_month": np.int32,
         "reserved": np.bool_, "clause": np.bool_, "buyer": np.int8},
        capacity,
    )


def among(column: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """``np.isin(column, rows)`` for row indices below ``n``, as a lookup in a mask: linear in
    the (long) column of a site, tie, loan or contract table, with no sort."""
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return mask[column]


def pair_key(firm: np.ndarray, enterprise: np.ndarray) -> np.ndarray:
    """One int64 per (firm, enterprise) pair, ordered by firm then enterprise."""
    return np.asarray(firm, dtype=np.int64) * (1 << 32) + enterprise


class PairIndex:
    """Sorted keys of the active firm–ESS ties, updated as ties are made and lost.

    A month's new contacts are checked against the graph by binary search rather than by
    re-sorting every active tie (a national graph holds ~100k). Keys are unique.
    """

    def __init__(self, firm: np.ndarray, enterprise: np.ndarray):
        self.keys = np.unique(pair_key(firm, enterprise))

    def contains(self, keys: np.ndarray) -> np.ndarray:
        if self.keys.size == 0:
            return np.zeros(keys.size, dtype=bool)
        found = self.keys[np.minimum(np.searchsorted(self.keys, keys), self.keys.size - 1)]
        return found == keys

    def add(self, keys: np.ndarray) -> None:
        """Insert sorted keys not yet present: the array ``np.insert(self.keys,
        np.searchsorted(self.keys, keys), keys)`` gives (the k-th new key lands k places after
        its insertion point; the old keys fill the rest in order), without its Python-level
        checks (~4× faster on a regional graph's few thousand keys)."""
        at = np.searchsorted(self.keys, keys) + np.arange(keys.size)
        merged = np.empty(self.keys.size + keys.size, dtype=self.keys.dtype)
        old = np.ones(merged.size, dtype=bool)
        old[at] = False
        merged[at] = keys
        merged[old] = self.keys
        self.keys = merged

    def remove(self, keys: np.ndarray) -> None:
        """Delete keys that are present (what ``np.delete`` at their positions gives: the
        others kept in order)."""
        keep = np.ones(self.keys.size, dtype=bool)
        keep[np.searchsorted(self.keys, keys)] = False
        self.keys = self.keys[keep]
