"""Columnar event log: every entry, failure, site opening or closure, acquisition, new tie,
relocation, scale-up and insertion exit batch is recorded with month, agent and territory."""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd


class EventKind(StrEnum):
    ENTRY = "entry"
    FAILURE = "failure"
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


class EventLog:
    """Append-only event columns; vectorised appends keep it cheap at national scale."""

    def __init__(self):
        self._chunks: list[tuple[int, str, np.ndarray, np.ndarray, np.ndarray]] = []

    def record(self, month: int, kind: EventKind, agent, territory, details=None) -> None:
        agent = np.atleast_1d(np.asarray(agent, dtype=np.int64))
        if agent.size == 0:
            return
        territory = np.broadcast_to(np.asarray(territory, dtype=np.int64), agent.shape)
        if details is None:
            details = np.full(agent.shape, "", dtype=object)
        details = np.broadcast_to(np.asarray(details, dtype=object), agent.shape)
        self._chunks.append((month, str(kind), agent, territory.copy(), details.copy()))

    def count(self, kind: EventKind | None = None) -> int:
        return sum(c[2].size for c in self._chunks if kind is None or c[1] == kind)

    def frame(self, territory_codes: np.ndarray) -> pd.DataFrame:
        if not self._chunks:
            return pd.DataFrame(
                {
                    "month": pd.Series([], dtype="int64"),
                    "kind": pd.Series([], dtype="str"),
                    "agent": pd.Series([], dtype="int64"),
                    "territory_code": pd.Series([], dtype="str"),
                    "details": pd.Series([], dtype="str"),
                }
            )
        months = np.concatenate([np.full(c[2].size, c[0], np.int64) for c in self._chunks])
        kinds = np.concatenate([np.full(c[2].size, c[1], object) for c in self._chunks])
        agents = np.concatenate([c[2] for c in self._chunks])
        territories = np.concatenate([c[3] for c in self._chunks])
        details = np.concatenate([c[4] for c in self._chunks]).astype(str)
        return pd.DataFrame(
            {
                "month": months,
                "kind": kinds.astype(str),
                "agent": agents,
                "territory_code": territory_codes[territories].astype(str),
                "details": details,
            }
        )
