"""Members of groups (e.g. enterprises by territory) as sorted arrays, for vectorised draws."""

from __future__ import annotations

import numpy as np


class GroupIndex:
    """Rows grouped by an integer key; draws a uniform random member per requested group."""

    def __init__(self, keys: np.ndarray, rows: np.ndarray, n_groups: int):
        order = np.argsort(keys, kind="stable")
        self.members = rows[order]
        sorted_keys = keys[order]
        self.starts = np.searchsorted(sorted_keys, np.arange(n_groups), side="left")
        self.counts = np.searchsorted(sorted_keys, np.arange(n_groups), side="right") - self.starts

    def draw(self, groups: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        """One member per entry of ``groups`` (``-1`` where the group is empty)."""
        counts = self.counts[groups]
        offset = np.minimum((uniforms * counts).astype(np.int64), np.maximum(counts - 1, 0))
        picked = self.members[np.minimum(self.starts[groups] + offset, max(self.members.size - 1, 0))]
        return np.where(counts > 0, picked, -1) if self.members.size else np.full(groups.size, -1)
