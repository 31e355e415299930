"""Columnar event log: every entry, failure, site opening or closure, acquisition, new tie,
relocation, scale-up and insertion exit batch is recorded with month, agent and territory."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sim.frames import strings, tagged_frame


class EventKind(StrEnum):
    ENTRY = "entry"
    FAILURE = "failure"
    CLOSURE = "closure"  # an established structure closing for a reason other than failure
    SITE_OPENING = "site_opening"
    SITE_CLOSURE = "site_closure"
    RELOCATION = "relocation"
    ACQUISITION = "acquisition"
    NEW_TIE = "new_tie"
    TIE_LOST = "tie_lost"
    SCALE_UP = "scale_up"
    LOAN_GRANTED = "loan_granted"
    LOAN_REFUSED = "loan_refused"
    LOAN_DEFAULT = "loan_default"
    TENDER_WON = "tender_won"
    INSERTION_EXITS = "insertion_exits"


@dataclass(frozen=True)
class Labelled:
    """Details ``prefix + str(value)`` per event (e.g. ``firm=123``), formatted only when the
    frame is built: a national run records ~10^6 events, most of them carrying a number."""

    prefix: str
    values: np.ndarray


class EventLog:
    """Append-only event columns; vectorised appends keep it cheap at national scale.

    ``details`` is None, one string for the whole batch, an array of strings, or ``Labelled``.
    Agents are recorded by the enterprise table's ``serial`` (``enterprises``, when given): an
    enterprise keeps its name when compaction renumbers the rows (``sim.compaction``).
    """

    def __init__(self, enterprises=None):
        self.enterprises = enterprises
        self._chunks: list[tuple[int, str, np.ndarray, np.ndarray, object]] = []
        # Events recorded so far, by kind, kept as they are appended: `count` is read every
        # month by the dashboard's feed, and summing the chunks grew with the run.
        self._counts: dict[str, int] = {}
        self._total = 0

    def record(self, month: int, kind: EventKind, agent, territory, details=None) -> None:
        agent = np.array(agent, dtype=np.int64, ndmin=1)
        if agent.size == 0:
            return
        if self.enterprises is not None:
            agent = self.enterprises.serial[agent]
        territory = np.array(territory, dtype=np.int64, ndmin=1)
        if territory.shape != agent.shape:
            territory = np.broadcast_to(territory, agent.shape).copy()
        if isinstance(details, Labelled):
            details = Labelled(details.prefix, np.array(details.values))
        elif details is None or isinstance(details, str):
            details = details or ""
        else:
            details = np.array(details, dtype=str)
        kind = str(kind)
        self._chunks.append((month, kind, agent, territory, details))
        self._counts[kind] = self._counts.get(kind, 0) + agent.size
        self._total += agent.size

    def count(self, kind: EventKind | None = None) -> int:
        """Events recorded, of `kind` or of every kind (kept up to date by `record`)."""
        return self._total if kind is None else self._counts.get(str(kind), 0)

    def scanned_count(self, kind: EventKind | None = None) -> int:
        """`count` by summing the recorded chunks (what `count` must equal; for tests)."""
        return sum(c[2].size for c in self._chunks if kind is None or c[1] == kind)

    def frame(self, territory_codes: np.ndarray, tags: dict | None = None) -> pd.DataFrame:
        """The log as a frame, plus a constant column per tag (``sim.frames.tagged_frame``)."""
        if not self._chunks:
            frame = pd.DataFrame(
                {
                    "month": pd.Series([], dtype="int64"),
                    "kind": pd.Series([], dtype="str"),
                    "agent": pd.Series([], dtype="int64"),
                    "territory_code": pd.Series([], dtype="str"),
                    "details": pd.Series([], dtype="str"),
                }
            )
            for name, value in (tags or {}).items():
                frame[name] = value
            return frame
        sizes = [c[2].size for c in self._chunks]
        # the details first: their strings pass through a few copies, which peak while the other
        # columns do not exist yet (a national 50-year run: ~7 M events, ~0.45 GB at that peak)
        details = _details_column([c[4] for c in self._chunks], sizes)
        kinds = sorted({c[1] for c in self._chunks})
        kind_of = np.repeat([kinds.index(c[1]) for c in self._chunks], sizes)
        return tagged_frame({
            "month": np.repeat(np.array([c[0] for c in self._chunks], np.int64), sizes),
            "kind": strings(kinds).take(kind_of),
            "agent": np.concatenate([c[2] for c in self._chunks]),
            "territory_code": strings(territory_codes).take(
                np.concatenate([c[3] for c in self._chunks])),
            "details": details,
        }, tags or {}, owned=True)


def _details_column(details: list, sizes: list[int]) -> pa.Array:
    """Every chunk's details, one row per event: ``_details`` of each chunk concatenated, built
    in a few Arrow calls rather than a few per chunk (a regional run logs ~1,700 chunks: ~30 ms
    of CPU a run in per-chunk calls). Strings shared by a whole chunk are stored once, the
    ``Labelled`` values of one number type and prefix formatted in one cast and one join (the
    prefix a scalar: no prefix column as long as the log), the string arrays
    converted together; each row then takes its string from that pool. The same strings, row by
    row (tests/test_event_details.py checks it against the per-chunk concatenation)."""
    sizes_np = np.asarray(sizes, np.int64)
    constants: dict[str, int] = {}
    labelled: dict[tuple[np.dtype, str], list[int]] = {}
    texts: list[int] = []
    alone: list[int] = []  # Labelled with values other than numbers: formatted chunk by chunk
    for i, d in enumerate(details):
        if isinstance(d, str):
            constants.setdefault(d, len(constants))
        elif isinstance(d, Labelled):
            if d.values.dtype.kind in "biuf":
                labelled.setdefault((d.values.dtype, d.prefix), []).append(i)
            else:
                alone.append(i)
        else:
            texts.append(i)
    start = np.zeros(len(details), np.int64)  # each chunk's first string in the pool
    step = np.ones(len(details), np.int64)  # 0: every row of the chunk takes the same string
    pool = [pa.array(list(constants), pa.large_string())]
    filled = len(constants)
    for i, d in enumerate(details):
        if isinstance(d, str):
            start[i], step[i] = constants[d], 0
    for members in [*labelled.values(), *([texts] if texts else []), *([i] for i in alone)]:
        offsets = np.cumsum(sizes_np[members]) - sizes_np[members]
        start[members] = filled + offsets
        if members[0] in alone:
            part = _details(details[members[0]], sizes[members[0]])
        elif isinstance(details[members[0]], Labelled):  # one prefix, joined to every value
            values = pc.cast(pa.array(np.concatenate([details[i].values for i in members])),
                             pa.large_string())
            part = pc.binary_join_element_wise(pa.scalar(details[members[0]].prefix,
                                                         pa.large_string()),
                                               values, pa.scalar("", pa.large_string()))
        else:
            part = pa.array(np.concatenate([details[i] for i in members]), pa.large_string())
        pool.append(part)
        filled += len(part)
    first_row = np.cumsum(sizes_np) - sizes_np
    # start + step * (row - first row of its chunk), in place: one row-long temporary at a time
    # (a national 50-year run logs ~7 M events, 56 MB an int64 column)
    index = np.arange(int(sizes_np.sum()), dtype=np.int64)
    index -= np.repeat(first_row, sizes_np)
    index *= np.repeat(step, sizes_np)
    index += np.repeat(start, sizes_np)
    every = pa.concat_arrays(pool)
    pool.clear()  # the parts go before the rows' strings are taken
    return every.take(index)


def _details(details, size: int) -> pa.Array:
    if isinstance(details, str):
        return pa.repeat(pa.scalar(details, pa.large_string()), size)
    if isinstance(details, Labelled):
        values = pc.cast(pa.array(details.values), pa.large_string())
        prefix, separator = (pa.scalar(x, pa.large_string()) for x in (details.prefix, ""))
        return pc.binary_join_element_wise(prefix, values, separator)
    return pa.array(details, pa.large_string())
