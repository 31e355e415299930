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
training partnerships close ``skill_boost`` of the skill gap between leavers in an industrial
trade and industrial hard-to-fill vacancies (more leavers qualify); a recruitment platform makes
industrial employers know graduates, raising the matching efficiency of hard-to-fill vacancies by
``hiring_boost`` (relative, at most every vacancy). Both act on the matching of leavers with
vacancies (markets/labour.py): a leaver is hired only into a vacancy open in its territory, so
the lever adds no exit where industry has no vacancy, a filled vacancy leaves the pool, and the
effect saturates as the vacancies or the qualified leavers run out. A graduate hired by industry
no longer searches the other employers' pool, so the lever's net gain in exits to employment is
smaller than its industrial placements.

Public cost, paid by the Region (vocational training is a regional competence) to providers:
employer-group membership per ESS enterprise reached, each training place actually used (leavers
whose gap training closed) and the platform's staff per territory reached.
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
        assumption="share of leavers' industrial skill gap closed by training partnerships "
        "(POEI-type pre-hire training)",
    )
    hiring_boost: float = param(
        0.5, unit="relative rise", low=0.0, high=3.0, plausible=(0.2, 1.0),
        assumption="relative rise in the share of industrial employers with hard-to-fill "
        "vacancies who know and would hire insertion graduates, with a post-insertion "
        "recruitment platform (matching efficiency, at most 1)",
    )
    cost_eur_per_enterprise_yr: float = param(
        6000.0, unit="€/enterprise/yr", low=0.0, high=1e6, plausible=(2000.0, 15000.0),
        assumption="an enterprise's share of an employer group's engineer or HR officer "
        "(Utopreneurs-type groups, seed)",
    )
    cost_eur_per_training_place: float = param(
        3200.0, unit="€/place", low=0.0, high=1e5, plausible=(2000.0, 6000.0),
        source="France Travail's POEI (préparation opérationnelle à l'emploi individuelle): up to "
        "400 hours at 8 €/hour paid to the training body",
    )
    cost_eur_per_platform_yr: float = param(
        50000.0, unit="€/territory/yr per unit of hiring_boost", low=0.0, high=1e7,
        plausible=(25000.0, 100000.0),
        assumption="a territorial recruitment platform's business-relations officer (~1 FTE "
        "loaded) per territory for each doubling of employers reached",
    )


@register
class HRPooling(Policy):
    """Cuts support turnover, trains leavers for industrial vacancies and makes industry know
    graduates."""

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
        w, p = self.model.world, self.params
        e = w.enterprises
        members = (e.alive & (self.mask[e.territory] > 0)).nonzero()[0]
        self.reach_enterprises(members)
        count = np.bincount(e.territory[members], minlength=w.n_territories)
        membership = dose * count * p.cost_eur_per_enterprise_yr / 12.0
        training = self.model.now.labour["trained_by_territory"] * p.cost_eur_per_training_place
        platform = dose * p.hiring_boost * self.mask * p.cost_eur_per_platform_yr / 12.0
        return (self.spend(Sector.REGIONS, Sector.SUPPLIERS, membership, "membership")
                + self.spend(Sector.REGIONS, Sector.SUPPLIERS, training, "training")
                + self.spend(Sector.REGIONS, Sector.SUPPLIERS, platform, "platform"))
