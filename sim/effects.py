"""What the active levers do this month, grouped by the phase that reads it.

Each month the levers write into a fresh ``Effects``; every phase and market receives only its
group. Neutral values mean "no lever": the model's arithmetic with neutral effects is the
baseline. Arrays are over territories; a lever scales its effect by its dose and targeting mask.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class PremisesEffects:
    """Premises market (brake 4)."""

    trust_rent_discount: np.ndarray   # share below market rent in trust premises
    trust_priority: np.ndarray        # 1 = ESS tenants get trust space first


@dataclass
class ProcurementEffects:
    """Public procurement (brake 2)."""

    reserved_share: np.ndarray        # share of lots reserved to IAE/EA
    allotment_divisor: np.ndarray     # lots split so small bidders can bid
    joint_bids: np.ndarray            # 1 = groupements momentanés allowed


@dataclass
class ConsumerEffects:
    """Household market: impact VAT."""

    ess_vat_rate: float | None = None  # None = standard rate
    vat_pass_through: float = 0.0


@dataclass
class TieEffects:
    """The economic graph (brake 1): discovery, trust, implants, committed buyers."""

    discovery_boost: np.ndarray       # relative boost of discovery probability
    trust_gain_boost: np.ndarray      # relative boost of trust gained per delivery
    implant_rate: np.ndarray          # chance/month a supply tie becomes an implant
    committed_buyers: np.ndarray | None = None  # per firm: bound to buy (aid commitment)


@dataclass
class ProductionEffects:
    """ESS capacity: support staff (brake 5)."""

    support_turnover_cut: np.ndarray  # share of support turnover avoided


@dataclass
class FeedstockEffects:
    """Waste-feedstock market (brake 2): consortium contracts."""

    consortium_lot_share: np.ndarray  # share of a partner firm's feedstock reserved to its ESS
    lot_consortia: np.ndarray         # chance local collectors bid jointly for an eco-organism lot


@dataclass
class CreditEffects:
    """Credit and equity (brake 3)."""

    guarantee_share: np.ndarray       # share of a viable borrower's new loan the fund covers
    guarantee_fee_rate: np.ndarray    # fund's fee, share of the guaranteed amount
    equity_for_closed_forms: np.ndarray  # chance a closed form raises equity (holding)
    public_equity_share: np.ndarray   # public investors' share of equity raised via a holding


@dataclass
class LabourEffects:
    """Insertion labour flow (brake 5)."""

    skill_boost: np.ndarray           # share of the skill gap closed
    graduate_hiring_boost: np.ndarray  # relative rise of industry's matching efficiency


class Effects:
    """All groups for one month, neutral until levers write into them."""

    def __init__(self, n_territories: int):
        def z():
            return np.zeros(n_territories)

        self.premises = PremisesEffects(z(), z())
        self.procurement = ProcurementEffects(z(), np.ones(n_territories), z())
        self.consumer = ConsumerEffects()
        self.ties = TieEffects(z(), z(), z())
        self.production = ProductionEffects(z())
        self.feedstock = FeedstockEffects(z(), z())
        self.credit = CreditEffects(z(), z(), z(), z())
        self.labour = LabourEffects(z(), z())
