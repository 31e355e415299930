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
ledger. Each award's premium is booked to the public buyer that reserved the lot, the one that
pays its contract through the ledger: procurement draws each lot's buyer with the buyers'
shares of public procurement spend (``params.procurement.buyer_share_*``, OECP): the State (with
public hospitals, which the OECP counts with it and the model has no account for), the Regions,
the départements, the communes and intercommunalities. A lot tendered again after its holder
failed keeps its buyer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
        self.reach_enterprises(c.enterprise[c.reserved])
        # each award's premium on the buyer that tendered the lot and pays its contract
        values, where = m.now.reserved_award_values, m.now.reserved_award_territories
        buyer = m.now.reserved_award_buyers
        payers, _ = m.params.procurement.buyers()
        total = 0.0
        for payer in payers:
            mine = buyer == payer
            total += self.booked(np.bincount(where[mine], weights=values[mine],
                                             minlength=m.world.n_territories)
                                 * premium / (1.0 + premium), Sector(payer))
        return total
