"""Impact VAT: a reduced VAT rate on labelled ESS goods (a tax expenditure, brake 2).

Why: ESS goods carry higher unit costs; a lower VAT rate lets them compete on the shelf. The study
(Levier n°5) proposes to "expérimenter une TVA à impact : pour les produits et services
écologiquement et socialement responsables, baisser le taux habituel (20%) [...] A noter que des
taux réduits existent déjà, 10% pour la restauration ou encore 5,5% pour les livres" (it would
need an EU reform).

Mechanism: labelled ESS goods sold to households are taxed at ``reduced_rate`` (one of the two
existing reduced rates, 10% or 5.5%) instead of the standard rate; intensity moves the rate
from the standard rate towards it. Sellers pass on ``pass_through`` of the cut to consumer prices
and keep the rest in their price before tax (calibration I: 20% for French restaurants in 2009,
~50% for Finnish hairdressers); demand answers the lower price with the consumer market's
elasticity (markets/consumer.py). VAT is a national tax, so the lever takes no targeting.

Public cost: the VAT forgone on covered sales, (standard − reduced rate) × sales before tax. It
is a tax expenditure: the VAT is simply not collected (the State receives only the reduced VAT
through the ledger), so it is booked as cost without any money transfer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from sim.config.errors import ConfigError
from sim.effects import Effects
from sim.ledger import Sector
from sim.policies import register
from sim.policies.base import Label, LeverParams, Policy
from sim.spec import param

REDUCED_RATES = (0.10, 0.055)


@dataclass
class ImpactVATParams(LeverParams):
    reduced_rate: float = param(
        0.055, unit="VAT rate", low=min(REDUCED_RATES), high=max(REDUCED_RATES),
        source="seed / calibration I: the existing reduced rates, 10% or 5.5%",
    )
    pass_through: float = param(
        0.3, unit="share of the cut", low=0.0, high=1.0, plausible=(0.2, 0.5),
        source="calibration I: ~20% passed on (Insee F1404, restaurants 2009) to ~50% "
        "(Kosonen 2015, hairdressers)",
    )

    def __post_init__(self):
        if not np.isclose(REDUCED_RATES, self.reduced_rate, rtol=0.0, atol=1e-12).any():
            raise ConfigError("policies.impact_vat.reduced_rate",
                              f"{self.reduced_rate} is not allowed; allowed: 0.1, 0.055")
        if any(asdict(self.target).values()):
            raise ConfigError("policies.impact_vat.target",
                              "VAT is a national tax: the lever takes no targeting")


@register
class ImpactVAT(Policy):
    """Taxes labelled ESS goods at a reduced rate; books the VAT forgone."""

    name = "impact_vat"
    label = Label(en="Reduced impact VAT", fr="TVA réduite à impact")
    brake = "competition"
    Params = ImpactVATParams

    def act(self, effects: Effects, dose: float) -> None:
        standard = self.model.params.economy.vat_standard
        effects.consumer.ess_vat_rate = standard - dose * (standard - self.params.reduced_rate)
        effects.consumer.vat_pass_through = self.params.pass_through

    def cost(self, dose: float) -> float:
        m, w = self.model, self.model.world
        forgone = m.now.sales_parts["vat_forgone"]
        self.reach_enterprises((forgone > 0).nonzero()[0])
        return self.booked(np.bincount(w.enterprises.territory[: forgone.size], weights=forgone,
                                       minlength=w.n_territories), Sector.STATE)
