"""Brownfield rehabilitation for productive ESS use (brake 4, premises).

Why: in tense territories there is little vacant activity floor, while industrial brownfields
lie idle. The study (Levier n°3) asks to "réhabiliter les friches industrielles en faveur
d'activités à forte utilité sociale / environnementale" and to "systématiser une réflexion sur
l'implantation d'activités industrielles ESS dans les projets de réhabilitation de friches"; its
conclusion adds that "les récentes politiques publiques de reconquête des friches industrielles
peuvent aider à [...] résoudre" the premises problem.

Mechanism: every month a share of each reached territory's brownfield stock is cleaned up and
returns to use (intensity scales the pace; the conversion can never exceed the stock). A share
``ess_share`` is dedicated to the ESS and handed to land trusts (their vacant stock, let to ESS
tenants first, at market rent unless the land-trust lever discounts it); the rest goes to the
private vacant stock.

Public cost: the clean-up, ``cleanup_eur_per_m2`` per m², paid by the State (Fonds friches) to
the firms doing the works.
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
class BrownfieldsParams(LeverParams):
    conversion_share_yr: float = param(
        0.02, unit="share of the stock/yr", low=0.0, high=1.0, plausible=(0.01, 0.05),
        source="calibration F: Fonds friches ~3,400 ha in 2021-22 out of 80,000-140,000 ha of "
        "industrial brownfields, i.e. ~1.5-2% of the stock a year",
    )
    cleanup_eur_per_m2: float = param(
        54.0, unit="€/m²", low=0.0, high=10000.0, plausible=(30.0, 150.0),
        source="calibration F: Cerema 2025, clean-up ~540 k€/ha (one m² of floor per m² of land)",
    )
    ess_share: float = param(
        0.5, unit="share of converted floor", low=0.0, high=1.0, plausible=(0.2, 1.0),
        assumption="share of rehabilitated floor dedicated to ESS activities through land "
        "trusts (the study asks for ESS criteria in brownfield calls for projects)",
    )


@register
class Brownfields(Policy):
    """Cleans up brownfields into premises, part of them dedicated to ESS tenants."""

    name = "brownfields"
    label = Label(en="Brownfield reuse", fr="Reconversion de friches")
    brake = "premises"
    Params = BrownfieldsParams

    def __init__(self, params: BrownfieldsParams, model):
        super().__init__(params, model)
        self.converted_m2 = 0.0

    def act(self, effects: Effects, dose: float) -> None:
        if self.params.ess_share > 0:
            fx = effects.premises
            fx.trust_priority = np.maximum(fx.trust_priority, self.mask)

    def cost(self, dose: float) -> float:
        ledger, p = self.model.world.ledger, self.params
        brownfield, trust, private = FloorStock.BROWNFIELD, FloorStock.TRUST, FloorStock.PRIVATE
        m2 = (ledger.territory_floor[brownfield] * min(dose * p.conversion_share_yr / 12.0, 1.0)
              * self.mask)
        where = np.arange(m2.size)
        ledger.move_floor_between_stocks(brownfield, trust, where, m2 * p.ess_share)
        ledger.move_floor_between_stocks(brownfield, private, where, m2 * (1.0 - p.ess_share))
        self.converted_m2 += float(m2.sum())
        self._count_tenants()
        return self.spend(Sector.STATE, Sector.SUPPLIERS, m2 * p.cleanup_eur_per_m2, "cleanup")

    def _count_tenants(self) -> None:
        s = self.model.world.sites
        housed = s.enterprise[s.open & (s.stock == FloorStock.TRUST)
                              & (self.mask[s.territory] > 0)]
        self.reach_enterprises(housed)
