"""The dashboard's only door into the model.

The page never imports the model directly: it builds a `Run` from `Settings`, and this module turns
them into the Hydra-style overrides of `sim.api.build_model` and reads back the frames the contract
promises. Keeping that contract in one place lets a stand-in model be swapped in with
``ESS_DASHBOARD_BUILDER=module:function`` (the browser tests used one before the model existed)
and makes each run reproducible from the command line: `Run.overrides` is exactly what
``python -m sim`` needs.
"""

from __future__ import annotations

import functools
import importlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

LEVERS = (
    "land_trust",
    "reserved_markets",
    "impact_vat",
    "conditional_aid",
    "matchmaking",
    "impact_finance",
    "brownfields",
    "hr_pooling",
    "industrial_cooperation",
)

OUTPUTS = (
    "ess_jobs_permanent",
    "ess_jobs_insertion",
    "ess_jobs_adapted",
    "ess_enterprises",
    "ess_scaled_up",
    "insertion_exits_employment",
    "public_cost_eur",
    "ess_industry_ties",
)

CLASSROOM = "classroom"
DEFAULT_BUILDER = "sim.api:build_model"
EPCI_TABLE = Path(__file__).resolve().parents[1] / "territories" / "data" / "epci_france.csv"


def load_builder() -> Callable[[list[str]], Any]:
    """Return the model factory named by ESS_DASHBOARD_BUILDER (default: the real model)."""
    module, _, attr = os.environ.get("ESS_DASHBOARD_BUILDER", DEFAULT_BUILDER).partition(":")
    return getattr(importlib.import_module(module), attr)


@dataclass(frozen=True)
class Settings:
    """What a visitor chose; a new `Run` is built from it at each reset.

    Attributes:
        territory: ``"classroom"`` for the synthetic archetypes, else an INSEE region code.
        seed: run seed; the same seed with and without levers gives a paired comparison.
        levers: active lever name -> intensity in [0, 1].
        side_by_side: also run the same seed without any lever.
    """

    territory: str = CLASSROOM
    seed: int = 1
    levers: dict[str, float] = field(default_factory=dict)
    side_by_side: bool = False


@functools.cache
def regions() -> dict[str, str]:
    """INSEE region code -> region name, in alphabetical order of name."""
    table = pd.read_csv(EPCI_TABLE, usecols=["region_code", "region"], dtype=str)
    return dict(sorted(table.drop_duplicates().itertuples(index=False), key=lambda r: r[1]))


def territory_overrides(territory: str) -> list[str]:
    """Overrides selecting the synthetic classroom set or one real region."""
    if territory == CLASSROOM:
        return ["territory=classroom"]
    return ["territory=region", f"territory.region_code={territory}"]


def overrides(settings: Settings, *, with_levers: bool = True) -> list[str]:
    """Hydra overrides for `settings`, or for the same world with no lever at all."""
    levers = sorted(settings.levers) if with_levers else []
    out = territory_overrides(settings.territory) + [f"seed={settings.seed}"]
    out.append(f"policies=[{','.join(levers)}]")
    out += [f"policies.{name}.intensity={settings.levers[name]:g}" for name in levers]
    return out


@dataclass(frozen=True)
class Frames:
    """A consistent snapshot of what the page draws, taken between two steps."""

    month: int
    running: bool
    timeseries: pd.DataFrame
    territory: pd.DataFrame
    ties: pd.DataFrame
    baseline_timeseries: pd.DataFrame | None
    baseline_territory: pd.DataFrame | None


def _latest(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["month"] == frame["month"].max()] if len(frame) else frame


class Run:
    """One visitor's simulation: the model with its levers and, side by side, its twin without.

    The play loop steps in a background thread while the page renders from another, so every
    access to the models goes through one lock.
    """

    def __init__(self, settings: Settings, build: Callable[[list[str]], Any] | None = None):
        build = build or load_builder()
        self.settings = settings
        self.overrides = overrides(settings)
        self.model = build(self.overrides)
        paired = settings.side_by_side and settings.levers
        self.baseline = build(overrides(settings, with_levers=False)) if paired else None
        self.territories = self.model.territories
        self._lock = threading.Lock()

    def _models(self) -> list[Any]:
        return [m for m in (self.model, self.baseline) if m is not None]

    @property
    def month(self) -> int:
        return int(self.model.month)

    @property
    def running(self) -> bool:
        return bool(self.model.running)

    def step(self) -> int:
        """Advance every model still running by one month; return the new month."""
        with self._lock:
            for model in self._models():
                if model.running:
                    model.step()
            return self.month

    def frames(self) -> Frames:
        with self._lock:
            base = self.baseline
            return Frames(
                month=self.month,
                running=self.running,
                timeseries=self.model.timeseries_frame(),
                territory=_latest(self.model.territory_frame()),
                ties=self.model.ties_frame(),
                baseline_timeseries=None if base is None else base.timeseries_frame(),
                baseline_territory=None if base is None else _latest(base.territory_frame()),
            )

    def enterprise(self, index: int) -> dict | None:
        """The inspector's view of enterprise `index`, or None when there is none."""
        with self._lock:
            try:
                return self.model.enterprise_snapshot(index)
            except (IndexError, KeyError):
                return None
