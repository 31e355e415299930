"""The lever plugin interface.

A lever is one module in ``sim/policies/`` and one YAML in ``configs/policies/``. Each month it
writes what it does into the groups of ``sim.effects.Effects`` that its phases read (the model
reads effects, never lever names: the baseline is simply "no plugins"), may act in the one phase
it hooks into (``introductions``: the supplier-discovery phase), then books what it cost the
public purse and whom it reached, reading the month record (``model.now``) and the world
(``model.world``). Its hooks run only in months its dose is positive. A lever draws random
numbers only from its own streams, so at zero intensity it leaves the baseline untouched, byte
for byte.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import ClassVar

import numpy as np

from sim.effects import Effects
from sim.ledger import Sector
from sim.spec import param
from sim.vocabulary import ARCHETYPES, DENSITY_CLASSES


@dataclass(frozen=True)
class Label:
    """A lever's name for readers, in English and French (``label["fr"]``)."""

    en: str
    fr: str

    def __getitem__(self, language: str) -> str:
        return getattr(self, language)


@dataclass
class Targeting:
    """Which territories a lever reaches (empty list = all). ``param`` gives list defaults a
    ``default_factory``, so they are not shared between instances (hence the RUF009 waivers)."""

    density_classes: list[str] = param(
        [], unit="classes", choices=DENSITY_CLASSES, assumption="targeting")
    archetypes: list[str] = param(
        [], unit="archetypes", choices=ARCHETYPES, assumption="targeting")
    regions: list[str] = param(
        [], unit="region codes or names", assumption="targeting")

    def mask(self, territories) -> np.ndarray:
        """1.0 for the territories the targeting reaches, else 0.0."""
        t = territories
        reached = np.ones(len(t), dtype=bool)
        if self.density_classes:
            reached &= np.isin(t.density_class, self.density_classes)
        if self.archetypes:
            reached &= np.isin(t.archetype, self.archetypes)
        if self.regions:
            wanted = [str(r) for r in self.regions]
            reached &= np.isin(t.region_code, wanted) | np.isin(t.region, wanted)
        return reached.astype(float)


@dataclass
class LeverParams:
    """Settings every lever shares: dose, timing and targeting."""

    intensity: float = param(1.0, unit="share of full dose", low=0.0, high=1.0,
                             assumption="0 = lever off (reproduces the baseline), 1 = full dose")
    start_month: int = param(0, unit="month", low=0, high=10000, assumption="first active month")
    phase_in_months: int = param(0, unit="months", low=0, high=600,
                                 assumption="linear ramp from 0 to full intensity")
    target: Targeting = field(default_factory=Targeting)


class Policy:
    """Base class of a lever; subclasses set ``name``, ``brake``, ``label``, ``Params`` and
    override the hooks ``act``, ``introductions`` and ``cost``."""

    name: ClassVar[str]
    brake: ClassVar[str]
    label: ClassVar[Label]  # the lever's name for readers
    Params: ClassVar[type[LeverParams]] = LeverParams

    def __init__(self, params: LeverParams, model):
        self.params = params
        self.model = model
        self.mask = params.target.mask(model.world.territories)
        self.cost_total = 0.0
        self.reached_total = 0
        self._reached = np.zeros(0, dtype=bool)

    def dose(self, month: int) -> float:
        """Intensity this month after start month and linear phase-in."""
        p = self.params
        if p.intensity <= 0.0 or month < p.start_month:
            return 0.0
        if p.phase_in_months <= 0:
            return p.intensity
        return p.intensity * min(1.0, (month - p.start_month + 1) / p.phase_in_months)

    def apply(self, effects: Effects, month: int) -> None:
        """Write this month's effects (before the phases run), if the lever is on."""
        dose = self.dose(month)
        if dose > 0:
            self.act(effects, dose)

    def book(self, month: int) -> float:
        """Book the month's public cost through the ledger; return the euros booked."""
        dose = self.dose(month)
        return self.cost(dose) if dose > 0 else 0.0

    # --- hooks, called only with a positive dose -----------------------------------------------
    def act(self, effects: Effects, dose: float) -> None:
        """Write the lever's effects into the groups the phases read."""

    def introductions(self, dose: float) -> np.ndarray | None:
        """Industrial firms the lever puts in touch with an ESS supplier this month (the
        supplier-discovery phase), or None."""
        return None

    def cost(self, dose: float) -> float:
        """Public euros of the month (spent through the ledger or forgone), booked."""
        return 0.0

    def spend(self, payer: Sector, payee: Sector, by_territory: np.ndarray, flow: str) -> float:
        """Pay a programme's cost of the month through the ledger and book it as public cost."""
        total = float(by_territory.sum())
        if total > 0:
            self.model.ledger.pay_sector_to_sector(payer, payee, total, f"{self.name}_{flow}")
        return self.booked(by_territory, payer)

    def booked(self, by_territory: np.ndarray, payer: Sector) -> float:
        """Book public euros located on territories (spent or forgone) against the payer that
        bears them; returns their total."""
        self.model.now.add_public_cost(by_territory, payer)
        total = float(by_territory.sum())
        self.cost_total += total
        return total

    def reach_enterprises(self, rows: np.ndarray) -> None:
        """Remember the enterprises (rows) the lever reached, by serial: a row is renumbered
        when failed enterprises are compacted away (a reference to a dropped one, -1, was
        reached while it lived)."""
        rows = np.asarray(rows, dtype=np.int64)
        self.reach(self.model.world.enterprises.serial[rows[rows >= 0]])

    def reach(self, rows: np.ndarray) -> None:
        """Remember the firms (rows) or enterprises (serials) the lever reached; each counts
        once."""
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0:
            return
        if rows.max() >= self._reached.size:
            grown = np.zeros(max(int(rows.max()) + 1, 2 * self._reached.size), dtype=bool)
            grown[: self._reached.size] = self._reached
            self._reached = grown
        self._reached[rows] = True
        self.reached_total = int(np.count_nonzero(self._reached))

    def settings(self) -> dict:
        return asdict(self.params)
