"""The dashboard's only door into the model.

The page never touches the model directly: it builds a `Run` from `Settings`; this module turns
them into the Hydra overrides of `sim.api.build_model` and reads back the frames of the public
contract (docs/ARCHITECTURE.md). Keeping that contract in one place kept the page buildable
before the model existed, and makes each run reproducible from the command line: `Run.overrides`
is exactly what ``python -m sim`` takes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

import pandas as pd

from sim.api import build_model
from sim.events import EventKind
from sim.policies import REGISTRY
from sim.territories import TerritorySelectionError
from sim.territories.real import national, normalise_codes, regions_with_population, select

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
FRANCE = "france"
# What a visitor can select, as the command line and the report: the synthetic classroom set,
# France, one region, one département, or a list of EPCIs (by SIREN).
TERRITORY_KINDS = (CLASSROOM, FRANCE, "region", "departement", "epci")
# Above this population a month costs more than a class can wait for between two frames:
# the largest region (Île-de-France, 12.4 M) still plays live, France does not (see
# docs/dashboard.md for the measured costs). Such a selection runs, with a warning.
LIVE_POPULATION_MAX = 13_000_000


@dataclass(frozen=True)
class Settings:
    """What a visitor chose; a new `Run` is built from it at each reset.

    Attributes:
        territory: a territory key (`territory_key`): ``"classroom"`` for the synthetic
            archetypes, ``"france"``, or ``"<kind>:<code>,<code>…"`` for a region, a
            département or a list of EPCIs; a bare code is a region (``"84"``).
        seed: run seed; the same seed with and without levers gives a paired comparison.
        levers: active lever name -> intensity in [0, 1].
        side_by_side: also run the same seed without any lever.
    """

    territory: str = CLASSROOM
    seed: int = 1
    levers: dict[str, float] = field(default_factory=dict)
    side_by_side: bool = False


def regions() -> dict[str, str]:
    """INSEE region code -> region name of every selectable region, in order of name."""
    return dict(sorted(regions_with_population().items(), key=lambda pair: pair[1]))


def departements() -> dict[str, str]:
    """Département code -> "code (region)" of every département holding a populated EPCI."""
    table = national()
    populated = ~table.population_missing
    pairs = zip(table.departement[populated].tolist(), table.region[populated].tolist(),
                strict=True)
    return {code: f"{code} ({region})" for code, region in sorted(dict(pairs).items())}


def territory_key(kind: str, codes=()) -> str:
    """The `Settings.territory` of a selection (codes normalised as the model reads them)."""
    if kind in (CLASSROOM, FRANCE):
        return kind
    return f"{kind}:{','.join(normalise_codes(kind, list(codes)))}"


def parse_territory(territory: str) -> tuple[str, list[str]]:
    """(kind, codes) of a territory key."""
    if territory in (CLASSROOM, FRANCE):
        return territory, []
    kind, _, codes = territory.rpartition(":")
    kind = kind or "region"
    return kind, normalise_codes(kind, [c for c in codes.replace(" ", ",").split(",") if c])


def territory_overrides(territory: str) -> list[str]:
    """Overrides selecting the classroom set, France, or a region/département/EPCI list.

    The run's label (its output folder) follows the selection (`sim.territories.labels`)."""
    kind, codes = parse_territory(territory)
    if kind in (CLASSROOM, FRANCE):
        return [f"territory={kind}"]
    quoted = ",".join(f"'{c}'" for c in codes)  # quoted: '01' is Guadeloupe, 1 is nothing
    return [f"territory.kind={kind}", f"territory.codes=[{quoted}]"]


@dataclass(frozen=True)
class Size:
    """How big a selection is, and whether it plays live in a class."""

    territories: int
    population: float

    @property
    def live(self) -> bool:
        return self.population <= LIVE_POPULATION_MAX


def selection_size(territory: str) -> Size:
    """The selection's size, from the territories' own selection API.

    Raises:
        TerritorySelectionError: one line naming the field, for a selection the model refuses.
    """
    kind, codes = parse_territory(territory)
    if kind == CLASSROOM:
        return Size(0, 0.0)
    if kind not in TERRITORY_KINDS:
        raise TerritorySelectionError(
            f"territory.kind: unknown {kind!r}; allowed: {', '.join(TERRITORY_KINDS)}")
    selected = select(kind, codes)
    return Size(len(selected), float(selected.population.sum()))


def overrides(settings: Settings, *, with_levers: bool = True) -> list[str]:
    """Hydra overrides for `settings`, or for the same world with no lever at all."""
    levers = sorted(settings.levers) if with_levers else []
    out = [*territory_overrides(settings.territory), f"seed={settings.seed}"]
    out.append(f"policies=[{','.join(levers)}]")
    out += [f"policies.{name}.intensity={settings.levers[name]:g}" for name in levers]
    return out


# The "what happened" feed: events a pupil can picture (loans granted or refused and insertion
# exit batches are too many a month to read, and show in the charts).
FEED_KINDS = (
    EventKind.ENTRY, EventKind.FAILURE, EventKind.CLOSURE, EventKind.SITE_OPENING,
    EventKind.SITE_CLOSURE, EventKind.RELOCATION, EventKind.ACQUISITION, EventKind.SCALE_UP,
    EventKind.TENDER_WON, EventKind.NEW_TIE, EventKind.TIE_LOST, EventKind.LOAN_DEFAULT,
)
FEED_MONTHS = 12  # months of the feed kept on screen

# Hydra composes a config through one process-wide `GlobalHydra`, cleared and initialised by
# each composition: two sessions building their models at once (pupils arriving together) made
# one of them fail with "GlobalHydra is already initialized" (seen in the load benchmark, eighth
# session). Builds of one server process take turns.
_BUILD_LOCK = threading.Lock()


def _build_model(run_overrides: list[str]):
    with _BUILD_LOCK:
        return build_model(run_overrides)


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
    feed: tuple[tuple[int, dict[str, int]], ...] = ()  # (month, {event kind: count}), newest first


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
        self.model = _build_model(self.overrides)
        paired = settings.side_by_side and settings.levers
        self.baseline = _build_model(overrides(settings, with_levers=False)) if paired else None
        self.territories = self.model.territories
        self._lock = threading.Lock()
        self._counted = self._event_counts()
        self._feed: list[tuple[int, dict[str, int]]] = []
        # Frames read back since the last step, by (model, table): a table is built once per
        # month however many times the page reads it (`_frame`).
        self._read: dict[tuple[int, str], pd.DataFrame] = {}

    def _event_counts(self) -> dict[str, int]:
        return {str(kind): self.model.events.count(kind) for kind in FEED_KINDS}

    def _record_feed(self) -> None:
        """What the month just simulated added to the event log, by kind (counts only: the
        whole log as a table grows with the run, 0.1 s at month 60 on the classroom set)."""
        counts = self._event_counts()
        new = {k: counts[k] - self._counted[k] for k in counts if counts[k] > self._counted[k]}
        self._counted = counts
        self._feed = [(self.month, new), *self._feed][:FEED_MONTHS]

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
            stepped = self.model.running
            for model in self._models():
                if model.running:
                    model.step()
            if stepped:
                self._record_feed()
            self._read.clear()  # a step changes every table
            return self.month

    def _frame(self, model, table: str) -> pd.DataFrame:
        """`model`'s ``<table>_frame()``, built once per month (under the lock).

        The model rebuilds its tables at each call (`timeseries_frame()`: 3–4 ms at month 60 on
        the classroom set, growing with the months), and the page reads the same month's tables
        several times: a render, the play loop's direct redraws, the slower views, the CSV. The
        frames handed out are the page's to read, never to modify."""
        key = (id(model), table)
        frame = self._read.get(key)
        if frame is None:
            frame = self._read[key] = getattr(model, f"{table}_frame")()
        return frame

    def frames(self, views: Frames | None = None) -> Frames:
        """What the page draws now; with `views` (an earlier snapshot), only the monthly series
        are read again and the territory panel, ties and feed are those of `views`: the slower
        views redraw less often, and their tables are not rebuilt for nothing."""
        with self._lock:
            base = self.baseline
            if views is not None:
                return replace(
                    views, month=self.month, running=self.running,
                    timeseries=self._frame(self.model, "timeseries"),
                    baseline_timeseries=None if base is None else self._frame(base, "timeseries"),
                )
            return Frames(
                month=self.month,
                running=self.running,
                timeseries=self._frame(self.model, "timeseries"),
                territory=latest(self._frame(self.model, "territory")),
                ties=self._frame(self.model, "ties"),
                baseline_timeseries=None if base is None else self._frame(base, "timeseries"),
                baseline_territory=None if base is None else latest(self._frame(base, "territory")),
                feed=tuple(self._feed),
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
