"""The lever plugin interface.

A lever is one module in ``sim/policies/`` and one YAML in ``configs/policies/``. Each month it
writes what it does into ``PolicyEffects`` (the model reads effects, never lever names: the
baseline is simply "no plugins"), then books what it cost the public purse and whom it reached.
A lever draws random numbers only from its own stream, so at zero intensity it leaves the
baseline untouched, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from sim.ledger import Sector
from sim.spec import param
from sim.vocabulary import ARCHETYPES, DENSITY_CLASSES


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


@dataclass
class LeverParams:
    """Settings every lever shares: dose, timing and targeting."""

    intensity: float = param(1.0, unit="share of full dose", low=0.0, high=1.0,
                             assumption="0 = lever off (reproduces the baseline), 1 = full dose")
    start_month: int = param(0, unit="month", low=0, high=10000, assumption="first active month")
    phase_in_months: int = param(0, unit="months", low=0, high=600,
                                 assumption="linear ramp from 0 to full intensity")
    target: Targeting = field(default_factory=Targeting)


class PolicyEffects:
    """What all active levers do this month, as arrays over territories or plain numbers.

    Neutral values mean "no lever": the model's arithmetic with neutral effects is the baseline.
    """

    def __init__(self, n_territories: int):
        z = np.zeros(n_territories)
        # brake 4 (premises)
        self.trust_rent_discount = z.copy()          # share below market rent in trust premises
        self.trust_priority = z.copy()               # 1 = ESS tenants get trust space first
        # public procurement (brake 2)
        self.reserved_share = z.copy()               # share of lots reserved to IAE/EA
        self.allotment_divisor = np.ones(n_territories)  # lots split so small bidders can bid
        self.joint_bids = z.copy()                   # 1 = groupements momentanés allowed
        # impact VAT
        self.ess_vat_rate: float | None = None       # None = standard rate
        self.vat_pass_through = 0.0
        # brake 1 (mutual ignorance) and industrial cooperation
        self.discovery_boost = z.copy()              # relative boost of discovery probability
        self.ess_spend_boost = z.copy()              # relative boost of firms' spend on known ESS
        self.feedstock_boost = z.copy()              # share of lost feedstock won back
        self.implant_rate = z.copy()                 # chance/month a tie becomes an implant
        # brake 3 (finance)
        self.guarantee_boost = z.copy()              # share of refusals turned into approvals
        self.guarantee_share = z.copy()              # share of a new loan the fund guarantees
        self.equity_for_closed_forms = z.copy()      # chance a closed form raises equity (holding)
        # conditional aid to industry (brakes 1-2)
        self.aid_conditional_dose = 0.0              # share of aided firms the condition reaches
        self.aid_conditional_mask = z.copy()         # territories whose Region applies it
        self.aid_threshold_eur = float("inf")        # aid above which the condition binds
        self.aid_voluntary_compliance = 0.0          # chance a firm below threshold complies
        # brake 5 (human resources)
        self.support_turnover_cut = z.copy()         # share of support turnover avoided
        self.skill_boost = z.copy()                  # share of the skill gap closed
        self.graduate_hiring_boost = z.copy()        # relative boost of industry hiring graduates


class Policy:
    """Base class of a lever; subclasses set ``name``, ``brake``, ``Params`` and override hooks."""

    name: ClassVar[str]
    brake: ClassVar[str]
    Params: ClassVar[type[LeverParams]] = LeverParams

    def __init__(self, params: LeverParams, model):
        self.params = params
        self.model = model
        self.rng = model.streams[f"policy.{self.name}"]
        self.mask = model.territory_mask(params.target)
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

    def apply(self, effects: PolicyEffects, month: int) -> None:
        """Write this month's effects (before markets clear)."""

    def book(self, month: int) -> float:
        """Book public cost for the month through the ledger; return the euros booked."""
        return 0.0

    def spend(self, payer: Sector, payee: Sector, by_territory: np.ndarray, flow: str) -> float:
        """Pay a programme's cost of the month through the ledger and book it as public cost."""
        total = float(by_territory.sum())
        if total > 0:
            self.model.ledger.pay_sector_to_sector(payer, payee, total, f"{self.name}_{flow}")
        return self.booked(by_territory)

    def booked(self, by_territory: np.ndarray) -> float:
        """Book public euros located on territories (spent or forgone); returns their total."""
        self.model.record_public_cost(self.name, by_territory)
        total = float(by_territory.sum())
        self.cost_total += total
        return total

    def reach(self, rows: np.ndarray) -> None:
        """Remember the enterprises or firms (rows) the lever reached; each counts once."""
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
        from dataclasses import asdict

        return asdict(self.params)
