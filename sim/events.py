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
    """

    def __init__(self):
        self._chunks: list[tuple[int, str, np.ndarray, np.ndarray, object]] = []
        # Events recorded so far, by kind, kept as they are appended: `count` is read every
        # month by the dashboard's feed, and summing the chunks grew with the run.
        self._counts: dict[str, int] = {}
        self._total = 0

    def record(self, month: int, kind: EventKind, agent, territory, details=None) -> None:
        agent = np.array(agent, dtype=np.int64, ndmin=1)
        if agent.size == 0:
            return
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
        kinds = sorted({c[1] for c in self._chunks})
        kind_of = np.repeat([kinds.index(c[1]) for c in self._chunks], sizes)
        return tagged_frame({
            "month": np.repeat(np.array([c[0] for c in self._chunks], np.int64), sizes),
            "kind": strings(kinds).take(kind_of),
            "agent": np.concatenate([c[2] for c in self._chunks]),
            "territory_code": strings(territory_codes).take(
                np.concatenate([c[3] for c in self._chunks])),
            "details": pa.concat_arrays([_details(c[4], c[2].size) for c in self._chunks]),
        }, tags or {})


def _details(details, size: int) -> pa.Array:
    if isinstance(details, str):
        return pa.repeat(pa.scalar(details, pa.large_string()), size)
    if isinstance(details, Labelled):
        values = pc.cast(pa.array(details.values), pa.large_string())
        prefix, separator = (pa.scalar(x, pa.large_string()) for x in (details.prefix, ""))
        return pc.binary_join_element_wise(prefix, values, separator)
    return pa.array(details, pa.large_string())
