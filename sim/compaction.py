"""Compaction of the tables that only grow: dead rows leave, so a month's passes over the
tie, contract, loan, enterprise and site tables cost what their live rows cost, not what 20
years left behind.

The first phase of the month (``compact_tables``), before anyone holds row indices of the month
(a tie's orders, ``Month.tie_spend``, are indexed by row). A table is compacted once its dead
rows reach ``DEAD_SHARE`` of its live rows, so the copy is paid rarely. Rows keep their order, so
every pass over live rows meets the same values in the same order: outputs are unchanged, byte
for byte.

Enterprises are compacted too (``compact_enterprises``): a failed enterprise's row leaves once
nothing live refers to it, and every table, account and view that names enterprise rows is
renumbered. Outputs name an enterprise by its ``serial`` (its row had none ever been dropped),
and the few passes whose result depends on the dead rows' places (draws of one number per row,
pairwise float sums over every row) run in serial space (``Table.in_serial_space``), so the
outputs stay the same, byte for byte. Dropped rows are kept in ``world.enterprise_archive``
for what reads the whole history (``enterprise_history``). Closed sites are compacted the same
way (``compact_sites``): their sums over every site row (rents by landlord, floor totals) run
over the site rows ever opened (``sum_over_sites_ever``, ``Ledger.site_floor_total``).
"""

from __future__ import annotations

import numpy as np

from sim.state import PairIndex, Table
from sim.vocabulary import TieKind

DEAD_SHARE = 0.25  # dead rows, as a share of live rows, that trigger a compaction
MIN_DEAD = 1024    # below this, a copy costs more than the dead rows it would spare


def compact_tables(m) -> None:
    """Drop ties lost, contracts ended, loans closed, failed enterprises and closed sites
    (phase "compaction")."""
    w = m.world
    compact_if_worth(w.ties.table, w.ties.table.active)
    compact_if_worth(w.contracts, w.contracts.end_month > m.month)
    compact_if_worth(w.loans, w.loans.open)
    compact_enterprises(m)
    compact_sites(m)


def compact_if_worth(table: Table, live: np.ndarray) -> bool:
    """Compact ``table`` to its ``live`` rows when the dead ones are many enough."""
    if not _worth(table.n, int(np.count_nonzero(live))):
        return False
    table.compact(live)
    return True


def _worth(n: int, n_live: int) -> bool:
    """Whether dropping ``n - n_live`` of ``n`` rows is worth a copy."""
    return n - n_live >= max(MIN_DEAD, DEAD_SHARE * n_live)


def compact_enterprises(m) -> bool:
    """Drop the rows of failed enterprises nothing live refers to (no open site, active tie,
    open loan, contract in force or feedstock lot, no cash left), once they are many enough;
    renumber every reference to the others."""
    w = m.world
    e = w.enterprises
    if not _worth(e.n, int(np.count_nonzero(e.alive))):  # even were no failed one referred to
        return False
    keep = e.alive | _referred(m)
    if not _worth(e.n, int(np.count_nonzero(keep))):
        return False
    row_of = _drop(e, w.enterprise_archive, keep)
    for table in (w.sites, w.ties.table, w.loans, w.contracts):
        table.enterprise[:] = row_of[table.enterprise]
    ties = w.ties.table
    w.ties.index = PairIndex(ties.firm[ties.active], ties.enterprise[ties.active])
    lots = w.feedstock_market.lots if w.feedstock_market is not None else None
    if lots is not None:
        lots.member_row = row_of[lots.member_row]
        lots.holder = row_of[lots.holder]  # CONVENTIONAL (-1) stays
    w.ledger.compact_enterprises(keep)
    views = {int(row_of[row]): view for row, view in m.ess_views.items()}
    m.ess_views.clear()  # the model's dict, renumbered in place
    m.ess_views.update(views)
    for row, view in views.items():
        view.row = row
    return True


def compact_sites(m) -> bool:
    """Drop the rows of closed sites nothing refers to (no implant in force: a closed site
    holds no floor), once they are many enough; renumber the implants' references."""
    w = m.world
    s, ties = w.sites, w.ties.table
    if not _worth(s.n, int(np.count_nonzero(s.open))):
        return False
    keep = s.open | (w.ledger.site_floor[: s.n] != 0)
    implants = ties.active & (ties.kind == TieKind.IMPLANT)
    keep[ties.site[implants]] = True
    if not _worth(s.n, int(np.count_nonzero(keep))):
        return False
    row_of = _drop(s, w.site_archive, keep)
    w.ledger.compact_sites(keep)
    ties.site[:] = row_of[ties.site]  # an ended implant's site, if dropped, becomes -1
    return True


def _drop(table: Table, archive: Table, keep: np.ndarray) -> np.ndarray:
    """Move the rows of ``table`` not in ``keep`` to ``archive``; returns the renumbering of
    the former rows. A dropped row's references become -1, and stay -1 (the extra last entry)
    at the next compaction: no reference ever names another row."""
    dropped = (~keep).nonzero()[0]
    archive.append(dropped.size, **table.rows_of(dropped))
    kept = table.compact(keep)
    row_of = np.full(keep.size + 1, -1, dtype=np.int64)
    row_of[kept] = np.arange(kept.size)
    return row_of


def _referred(m) -> np.ndarray:
    """Enterprise rows something live still refers to, or that hold cash."""
    w = m.world
    e, s, ties, loans, c = w.enterprises, w.sites, w.ties.table, w.loans, w.contracts
    held = np.zeros(e.n, dtype=bool)
    held[s.enterprise[s.open]] = True
    held[ties.enterprise[ties.active]] = True
    held[loans.enterprise[loans.open]] = True
    held[c.enterprise[c.end_month > m.month]] = True
    lots = w.feedstock_market.lots if w.feedstock_market is not None else None
    if lots is not None:
        held[lots.member_row] = True
        held[lots.holder[lots.holder >= 0]] = True
    held |= w.ledger.cash_view(e.n) != 0
    return held


def enterprise_history(world, column: str) -> np.ndarray:
    """One ``column`` of every enterprise ever created, indexed by serial: the live rows' and
    the archived ones'."""
    return _history(world.enterprises, world.enterprise_archive, column)


def _history(table: Table, archive: Table, column: str) -> np.ndarray:
    values = getattr(table, column)
    full = np.zeros(table.appended, dtype=values.dtype)
    full[table.serial] = values
    full[archive.serial] = getattr(archive, column)
    return full


def sum_over_sites_ever(world, rows: np.ndarray, values: np.ndarray, stock: int) -> float:
    """The pairwise sum of ``values`` at the site ``rows`` that are every row of ``stock``
    (in order), as it would be over every site of that stock ever opened, the dropped ones'
    zero (a closed site's rent): the same float whatever compaction dropped."""
    s = world.sites
    if s.n == s.appended:
        return float(values.sum())
    of_stock = _history(s, world.site_archive, "stock") == stock
    full = np.zeros(int(np.count_nonzero(of_stock)))
    full[np.cumsum(of_stock)[s.serial[rows]] - 1] = values
    return float(full.sum())
