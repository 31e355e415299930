"""The fast paths of issue #6 give what the plain code they replaced gave (docs/performance.md)."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.events import EventLog, Labelled
from sim.grouping import rounds
from sim.markets.premises import PRIVATE, TRUST, PremisesMarket
from sim.state import pair_key, tie_table

LEVERS = "policies=[matchmaking,industrial_cooperation,land_trust]"


@given(st.lists(st.integers(0, 6), max_size=60))
def test_rounds_hold_each_groups_kth_entry_in_order(keys):
    keys = np.array(keys, dtype=np.int64)
    seen: dict[int, list[int]] = {}
    for k, at in enumerate(rounds(keys)):
        assert np.all(np.diff(at) > 0)  # array order within a round
        assert np.unique(keys[at]).size == at.size  # groups never meet within a round
        for i in at:
            seen.setdefault(int(keys[i]), []).append(int(i))
            assert len(seen[int(keys[i])]) == k + 1
    for key, entries in seen.items():
        assert entries == np.flatnonzero(keys == key).tolist()
    assert sum(len(v) for v in seen.values()) == keys.size


def _premises_by_loop(market, rng, territory, m2, max_rent_m2, vacant, acceptance, effects,
                      rent_index):
    """The clearing loop as it was written before issue #6."""
    order = rng.permutation(territory.size)
    accept_draw = rng.random(territory.size)
    rent = market.market_rent(rent_index)
    left = vacant.copy()
    served, stocks, rents = [], [], []
    for r in order:
        t = territory[r]
        trust_rent = rent[t] * (1.0 - effects.trust_rent_discount[t])
        if effects.trust_priority[t] > 0 and left[TRUST, t] >= m2[r] \
                and trust_rent <= max_rent_m2[r]:
            left[TRUST, t] -= m2[r]
            served.append(r), stocks.append(TRUST), rents.append(trust_rent)
        elif left[PRIVATE, t] >= m2[r] and accept_draw[r] < acceptance \
                and rent[t] <= max_rent_m2[r]:
            left[PRIVATE, t] -= m2[r]
            served.append(r), stocks.append(PRIVATE), rents.append(rent[t])
    return np.asarray(served, np.int64), np.asarray(stocks, np.int8), np.asarray(rents, float)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 80), st.integers(1, 5))
def test_premises_clearing_matches_the_loop(seed, n, n_territories):
    draw = np.random.default_rng(seed)
    market = PremisesMarket(80.0, draw.uniform(0.5, 3.0, n_territories))
    effects = SimpleNamespace(trust_rent_discount=draw.uniform(0, 0.6, n_territories),
                              trust_priority=(draw.random(n_territories) < 0.5).astype(float))
    # sizes and stocks in steps of 50 m², so stocks are often used up exactly
    args = (draw.integers(0, n_territories, n), 50.0 * draw.integers(1, 5, n),
            draw.uniform(40, 250, n), 50.0 * draw.integers(0, 12, (2, n_territories)), 0.6,
            effects, 1.1)
    leases = market.clear(np.random.default_rng(seed), *args)
    served, stocks, rents = _premises_by_loop(market, np.random.default_rng(seed), *args)
    np.testing.assert_array_equal(leases.request, served)
    np.testing.assert_array_equal(leases.stock, stocks)
    np.testing.assert_array_equal(leases.rent_m2_yr, rents)


@pytest.fixture(scope="module")
def lever_run():
    from sim.api import build_model

    return build_model(["territory=classroom", "horizon_months=36", LEVERS]).run()


def test_tie_index_follows_the_graph(lever_run):
    ties = lever_run.ties
    active = pair_key(ties.firm[ties.active], ties.enterprise[ties.active])
    assert np.unique(active).size == active.size
    np.testing.assert_array_equal(lever_run.tie_index.keys, np.sort(active))


def test_site_counts_match_distinct_places(lever_run):
    e, s = lever_run.enterprises, lever_run.sites
    live = np.flatnonzero(s.open)
    for column, place in ((e.n_sites, s.territory), (e.n_regions, s.region)):
        pairs = np.unique(s.enterprise[live] * (1 << 20) + place[live])
        np.testing.assert_array_equal(column, np.bincount(pairs >> 20, minlength=e.n))


def test_table_views_follow_appends_and_copies():
    table = tie_table(2)
    table.append(3, active=True, firm=[1, 2, 3])
    clone = copy.deepcopy(table)
    clone.firm[0] = 9
    clone.append(1, firm=7)
    assert table.firm.tolist() == [1, 2, 3]
    assert clone.firm.tolist() == [9, 2, 3, 7]
    assert clone._columns["firm"][0] == 9


def test_appending_no_row_changes_nothing():
    """`Table.append(0)` returns at once: the same columns, views, counts and serials as
    before, an empty index array, and the next append numbers its rows as it would have."""
    table = tie_table(2)
    table.append(3, active=True, firm=[1, 2, 3])
    before = {name: column.copy() for name, column in table._columns.items()}
    rows = table.append(0, firm=np.array([], dtype=np.int64))
    assert rows.size == 0 and rows.dtype == np.arange(0).dtype
    assert (table.n, table.appended, table.allocated) == (3, 3, before["firm"].size)
    for name, column in table._columns.items():
        assert column.tobytes() == before[name].tobytes()
    assert table.firm.tolist() == [1, 2, 3]
    assert table.append(1, firm=7).tolist() == [3] and table.serial.tolist() == [0, 1, 2, 3]


def test_event_frame_matches_the_pandas_build():
    log = EventLog()
    log.record(0, "new_tie", [4, 5], [1, 0], Labelled("firm=", np.array([12, 7])))
    log.record(0, "tender_won", [2], 2, np.where([True], "reserved", "open"))
    log.record(1, "loan_refused", [3, 1], 1, "overdraft")
    log.record(1, "tie_lost", 6, 0)
    log.record(2, "relocation", [8], [2], Labelled("from=", np.array(["200046977"])))
    codes = np.array(["A", "B", "C"])
    frame = log.frame(codes, {"seed": 3, "levers": "x,y"})
    expected = pd.DataFrame({
        "month": [0, 0, 0, 1, 1, 1, 2],
        "kind": ["new_tie"] * 2 + ["tender_won"] + ["loan_refused"] * 2 + ["tie_lost",
                                                                           "relocation"],
        "agent": [4, 5, 2, 3, 1, 6, 8],
        "territory_code": ["B", "A", "C", "B", "B", "A", "C"],
        "details": ["firm=12", "firm=7", "reserved", "overdraft", "overdraft", "",
                    "from=200046977"],
    })
    expected["seed"] = 3
    expected["levers"] = pd.Categorical(["x,y"] * len(expected))  # stored once (frames.py)
    pd.testing.assert_frame_equal(frame, expected)
