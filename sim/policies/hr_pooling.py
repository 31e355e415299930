"""HR pooling: employer groups, training partnerships and post-insertion recruitment (brake 5).

Why: ESS enterprises struggle to keep their support functions and to acquire industrial skills,
and industry does not recruit insertion graduates it does not know. The study (Levier n°4) asks
to "mutualiser les ressources humaines" — "devenir membre d'un groupement d'employeurs est un
levier permettant la montée en compétences, l'atteinte d'une taille critique" —, to "développer
les programmes de formation à impact", to join GEIQ, and to "développer des plateformes
territoriales de recrutement des salariés en insertion post-parcours afin de rassurer les
employeurs".

Mechanism, in the territories reached and scaled by intensity: an employer group shares support
staff, so ``turnover_cut`` of support-function departures no longer leave a post vacant;
training partnerships close ``skill_boost`` of the skill gap between insertion graduates and
industrial vacancies; a recruitment platform raises graduates' hiring (into employment and into
industry) by ``hiring_boost`` (markets/labour.py).

Public cost: per ESS enterprise reached, the subsidised share of employer-group staff and
training, paid by the Region (vocational training is a regional competence) to providers.
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
class HRPoolingParams(LeverParams):
    turnover_cut: float = param(
        0.3, unit="share of departures", low=0.0, high=1.0, plausible=(0.1, 0.5),
        assumption="support-function departures absorbed by an employer group's shared staff",
    )
    skill_boost: float = param(
        0.5, unit="share of the skill gap", low=0.0, high=1.0, plausible=(0.2, 0.8),
        assumption="share of graduates' industrial skill gap closed by training partnerships",
    )
    hiring_boost: float = param(
        0.3, unit="relative boost", low=0.0, high=3.0, plausible=(0.1, 0.6),
        assumption="relative rise in graduates' hiring with a post-insertion recruitment "
        "platform",
    )
    cost_eur_per_enterprise_yr: float = param(
        6000.0, unit="€/enterprise/yr", low=0.0, high=1e6, plausible=(2000.0, 15000.0),
        assumption="an enterprise's share of an employer group's engineer or HR officer plus "
        "training (Utopreneurs-type groups, seed)",
    )


@register
class HRPooling(Policy):
    """Cuts support turnover, closes skill gaps and raises graduates' hiring by industry."""

    name = "hr_pooling"
    label = Label(en="HR pooling", fr="Groupement d'employeurs")
    brake = "human_resources"
    Params = HRPoolingParams

    def act(self, effects: Effects, dose: float) -> None:
        p, production, labour = self.params, effects.production, effects.labour
        production.support_turnover_cut = np.minimum(
            production.support_turnover_cut + dose * p.turnover_cut * self.mask, 1.0)
        labour.skill_boost = np.minimum(labour.skill_boost + dose * p.skill_boost * self.mask,
                                        1.0)
        labour.graduate_hiring_boost += dose * p.hiring_boost * self.mask

    def cost(self, dose: float) -> float:
        w = self.model.world
        e = w.enterprises
        members = np.flatnonzero(e.alive & (self.mask[e.territory] > 0))
        self.reach(members)
        count = np.bincount(e.territory[members], minlength=w.n_territories)
        cost = dose * count * self.params.cost_eur_per_enterprise_yr / 12.0
        return self.spend(Sector.REGIONS, Sector.SUPPLIERS, cost, "membership_and_training")
