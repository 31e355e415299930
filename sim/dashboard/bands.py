"""What a lever does across seeds: paired runs with and without it, for the lessons' bands.

One seed shows one draw of chance: on the classroom territories a lever's effect on a number
can change sign from one seed to the next. A lesson therefore answers with the effect over
`SEEDS` seeds (same seed with and without the levers, as the report pairs its runs), and says
"mixed" when the seeds disagree. Results are deterministic, so one computation per lesson serves
every session of the server. It runs in one worker process at low priority, never one per pupil:
in a thread of the server it held Python's lock and slowed every pupil's page.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sim.api import build_model
from sim.dashboard.adapter import Settings, latest, overrides
from sim.dashboard.costs import JOB_COLUMNS

SEEDS = tuple(range(1, 11))
# A direction holds when at least this share of seeds agree on the sign of the effect (9 of 10).
AGREEMENT = 0.9


@dataclass(frozen=True)
class Band:
    """Per-seed effects (with minus without) of the lesson's levers on one outcome."""

    outcome: str
    month: int
    seeds: tuple[int, ...]
    effects: tuple[float, ...]

    @property
    def low(self) -> float:
        return float(np.min(self.effects))

    @property
    def high(self) -> float:
        return float(np.max(self.effects))

    @property
    def median(self) -> float:
        return float(np.median(self.effects))

    @property
    def direction(self) -> str:
        return direction(self.effects)


def direction(effects) -> str:
    """'up' or 'down' when at least `AGREEMENT` of the seeds agree on the sign, else 'mixed'."""
    values = np.asarray(effects, float)
    if (values > 0).mean() >= AGREEMENT:
        return "up"
    if (values < 0).mean() >= AGREEMENT:
        return "down"
    return "mixed"


def outcome_value(ts: pd.DataFrame, territory: pd.DataFrame, outcome: str) -> float:
    """A run's outcome: 'ess_job_years' (Σ monthly jobs / 12); 'column@archetype', the column
    summed over the territories of that archetype in the latest month (`territory`); else a
    time-series column's last value (stocks, and costs the model already cumulates)."""
    if ts.empty:
        return 0.0
    if outcome == "ess_job_years":
        return float(ts[list(JOB_COLUMNS)].sum(axis=1).sum() / 12)
    if "@" in outcome:
        column, archetype = outcome.split("@")
        return float(territory.loc[territory["archetype"].astype(str) == archetype, column].sum())
    return float(ts[outcome].iloc[-1])


@functools.lru_cache(maxsize=256)
def _run_value(run_overrides: tuple[str, ...], outcome: str, months: int) -> float:
    """A run's outcome after `months` months. Cached: every lesson with the same month shares
    its runs without levers (same seeds), half of the work of a second lesson."""
    model = build_model(list(run_overrides))
    for _ in range(months):
        if not model.running:
            break
        model.step()
    return outcome_value(model.timeseries_frame(), latest(model.territory_frame()), outcome)


def paired_effect(settings: Settings, outcome: str, months: int) -> float:
    """Outcome with the levers minus without, same seed, after `months` months."""
    with_levers, without = (tuple(overrides(settings, with_levers=w)) for w in (True, False))
    return _run_value(with_levers, outcome, months) - _run_value(without, outcome, months)


def compute_band(settings: Settings, outcome: str, months: int, seeds=SEEDS) -> Band:
    effects = tuple(paired_effect(replace(settings, seed=s), outcome, months) for s in seeds)
    return Band(outcome, months, tuple(seeds), effects)


# Below the server's priority: pupils' pages first, the bands with what is left.
WORKER_NICENESS = 10

_executor: ProcessPoolExecutor | None = None
_FUTURES: dict[tuple, Future] = {}
_LOCK = threading.Lock()


PARENT_CHECK_S = 2.0


def _init_worker() -> None:
    """Low priority, and leave with the server: a server stopped without shutting its pool down
    (killed, or its exit cut short) left its worker running, 200 MB each."""
    os.nice(WORKER_NICENESS)
    server = os.getppid()

    def leave_when_orphaned():
        while os.getppid() == server:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=leave_when_orphaned, daemon=True).start()


def _worker() -> ProcessPoolExecutor:
    """One worker process for the whole server, started at the first lesson."""
    global _executor
    if _executor is None:
        # Spawned, not forked: a fork of the server's threads could copy a held lock.
        _executor = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
        )
    return _executor


def band_future(settings: Settings, outcome: str, months: int) -> Future:
    """The band of `settings` (seed ignored), computed once per server in the background.

    A computation that failed (its worker killed, say) is tried again at the next request, in a
    new worker; the page shows a failure as "not available", never as a crash.
    """
    global _executor
    key = (settings.territory, tuple(sorted(settings.levers.items())), outcome, months)
    with _LOCK:
        known = _FUTURES.get(key)
        if known is None or (known.done() and known.exception() is not None):
            try:
                _FUTURES[key] = _worker().submit(compute_band, settings, outcome, months)
            except BrokenProcessPool:
                _executor = None
                _FUTURES[key] = _worker().submit(compute_band, settings, outcome, months)
        return _FUTURES[key]
