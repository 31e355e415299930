"""Impact finance: loan guarantees and the holding route to outside equity (brake 3).

Why: banks screen on profitability, collateral and legal form, and associations and cooperatives
cannot open their capital. The study (Levier n°2) asks public actors to "aller jusqu'au rôle de
garant pour soutenir les financements privés" and to "activer des leviers juridiques, comme la
création d'une holding pour les associations ou coopératives pour lever les contraintes
financières liées au statut juridique" (the VALO' group's SAS holding, Groupe Archer).

Mechanism: in the territories reached, a guarantee fund covers ``guarantee_share`` of every new
ESS loan, so banks turn ``guarantee_boost`` of their refusals (overdrafts and investment loans)
into approvals; an association or cooperative needing equity builds a holding with probability
``holding_chance`` and can then raise impact equity like an open-capital firm. Intensity scales
all three.

Public cost: the State tops up the fund for ``public_share_of_calls`` of the guarantees called
when a borrower fails (the fund pays the bank: markets/credit.py, default_loans), and pays the
fund's guarantee fee on every new guaranteed loan so that ESS borrowers do not (fee subsidy).
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
class ImpactFinanceParams(LeverParams):
    guarantee_share: float = param(
        0.65, unit="share of the loan", low=0.0, high=1.0, plausible=(0.5, 0.8),
        source="calibration G: France Active guarantees 50-80% of the loan",
    )
    guarantee_boost: float = param(
        0.5, unit="share of refusals", low=0.0, high=1.0, plausible=(0.25, 0.75),
        assumption="share of bank refusals a guarantee turns into approvals",
    )
    holding_chance: float = param(
        0.3, unit="probability", low=0.0, high=1.0, plausible=(0.1, 0.6),
        assumption="chance an association or cooperative needing equity builds a holding "
        "(seed: VALO', Groupe Archer)",
    )
    fee_rate: float = param(
        0.025, unit="share of the guaranteed amount", low=0.0, high=0.2,
        source="calibration G: France Active guarantee fee 2-2.5%",
    )
    public_share_of_calls: float = param(
        1.0, unit="share", low=0.0, high=1.0, plausible=(0.5, 1.0),
        assumption="share of guarantee calls replenished with public money (State, Banque des "
        "Territoires, Regions endow the funds)",
    )


@register
class ImpactFinance(Policy):
    """Guarantees ESS loans and opens the holding route to equity for closed legal forms."""

    name = "impact_finance"
    label = Label(en="Impact finance", fr="Finance à impact")
    brake = "finance"
    Params = ImpactFinanceParams

    def __init__(self, params: ImpactFinanceParams, model):
        super().__init__(params, model)
        self.loans_seen = model.world.loans.n

    def act(self, effects: Effects, dose: float) -> None:
        p, fx = self.params, effects.credit
        fx.guarantee_boost = np.minimum(fx.guarantee_boost + dose * p.guarantee_boost * self.mask,
                                        1.0)
        fx.guarantee_share = np.maximum(fx.guarantee_share, dose * p.guarantee_share * self.mask)
        fx.equity_for_closed_forms = np.maximum(fx.equity_for_closed_forms,
                                                dose * p.holding_chance * self.mask)

    def cost(self, dose: float) -> float:
        m, w, p = self.model, self.model.world, self.params
        n_t = w.n_territories
        loans, new = w.loans, np.arange(self.loans_seen, w.loans.n)
        self.loans_seen = loans.n
        guaranteed = new[loans.guaranteed[new] > 0]
        where = w.enterprises.territory[loans.enterprise[guaranteed]]
        fees = np.bincount(where, weights=loans.outstanding[guaranteed]
                           * loans.guaranteed[guaranteed] * p.fee_rate, minlength=n_t)
        self.reach(loans.enterprise[guaranteed])
        calls = m.now.guarantee_calls_by_territory * p.public_share_of_calls
        return (self.spend(Sector.STATE, Sector.GUARANTEE_FUND, calls, "guarantee_calls")
                + self.spend(Sector.STATE, Sector.GUARANTEE_FUND, fees, "fee_subsidy"))
