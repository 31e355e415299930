"""The sort-free key helpers of ``sim.grouping`` give exactly what the NumPy calls they replace
give, so the tie graph's orders and the draws among a territory's enterprises keep their bytes."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.grouping import GroupIndex, dense_inverse, dense_unique, stable_order

keys = st.lists(st.integers(0, 299), max_size=400).map(lambda k: np.array(k, dtype=np.int64))


@settings(max_examples=200, deadline=None)
@given(keys)
def test_dense_unique_and_inverse_equal_numpy_unique(k):
    unique, inverse = np.unique(k, return_inverse=True)
    found = dense_unique(k, 300)
    assert found.dtype == unique.dtype and np.array_equal(found, unique)
    assert np.array_equal(dense_inverse(k, 300), inverse)


@settings(max_examples=200, deadline=None)
@given(keys, st.sampled_from([300, 1 << 16, (1 << 16) + 1, 1 << 20]))
def test_stable_order_is_numpy_stable_argsort(k, n_groups):
    """Narrow keys (radix sort) and wide keys (NumPy's own path) give the stable order."""
    k = k.astype(np.int32)
    assert np.array_equal(stable_order(k, n_groups), np.argsort(k, kind="stable"))


def test_group_members_in_key_then_row_order():
    """Members of a group keep their row order: a draw's result depends on it."""
    k = np.array([2, 0, 2, 1, 0, 2], dtype=np.int32)
    rows = np.array([10, 11, 12, 13, 14, 15])
    index = GroupIndex(k, rows, 3)
    assert index.members.tolist() == [11, 14, 13, 10, 12, 15]
    assert index.draw(np.array([2, 2, 0]), np.array([0.0, 0.99, 0.6])).tolist() == [10, 15, 14]
