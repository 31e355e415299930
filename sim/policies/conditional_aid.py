"""Conditional aid: regional aid to industry conditional on ESS actions (brakes 1-2).

Why: Regions already pay economic aid to industrial firms; making it conditional turns it into a
reason to know and buy from ESS suppliers. The study (Levier n°5) asks to "développer
l'éco-socio-conditionnalité des aides versées aux industries" and cites Nouvelle-Aquitaine, whose
criteria apply "sur la base du volontariat pour celles en dessous de 150 000 euros, et dans le
cadre de contrats de transition pour celles qui sont supérieures".

Mechanism: each month the Region grants aid to some industrial firms (agents/industry.py).
Where the Region applies the condition, an aided firm the condition reaches (share = intensity)
complies for sure if its grant is at or above ``threshold_eur`` (transition contract), and
with probability ``voluntary_compliance`` below it. A complier is put in touch with a local ESS
supplier (a forced discovery on the economic graph) and commits to buying from the ESS: it
becomes a CSR-minded buyer, whose purchasing budget then goes to the ESS suppliers it trusts.

Public cost: administration of every file the condition reaches (instruction, follow-up of the two
actions), paid by the Region (officers' time, booked to households), plus an optional bonus per
complier paid by the Region to the firm. The aid itself is baseline spending, not this lever's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.ledger import Sector
from sim.policies import register
from sim.policies.base import Label, LeverParams, Policy
from sim.spec import param


@dataclass
class ConditionalAidParams(LeverParams):
    threshold_eur: float = param(
        150000.0, unit="€ of aid", low=0.0, high=1e9,
        source="calibration I / seed: Nouvelle-Aquitaine, voluntary below 150 k€, transition "
        "contract above",
    )
    voluntary_compliance: float = param(
        0.3, unit="probability", low=0.0, high=1.0, plausible=(0.1, 0.6),
        assumption="chance a firm aided below the threshold volunteers an ESS action",
    )
    admin_eur_per_file: float = param(
        1500.0, unit="€/aid file", low=0.0, high=1e6, plausible=(500.0, 4000.0),
        assumption="one to two days of a regional officer to instruct and follow the condition",
    )
    compliance_bonus_eur: float = param(
        0.0, unit="€/complying firm", low=0.0, high=1e7, plausible=(0.0, 20000.0),
        assumption="optional bonus to a complying firm (none in Nouvelle-Aquitaine's scheme)",
    )


@register
class ConditionalAid(Policy):
    """Makes regional aid conditional on an ESS action; compliers meet and buy from the ESS."""

    name = "conditional_aid"
    label = Label(en="Conditional aid", fr="Aides conditionnées")
    brake = "mutual_ignorance,competition"
    Params = ConditionalAidParams

    def __init__(self, params: ConditionalAidParams, model):
        super().__init__(params, model)
        self.compliers = np.zeros(0, np.int64)  # this month's

    def introductions(self, dose: float) -> np.ndarray:
        """Firms aided this month that take an ESS action: above the threshold whenever the
        condition reaches them, below it if they volunteer. A complier commits to buying from
        the ESS (it becomes a CSR-minded buyer) and is put in touch with a local supplier."""
        m, p = self.model, self.params
        granted, amounts = m.now.aid_granted_firms, m.now.aid_granted_amounts
        firms = m.world.firms
        self.compliers = np.zeros(0, np.int64)
        if granted.size == 0:
            return self.compliers
        in_scope = self.mask[firms.territory[granted]] > 0
        draws = m.streams["policy.conditional_aid.compliance"].random((2, granted.size))
        binding = amounts >= p.threshold_eur
        complies = in_scope & (draws[0] < dose) & (binding | (draws[1] < p.voluntary_compliance))
        self.compliers = granted[complies]
        firms.csr[self.compliers] = True
        return self.compliers

    def cost(self, dose: float) -> float:
        m, w, p = self.model, self.model.world, self.params
        n_t = w.n_territories
        files = w.firms.territory[m.now.aid_granted_firms]
        admin = np.bincount(files, minlength=n_t) * dose * self.mask * p.admin_eur_per_file
        where = w.firms.territory[self.compliers]
        bonus = np.bincount(where, minlength=n_t) * p.compliance_bonus_eur
        self.reach(self.compliers)
        return (self.spend(Sector.REGIONS, Sector.HOUSEHOLDS, admin, "administration")
                + self.spend(Sector.REGIONS, Sector.INDUSTRY, bonus, "compliance_bonus"))
