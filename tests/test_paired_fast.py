"""`Paired.values` selects an arm's rows once, `stats._t` is cached, and paired differences and
relative effects skip the index join when the two runs' indexes are equal (issue 20: a faster
report, same tables): each must give what the code it replaced gave, bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from sim.experiments.analysis import Paired
from sim.experiments.report_regions import _relative
from sim.experiments.stats import _t, mean_ci, paired_difference

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


def _relative_by_join(arm: pd.Series, base: pd.Series) -> pd.Series:
    """What `report_regions._relative` computed before its fast path."""
    both = pd.concat([arm, base], axis=1, keys=["arm", "base"]).dropna()
    both = both[both.base != 0]
    return (both.arm - both.base) / both.base


def _difference_by_join(arm: pd.Series, base: pd.Series):
    """What `stats.paired_difference` computed before its fast path."""
    return mean_ci(arm.sub(base).dropna().to_numpy())


_VALUE = st.one_of(st.floats(-1e9, 1e9), st.just(0.0), st.just(-0.0), st.just(float("nan")))


@st.composite
def _pair(draw):
    seeds = draw(st.lists(st.integers(0, 30), min_size=0, max_size=25, unique=True))
    index = pd.MultiIndex.from_tuples([(s, -1) for s in seeds], names=["seed", "sample"])
    other = index if draw(st.booleans()) else pd.MultiIndex.from_tuples(
        [(s, -1) for s in draw(st.lists(st.integers(0, 30), max_size=25, unique=True))],
        names=["seed", "sample"])
    arm = pd.Series(draw(st.lists(_VALUE, min_size=len(index), max_size=len(index))),
                    index=index, dtype=float)
    base = pd.Series(draw(st.lists(_VALUE, min_size=len(other), max_size=len(other))),
                     index=other, dtype=float)
    return arm, base


@settings(max_examples=300, deadline=None)
@given(pair=_pair())
def test_fast_relative_and_difference_match_the_joins(pair):
    arm, base = pair
    got, expected = _relative(arm, base), _relative_by_join(arm, base)
    assert got.index.equals(expected.index) and list(got.index.names) == ["seed", "sample"]
    assert got.to_numpy().tobytes() == expected.to_numpy().tobytes()
    d, e = paired_difference(arm, base), _difference_by_join(arm, base)
    assert d.n == e.n
    for x, y in ((d.value, e.value), (d.low, e.low), (d.high, e.high)):
        assert np.array_equal(np.float64(x), np.float64(y), equal_nan=True)
        assert np.float64(x).tobytes() == np.float64(y).tobytes() or (np.isnan(x) and np.isnan(y))
