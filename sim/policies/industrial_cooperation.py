"""Industrial cooperation: on-site implants, consortia and cooperation poles (brakes 1-2).

Why: beyond buying, industry and ESS can work inside each other's value chain. The study
(Levier n°1) recommends to "permettre l'accès aux entreprises de l'ESS aux outils de production
des acteurs industriels conventionnels « sur site »" (implants), to "contribuer au développement
de consortiums" (Recyfe giving Saint-Gobain access to cullet), and for public decision-makers to
"soutenir financièrement les Pôles Territoriaux de Coopération Economique (PTCE)".

Mechanism, in the territories reached and scaled by intensity: each month a supply tie becomes
an on-site implant with chance ``implant_rate_month`` where the ESS enterprise wants room to grow
(its demand outruns its capacity; one implant a month) and the host firm has idle floor of its
own (``sim/markets/implants.py``): the implant's floor moves from the host's stock to a site of
the ESS enterprise, which need not lease or fit it out, for a charge paid to the host; its own
team works there with the host's equipment, which adds no output of its own (the jobs that run
it are the enterprise's, hired as it grows); consortia act through the waste-feedstock market
(markets/feedstock.py): an ESS collector with a trusted industrial tie
signs a consortium contract that reserves it ``consortium_lot_share`` of its partner firm's own
feedstock, taken from the territory's supply before conventional recyclers bid for it — no
partner, no lot; a lot beyond the collector's need, or a partner with little feedstock, adds
nothing; where eco-organisms award lots by tender (``lot_contracts``), the territory's
collectors may bid for a lot as a consortium (``lot_consortium_chance`` a tender), pooling their
capacity to meet a lot's minimum tonnage none could meet alone; within a cooperation pole,
firms and ESS suppliers build trust faster (``trust_gain_boost``: shared projects, visits, a
facilitator who settles disputes), so new ties reach the trust a first order needs sooner and
survive late deliveries. The pole never sets what
firms spend: orders follow needs, trusted suppliers and their spare capacity (markets/b2b.py).

What the lever does to jobs (Auvergne-Rhône-Alpes, 120 months, 5 paired seeds, net ESS
job-years, 95% t intervals, ``python -m benchmarks.lever_costs``): +839 [−103; +1,781], not told
from zero. Before this session's markets (one generic demand pool per territory shared by every
ESS sector, one State insertion envelope across forms) it was +289 [−1,290; +1,867]: consortia
then moved jobs rather than adding them — collectors winning feedstock took other sectors'
clients, and their workshop (ACI) posts took posts intermediary associations would fill, at ~20
times the aid (induced aid 27.7 M€ then, 1.6 M€ now). Demand is now shared within a sector and
each form draws on its own envelope (sim/markets/clearing.py, sim/agents/ess.py).

Public cost: the State's support to cooperation poles (PTCE calls for projects), per industrial
firm reached, paid to the poles' service providers.
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
class IndustrialCooperationParams(LeverParams):
    implant_rate_month: float = param(
        0.01, unit="1/month", low=0.0, high=1.0, plausible=(0.002, 0.03),
        assumption="chance a month that a supply tie becomes an on-site implant",
    )
    consortium_lot_share: float = param(
        0.3, unit="share of a firm's feedstock", low=0.0, high=1.0, plausible=(0.1, 0.6),
        assumption="share of an industrial partner's own feedstock a consortium contract "
        "reserves to its ESS collectors (seed: Recyfe and Saint-Gobain's cullet; Ateliers du "
        "Bocage reconditioning 15,000 BNP Paribas laptops a year)",
    )
    lot_consortium_chance: float = param(
        1.0, unit="probability", low=0.0, high=1.0, plausible=(0.3, 1.0),
        assumption="chance the ESS collectors of a territory reached bid together, pooling their "
        "capacity, when an eco-organism lot comes up for tender (markets/feedstock.py, "
        "``lot_contracts``; seed: Recyfe, a network of 23 insertion and adapted enterprises "
        "around a REP stream); acts only where lots are on",
    )
    trust_gain_boost: float = param(
        0.5, unit="relative boost", low=0.0, high=5.0, plausible=(0.2, 1.0),
        assumption="rise in the trust a firm gains per month of full delivery from an ESS "
        "supplier within a cooperation pole (PTCE facilitation)",
    )
    cost_eur_per_firm_yr: float = param(
        2000.0, unit="€/firm/yr", low=0.0, high=1e6, plausible=(500.0, 5000.0),
        assumption="support to a PTCE (~100 k€/yr) shared by ~50 member firms",
    )


@register
class IndustrialCooperation(Policy):
    """Turns ties into implants and consortia (feedstock lots) and builds trust between firms
    and ESS."""

    name = "industrial_cooperation"
    label = Label(en="Industrial cooperation", fr="Coopération industrielle")
    brake = "mutual_ignorance,competition"
    Params = IndustrialCooperationParams

    def act(self, effects: Effects, dose: float) -> None:
        p, ties, feedstock = self.params, effects.ties, effects.feedstock
        ties.implant_rate = np.minimum(ties.implant_rate + dose * p.implant_rate_month * self.mask,
                                       1.0)
        feedstock.consortium_lot_share = np.minimum(
            feedstock.consortium_lot_share + dose * p.consortium_lot_share * self.mask, 1.0)
        ties.trust_gain_boost += dose * p.trust_gain_boost * self.mask
        feedstock.lot_consortia = np.minimum(feedstock.lot_consortia
                                             + dose * p.lot_consortium_chance * self.mask, 1.0)

    def cost(self, dose: float) -> float:
        m, w = self.model, self.model.world
        self.reached_total += m.now.implants
        firms = np.bincount(w.firms.territory, minlength=w.n_territories) * self.mask
        cost = dose * firms * self.params.cost_eur_per_firm_yr / 12.0
        return self.spend(Sector.STATE, Sector.SUPPLIERS, cost, "cooperation_poles")
