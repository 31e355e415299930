"""Compaction of the tables that only grow: dead rows leave, so a month's passes over the
tie, contract and loan tables cost what their live rows cost, not what 20 years left behind.

The first phase of the month (``compact_tables``), before anyone holds row indices of the month
(a tie's orders, ``Month.tie_spend``, are indexed by row). A table is compacted once its dead
rows reach ``DEAD_SHARE`` of its live rows, so the copy is paid rarely. Rows keep their order, so
every pass over live rows meets the same values in the same order: outputs are unchanged, byte
for byte. Enterprises and sites are not compacted: their row is an agent's identity in the
outputs (events, ``ess_views``) and the ledger's accounts are indexed by it.
"""

from __future__ import annotations

import numpy as np

from sim.state import Table

DEAD_SHARE = 0.25  # dead rows, as a share of live rows, that trigger a compaction
MIN_DEAD = 1024    # below this, a copy costs more than the dead rows it would spare


def compact_tables(m) -> None:
    """Drop ties lost, contracts ended and loans closed (phase "compaction")."""
    w = m.world
    compact_if_worth(w.ties.table, w.ties.table.active)
    compact_if_worth(w.contracts, w.contracts.end_month > m.month)
    compact_if_worth(w.loans, w.loans.open)


def compact_if_worth(table: Table, live: np.ndarray) -> bool:
    """Compact ``table`` to its ``live`` rows when the dead ones are many enough."""
    n_live = int(np.count_nonzero(live))
    dead = table.n - n_live
    if dead < max(MIN_DEAD, DEAD_SHARE * n_live):
        return False
    table.compact(live)
    return True
