"""Members of groups (e.g. enterprises by territory) as sorted arrays, for vectorised draws."""

from __future__ import annotations

import numpy as np


class GroupIndex:
    """Rows grouped by an integer key; draws a uniform random member per requested group."""

    def __init__(self, keys: np.ndarray, rows: np.ndarray, n_groups: int):
        self.members = rows[stable_order(keys, n_groups)]
        self.counts = np.bincount(keys, minlength=n_groups)
        self.starts = self.counts.cumsum() - self.counts
        # no group empty (the usual case): every draw falls within its group, so ``draw``
        # needs neither the clamp to the last member nor the -1 of empty groups
        self.none_empty = bool(self.counts.all())

    def draw(self, groups: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        """One member per entry of ``groups`` (``-1`` where the group is empty)."""
        if not self.members.size:
            return np.full(groups.size, -1)
        counts = self.counts[groups]
        if self.none_empty:
            # counts >= 1: ``max(counts - 1, 0)`` is ``counts - 1``, and start + offset stays
            # below start + count <= members.size (the same members as below)
            offset = np.minimum((uniforms * counts).astype(np.int64), counts - 1)
            return self.members[self.starts[groups] + offset]
        offset = np.minimum((uniforms * counts).astype(np.int64), np.maximum(counts - 1, 0))
        picked = self.members[np.minimum(self.starts[groups] + offset, self.members.size - 1)]
        return np.where(counts > 0, picked, -1)


def stable_order(keys: np.ndarray, n_groups: int) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for keys in ``[0, n_groups)``: the same permutation
    (a stable order is unique), sorted as 16-bit keys when they fit, which NumPy radix-sorts
    in linear time (a national territory key, 1,253 groups: several times faster)."""
    if n_groups <= 1 << 16:
        keys = keys.astype(np.uint16)
    return np.argsort(keys, kind="stable")


def rounds(keys: np.ndarray) -> list[np.ndarray]:
    """Indices of entries by round: round k holds each group's k-th entry, in array order.

    A sequential allocation (each buyer's lots in turn, each territory's requests in turn) then
    runs vectorised, one round at a time, with the same arithmetic in the same order within a
    group as a loop over entries; groups never meet within a round.
    """
    if keys.size == 0:
        return []
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    first = np.ones(keys.size, dtype=bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    position = np.arange(keys.size)
    rank = np.empty(keys.size, dtype=np.int64)
    rank[order] = position - np.maximum.accumulate(np.where(first, position, 0))
    by_round = np.argsort(rank, kind="stable")
    return np.split(by_round, np.searchsorted(rank[by_round], np.arange(1, rank.max() + 1)))


def dense_unique(keys: np.ndarray, bound: int) -> np.ndarray:
    """``np.unique(keys)`` for non-negative integer keys below ``bound``, by marking them in a
    mask: linear, no sort. A firm–sector key (firms × sectors, ~250k nationally) over ~100k
    ties costs a tenth of sorting them."""
    mask = np.zeros(bound, dtype=bool)
    mask[keys] = True
    return mask.nonzero()[0]


def dense_inverse(keys: np.ndarray, bound: int) -> np.ndarray:
    """``np.unique(keys, return_inverse=True)[1]`` for non-negative integer keys below
    ``bound``: each key's rank among the distinct keys, without sorting them."""
    mask = np.zeros(bound, dtype=bool)
    mask[keys] = True
    distinct = mask.nonzero()[0]
    # ranks written at the distinct keys only: a cumulative sum over the whole ``bound``
    # (~250k firm–sector keys nationally) cost four times as much, for the same ranks
    rank = np.empty(bound, dtype=np.intp)
    rank[distinct] = np.arange(distinct.size)
    return rank[keys]
