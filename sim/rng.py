"""Named random streams spawned from one run seed (common random numbers).

Each stochastic process draws from its own generator, keyed by a stable name. Switching a lever
on therefore never shifts the draws of unrelated processes: replication k of every arm sees the
same exits, discoveries and tenders until the lever's own effects change the state.
"""

from __future__ import annotations

import zlib

import numpy as np


def _name_key(name: str) -> int:
    """A key stable across processes and PYTHONHASHSEED values (unlike ``hash``)."""
    return zlib.crc32(name.encode("utf-8"))


class RandomStreams:
    """A lazily built family of ``numpy.random.Generator`` objects, one per process name."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        stream = self._streams.get(name)
        if stream is None:
            sequence = np.random.SeedSequence(self.seed, spawn_key=(_name_key(name),))
            stream = np.random.Generator(np.random.PCG64(sequence))
            self._streams[name] = stream
        return stream
