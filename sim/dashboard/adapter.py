"""The dashboard's only door into the model.

The page never touches the model directly: it builds a `Run` from `Settings`; this module turns
them into the Hydra overrides of `sim.api.build_model` and reads back the frames of the public
contract (docs/ARCHITECTURE.md). Keeping that contract in one place kept the page buildable
before the model existed, and makes each run reproducible from the command line: `Run.overrides`
is exactly what ``python -m sim`` takes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pandas as pd

from sim.api import build_model
from sim.policies import REGISTRY
from sim.territories.real import national

# Display order, related levers side by side; a lever the model gains later still shows, after
# these, under its config name.
_ORDER = (
    "land_trust",
    "brownfields",
    "reserved_markets",
    "impact_vat",
    "conditional_aid",
    "matchmaking",
    "industrial_cooperation",
    "impact_finance",
    "hr_pooling",
)
LEVERS = tuple(n for n in _ORDER if n in REGISTRY) + tuple(sorted(set(REGISTRY) - set(_ORDER)))

# Columns of the territory panel the map can be coloured by.
MAP_OUTPUTS = (
    "ess_jobs_total",
    "ess_jobs_permanent",
    "ess_jobs_insertion",
    "ess_jobs_adapted",
    "ess_enterprises",
    "insertion_exits_employment",
    "ess_industry_ties",
    "mean_rent_ess_eur_m2",
    "industrial_jobs",
    "public_cost_eur",
)

CLASSROOM = "classroom"


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


def regions() -> dict[str, str]:
    """INSEE region code -> region name, in alphabetical order of name."""
    table = national()
    pairs = {
        (str(code), str(name)) for code, name in zip(table.region_code, table.region, strict=True)
    }
    return dict(sorted(pairs, key=lambda pair: pair[1]))


def territory_overrides(territory: str) -> list[str]:
    """Overrides selecting the synthetic classroom set or one real region (by INSEE code)."""
    if territory == CLASSROOM:
        return ["territory=classroom"]
    # The label names the run's output folder, hence the code rather than an accented name.
    return [
        "territory.kind=region",
        f"territory.codes=['{territory}']",  # quoted: '01' is Guadeloupe, 1 is nothing
        f"territory.label=region_{territory}",
    ]


def overrides(settings: Settings, *, with_levers: bool = True) -> list[str]:
    """Hydra overrides for `settings`, or for the same world with no lever at all."""
    levers = sorted(settings.levers) if with_levers else []
    out = [*territory_overrides(settings.territory), f"seed={settings.seed}"]
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


def latest(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["month"] == frame["month"].max()] if len(frame) else frame


class Run:
    """One visitor's simulation: the model with its levers and, side by side, its twin without.

    The play loop steps in a background thread while the page renders from another, so every
    access to the models goes through one lock.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.overrides = overrides(settings)
        self.model = build_model(self.overrides)
        paired = settings.side_by_side and settings.levers
        self.baseline = build_model(overrides(settings, with_levers=False)) if paired else None
        self.territories = self.model.territories
        self._lock = threading.Lock()

    def _models(self) -> list:
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
                territory=latest(self.model.territory_frame()),
                ties=self.model.ties_frame(),
                baseline_timeseries=None if base is None else base.timeseries_frame(),
                baseline_territory=None if base is None else latest(base.territory_frame()),
            )

    def enterprise(self, index: int) -> dict | None:
        """The inspector's view of enterprise `index`, or None when there is none."""
        if index < 0:  # numpy would count from the end
            return None
        with self._lock:
            try:
                return self.model.enterprise_snapshot(index)
            except (IndexError, KeyError):
                return None
