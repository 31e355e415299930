"""`Paired.values` selects an arm's rows once and `stats._t` is cached (issue 20: a faster
report, same tables): both must give what the calls they replaced gave."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from sim.experiments.analysis import Paired
from sim.experiments.stats import _t

ARMS = ["baseline", "land_trust", "impact_vat"]


@st.composite
def _runs(draw):
    keys = draw(st.lists(st.tuples(st.sampled_from(ARMS), st.integers(0, 6),
                                   st.one_of(st.none(), st.integers(0, 2))),
                         min_size=1, max_size=30, unique=True))
    values = draw(st.lists(st.one_of(st.floats(-1e6, 1e6), st.just(float("nan"))),
                           min_size=len(keys), max_size=len(keys)))
    return pd.DataFrame({"arm": [k[0] for k in keys], "seed": [k[1] for k in keys],
                         "sample": pd.array([k[2] for k in keys], dtype="Int64"),
                         "jobs": values, "count": np.arange(len(keys))})


@settings(max_examples=80, deadline=None)
@given(frame=_runs(), order=st.permutations(ARMS * 2))
def test_values_are_the_arms_rows_as_loc_selected_them(frame, order):
    paired = Paired(frame)
    for arm in order:  # repeated and in any order: the cache never changes an answer
        for key in ("jobs", "count"):
            got = paired.values(arm, key)
            if arm not in paired.arms:
                assert got.empty
                continue
            expected = paired.frame.loc[arm, key].astype(float)
            pd.testing.assert_series_equal(got, expected)
            assert got.to_numpy().tobytes() == expected.to_numpy().tobytes()


def test_the_cached_t_quantile_is_scipys():
    for n in (2, 3, 5, 20, 21, 200):
        for level in (0.9, 0.95, 0.99):
            assert _t(n, level) == float(scipy_stats.t.ppf(0.5 + level / 2, n - 1))
