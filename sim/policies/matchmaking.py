"""Matchmaking: a sourcing platform and business meetings between industry and ESS (brake 1).

Why: an industrial firm buys only from suppliers it knows, and ESS suppliers are invisible to
most buyers ("méconnaissance réciproque"). The study (Levier n°1) recommends to "promouvoir les
outils de sourcing d'entreprises de l'ESS" — making the Marché de l'inclusion, which "connecte
chaque mois des milliers d'acheteurs publics et privés [...] avec des fournisseurs inclusifs", a
reference — and to "favoriser les rencontres entre acteurs industriels et entreprises de l'ESS"
(business meetings organised by local authorities and CRESS).

Mechanism: in the territories reached, the monthly chance that a firm discovers a new ESS
supplier is multiplied by (1 + intensity × ``discovery_boost``); new ties then live or die with
deliveries, as any tie does (markets/b2b.py).

Public cost: per industrial firm reached, a share of the platform run by the State and the
business meetings run by intercommunalities, both paid to service providers.
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
class MatchmakingParams(LeverParams):
    discovery_boost: float = param(
        1.0, unit="relative boost", low=0.0, high=10.0, plausible=(0.3, 2.0),
        assumption="a platform and meetings double the rate at which firms meet ESS suppliers",
    )
    platform_eur_per_firm_yr: float = param(
        100.0, unit="€/firm/yr", low=0.0, high=1e5, plausible=(30.0, 300.0),
        assumption="running a national sourcing platform (Marché de l'inclusion, seed), per "
        "industrial firm reached",
    )
    meetings_eur_per_firm_yr: float = param(
        400.0, unit="€/firm/yr", low=0.0, high=1e5, plausible=(150.0, 1000.0),
        assumption="local business meetings (organisation, CRESS facilitation), per industrial "
        "firm reached",
    )


@register
class Matchmaking(Policy):
    """Raises the rate at which industrial firms discover ESS suppliers."""

    name = "matchmaking"
    label = Label(en="ESS–industry matchmaking", fr="Mise en relation ESS–industrie")
    brake = "mutual_ignorance"
    Params = MatchmakingParams

    def act(self, effects: Effects, dose: float) -> None:
        effects.ties.discovery_boost += dose * self.params.discovery_boost * self.mask

    def cost(self, dose: float) -> float:
        w, p = self.model.world, self.params
        firms = np.bincount(w.firms.territory, minlength=w.n_territories) * self.mask
        self.reached_total = int(firms.sum())
        per_firm_month = dose * firms / 12.0
        return (self.spend(Sector.STATE, Sector.SUPPLIERS,
                           per_firm_month * p.platform_eur_per_firm_yr, "platform")
                + self.spend(Sector.INTERCOMMUNALITIES, Sector.SUPPLIERS,
                             per_firm_month * p.meetings_eur_per_firm_yr, "meetings"))
