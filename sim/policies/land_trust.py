"""Solidarity land trusts (foncières solidaires): premises below market rent (brake 4).

Why: in tense territories ESS enterprises cannot pay market rents and private landlords prefer
conventional tenants, so growth stalls for want of premises. The study (Levier n°3) recommends to
"soutenir le développement / initier des partenariats avec les foncières solidaires [...]
L'avantage de cette solution est de garantir l'encadrement voire la réduction des loyers. Si des
investisseurs publics comme la Banque des Territoires peuvent investir directement dans les
foncières solidaires, les collectivités locales ont, elles aussi, un rôle à jouer".

Mechanism: public and solidarity investors commit capital every month in proportion to the
population reached (intensity scales the commitment). The trust lets its vacant floor to ESS
tenants first (no landlord screening), ``rent_discount`` below market rent; once its floor is let,
further ESS tenants go to the private market, and the floor they asked for is the demand the
trust buys against: each month it calls capital to buy that much private vacant activity
premises, at market rent × ``purchase_years`` per m², within the capital committed in the
territory and not yet called. The floor moves from the private vacant stock to the trust's, the
money from the trust to private landlords. Capital is spent, never created, and never on floor
nobody asked for: what the trust reaches rises with the capital deployed, then saturates with
the ESS demand for its floor.

Public cost: the public investors' share of the capital called each month (paid by the public
investment bank, Banque des Territoires). The rents the trust collects are not netted: the capital
is not recovered within the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.effects import Effects
from sim.ledger import Sector
from sim.policies import register
from sim.policies.base import Label, LeverParams, Policy
from sim.spec import param
from sim.vocabulary import FloorStock


@dataclass
class LandTrustParams(LeverParams):
    rent_discount: float = param(
        0.4, unit="share of market rent", low=0.0, high=0.9, plausible=(0.3, 0.7),
        source="calibration F: solidarity land trust rents 30-70% below market (Base Commune, "
        "2024)",
    )
    capital_eur_per_inhabitant_yr: float = param(
        1.5, unit="€/inhabitant/yr", low=0.0, high=100.0, plausible=(0.5, 3.0),
        assumption="capital committed to land trusts; ~100 M€/yr for France, the size of the "
        "Banque des Territoires ESS envelope (calibration G)",
    )
    public_share: float = param(
        0.5, unit="share of capital", low=0.0, high=1.0, plausible=(0.3, 0.8),
        assumption="public investors' share of the capital (seed: 700 k€ of Banque des "
        "Territoires equity in SCI Envie Soleil; local authorities in SCIC trusts); the rest "
        "is solidarity savings",
    )
    purchase_years: float = param(
        12.5, unit="years of market rent", low=1.0, high=50.0, plausible=(10.0, 16.0),
        assumption="price of vacant activity premises in years of market rent (gross yield ~8%)",
    )


@register
class LandTrust(Policy):
    """Buys private vacant premises against ESS demand, within its capital, and lets them below
    market to ESS tenants first."""

    name = "land_trust"
    label = Label(en="Land trust", fr="Foncière solidaire")
    brake = "premises"
    Params = LandTrustParams

    def __init__(self, params: LandTrustParams, model):
        super().__init__(params, model)
        self.committed = np.zeros(len(model.territories))  # committed, not yet called (€)

    def act(self, effects: Effects, dose: float) -> None:
        fx = effects.premises
        fx.trust_rent_discount = np.maximum(fx.trust_rent_discount,
                                            self.params.rent_discount * self.mask)
        fx.trust_priority = np.maximum(fx.trust_priority, self.mask)

    def cost(self, dose: float) -> float:
        m, w, p = self.model, self.model.world, self.params
        ledger = w.ledger
        self.committed += (dose * p.capital_eur_per_inhabitant_yr / 12.0
                           * w.territories.population * self.mask)
        market = w.premises_market
        price = market.market_rent(m.conditions.rent_index) * p.purchase_years
        m2 = np.minimum.reduce([ledger.territory_floor[FloorStock.PRIVATE],
                                self.committed / price, market.trust_shortfall_m2 * self.mask])
        market.trust_shortfall_m2[:] = 0.0
        called = m2 * price
        self.committed -= called
        ledger.move_floor_between_stocks(FloorStock.PRIVATE, FloorStock.TRUST,
                                         np.arange(m2.size), m2)
        ledger.pay_sector_to_sector(Sector.IMPACT_INVESTORS, Sector.LAND_TRUSTS,
                                    called.sum() * (1.0 - p.public_share),
                                    "land_trust_capital_solidarity")
        cost = self.spend(Sector.PUBLIC_INVESTMENT_BANK, Sector.LAND_TRUSTS,
                          called * p.public_share, "capital_public")
        ledger.pay_sector_to_sector(Sector.LAND_TRUSTS, Sector.PRIVATE_LANDLORDS, called.sum(),
                                    "land_trust_purchases")
        self._count_tenants()
        return cost

    def _count_tenants(self) -> None:
        s = self.model.world.sites
        housed = s.enterprise[s.open & (s.stock == FloorStock.TRUST)]
        self.reach_enterprises(housed)
