"""Reserved public markets, allotment and joint bids (brake 2, competition).

Why: with higher unit costs ESS lose price-scored tenders, and a lot sized for a large firm is out
of reach of a single structure. The study (Levier n°5) asks public buyers to "développer des
marchés réservés sur des activités industrielles et favoriser l'allotissement", and cites Est
Ensemble, where a reserved lot was won by a joint bid (GME) of four ESS structures because "une
entreprise de l'ESS seule n'aurait pas pu intervenir".

Mechanism: a share of each territory's lots is reserved to insertion and adapted structures
(Code de la commande publique, L2113-12 to -14) and awarded to an eligible local bid that can
deliver; lots are divided so smaller structures can take them on; local structures may pool their
spare capacity in joint bids. Intensity scales the reserved share and the division of lots.

Public cost: the reserved awards' price premium over a conventional award. An ESS bid is priced
at (1 + unit-cost premium) × the conventional bid (competition brake), so of a reserved award's
value V, V × premium / (1 + premium) is what the buyer pays above the conventional price. It is
booked in the month of the award, on the award's whole value (commitment basis), and moves no
extra money: the contract payments themselves already flow to the enterprises through the
ledger. Each award's premium is booked to the public buyer that reserved the lot, drawn per
award from the buyers' shares of public procurement spend (``buyer_share_*``, OECP): the State
(with public hospitals, which the OECP counts with it and the model has no account for), the
Regions, the départements, the communes and intercommunalities. A lot tendered again after its
holder failed draws its buyer again (the model keeps no buyer on a contract).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config.errors import ConfigError
from sim.effects import Effects
from sim.ledger import Sector
from sim.policies import register
from sim.policies.base import Label, LeverParams, Policy
from sim.spec import param


@dataclass
class ReservedMarketsParams(LeverParams):
    reserved_share: float = param(
        0.1, unit="share of lots", low=0.0, high=1.0, plausible=(0.05, 0.3),
        assumption="share of lots in ESS sectors reserved to IAE/EA; reserved contracts are rare "
        "today while social clauses cover ~20% of contracts, target 30% (calibration E)",
    )
    allotment_divisor: float = param(
        2.0, unit="lots per former lot", low=1.0, high=10.0, plausible=(1.5, 4.0),
        assumption="lots divided so small structures can bid ('favoriser l'allotissement', seed)",
    )
    joint_bids: bool = param(
        True, unit="bool",
        source="seed: Est Ensemble's reserved carton lot won by a GME of four ESS structures",
    )
    # Who reserves the lots, i.e. who pays the premium: shares of procurement spend by buyer
    # (weights, normalised to their sum). OECP recensement 2023 (contracts >= 90 k€, amounts):
    # State and hospital sector 51,112 M€, local authorities 73,385 M€, other buyers (network
    # operators, public enterprises: no account in the model, left out) 46,161 M€; so State
    # 41.1%, local authorities 58.9%. Within local authorities, Intercommunalités de France /
    # Banque des Territoires, baromètre de la commande publique 2023 (Oct 2024): communes and
    # intercommunalities 72%, Regions 3%, départements the remaining 25%.
    buyer_share_state: float = param(
        0.411, unit="share of spend", low=0.0, high=1.0,
        source="OECP, recensement économique de la commande publique 2023 (chiffres clés, "
        "table by buyer type): State and hospital sector 51.1 of the 124.5 Md€ bought by the "
        "State, hospitals and local authorities; hospitals booked with the State",
    )
    buyer_share_regions: float = param(
        0.018, unit="share of spend", low=0.0, high=1.0,
        source="OECP 2023: local authorities 73.4 of 124.5 Md€ (58.9%); Regions 3% of local "
        "authorities' purchases (Intercommunalités de France / Banque des Territoires, "
        "baromètre de la commande publique 2023)",
    )
    buyer_share_departements: float = param(
        0.147, unit="share of spend", low=0.0, high=1.0,
        source="OECP 2023: local authorities 58.9%; départements the 25% of local purchases "
        "neither the communal bloc (72%) nor the Regions (3%) make (baromètre 2023)",
    )
    buyer_share_communes: float = param(
        0.424, unit="share of spend", low=0.0, high=1.0,
        source="OECP 2023: local authorities 58.9%; communes and intercommunalities 72% of "
        "local purchases (baromètre de la commande publique 2023)",
    )

    def __post_init__(self):
        if sum(self.buyer_shares().values()) <= 0:
            raise ConfigError("policies.reserved_markets.buyer_share_state",
                              "the buyer shares are all 0; at least one must be > 0")

    def buyer_shares(self) -> dict[Sector, float]:
        """The buyers' shares of spend by ledger payer (weights, not yet normalised)."""
        return {Sector.STATE: self.buyer_share_state,
                Sector.REGIONS: self.buyer_share_regions,
                Sector.DEPARTEMENTS: self.buyer_share_departements,
                Sector.INTERCOMMUNALITIES: self.buyer_share_communes}


@register
class ReservedMarkets(Policy):
    """Reserves lots to insertion and adapted structures, divides lots, allows joint bids."""

    name = "reserved_markets"
    label = Label(en="Reserved public markets", fr="Marchés réservés")
    brake = "competition"
    Params = ReservedMarketsParams

    def act(self, effects: Effects, dose: float) -> None:
        p, fx = self.params, effects.procurement
        fx.reserved_share = np.maximum(fx.reserved_share, dose * p.reserved_share * self.mask)
        fx.allotment_divisor = np.maximum(
            fx.allotment_divisor, 1.0 + dose * (p.allotment_divisor - 1.0) * self.mask)
        if p.joint_bids:
            fx.joint_bids = np.maximum(fx.joint_bids, self.mask)

    def cost(self, dose: float) -> float:
        m = self.model
        premium = m.params.competition.price_premium()
        c = m.world.contracts
        self.reach(c.enterprise[c.reserved])
        # each award's buyer, drawn from the lever's own stream (one draw per award, reserved
        # or open, so the draws do not depend on which lots were reserved)
        values, where = m.now.reserved_award_values, m.now.reserved_award_territories
        shares = self.params.buyer_shares()
        payers = list(shares)
        weights = np.array([shares[p] for p in payers])
        buyer = m.streams["reserved_markets.buyers"].choice(
            len(payers), size=values.size, p=weights / weights.sum())
        total = 0.0
        for k, payer in enumerate(payers):
            mine = buyer == k
            total += self.booked(np.bincount(where[mine], weights=values[mine],
                                             minlength=m.world.n_territories)
                                 * premium / (1.0 + premium), payer)
        return total
