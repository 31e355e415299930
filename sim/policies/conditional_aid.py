"""Conditional aid: regional aid to industry conditional on ESS actions (brakes 1-2).

Why: Regions already pay economic aid to industrial firms; making it conditional turns it into a
reason to know and buy from ESS suppliers. The study (Levier n°5) asks to "développer
l'éco-socio-conditionnalité des aides versées aux industries" and cites Nouvelle-Aquitaine, whose
criteria apply "sur la base du volontariat pour celles en dessous de 150 000 euros, et dans le
cadre de contrats de transition pour celles qui sont supérieures".

Mechanism: each month the Region grants aid to some industrial firms (agents/industry.py).
Where the Region applies the condition, a file the condition reaches (share = intensity) binds
its firm if the grant is at or above ``threshold_eur`` (transition contract); below it, the firm
volunteers with probability ``voluntary_compliance``. The firm then picks the cheapest ESS action
of the scheme's menu it can actually deliver: order from a trusted ESS supplier it already knows
that has spare capacity, else search its territory (or a neighbour) for an ESS supplier with
spare capacity and start ordering from it. With no reachable supplier with spare capacity it
cannot comply, and the condition changes nothing there. A complier commits for
``contract_months``: during that time it orders from the ESS as a CSR-minded buyer does, its
orders being real orders to real suppliers, bounded by their spare capacity (markets/b2b.py).
The commitment ends without renewal; it lapses earlier when nothing has been delivered for
``lapse_after_months`` (supplier full or gone, trust lost): a bound firm then repays the aid for
the months left (repayment if commitments are not met: Nouvelle-Aquitaine, Ford Blanquefort
precedent), a volunteer simply opts out. Not built among the scheme's options: hosting an
implant, hiring insertion graduates, joining a joint bid.

Public cost: administration of every file the condition reaches (instruction, paid by the Region
as officers' time, booked to households), yearly follow-up of every commitment in force, and an
optional bonus per complier paid to the firm. The aid itself is baseline spending; repaid aid
goes back to the Region through the ledger and is not netted from this lever's cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.grouping import GroupIndex
from sim.ledger import Sector
from sim.policies import register
from sim.policies.base import Label, LeverParams, Policy
from sim.spec import param
from sim.vocabulary import TieKind


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
    contract_months: int = param(
        36, unit="months", low=1, high=240, plausible=(24, 60),
        assumption="duration of the commitment attached to a grant (a transition plan runs over "
        "the aided investment's programme, typically three years)",
    )
    lapse_after_months: int = param(
        6, unit="months", low=1, high=120, plausible=(3, 12),
        assumption="months without any ESS delivery after which the Region deems the commitment "
        "unmet",
    )
    admin_eur_per_file: float = param(
        1500.0, unit="€/aid file", low=0.0, high=1e6, plausible=(500.0, 4000.0),
        assumption="one to two days of a regional officer to instruct the condition",
    )
    follow_up_eur_per_firm_yr: float = param(
        800.0, unit="€/commitment/yr", low=0.0, high=1e6, plausible=(300.0, 2000.0),
        assumption="one day a year of a regional officer to check a commitment in force",
    )
    compliance_bonus_eur: float = param(
        0.0, unit="€/complying firm", low=0.0, high=1e7, plausible=(0.0, 20000.0),
        assumption="optional bonus to a complying firm (none in Nouvelle-Aquitaine's scheme)",
    )


@register
class ConditionalAid(Policy):
    """Makes regional aid conditional on an ESS action: compliers commit to ordering from ESS
    suppliers they know or find, for the contract's duration."""

    name = "conditional_aid"
    label = Label(en="Conditional aid", fr="Aides conditionnées")
    brake = "mutual_ignorance,competition"
    Params = ConditionalAidParams

    def __init__(self, params: ConditionalAidParams, model):
        super().__init__(params, model)
        n = model.world.firms.n
        self.until = np.full(n, -1, np.int64)      # month the commitment ends (exclusive)
        self.bound = np.zeros(n, bool)             # transition contract: aid repaid on lapse
        self.grant = np.zeros(n)                   # aid the commitment is attached to, €
        self.dry_months = np.zeros(n, np.int64)    # months in a row without an ESS delivery
        self.compliers = np.zeros(0, np.int64)     # this month's
        self.files = np.zeros(0, np.int64)         # this month's files reached
        self.tally = {"files": 0, "known_supplier": 0, "found_supplier": 0,
                      "cannot_comply": 0, "lapsed": 0, "repaid_eur": 0.0}

    def committed(self, month: int) -> np.ndarray:
        return self.until > month

    def act(self, effects, dose: float) -> None:
        effects.ties.committed_buyers = self.committed(self.model.month)

    def introductions(self, dose: float) -> None:
        """Aided firms the condition binds (or that volunteer) choose their ESS action; those
        with none they can deliver stay uncommitted."""
        m, p = self.model, self.params
        granted, amounts = m.now.aid_granted_firms, m.now.aid_granted_amounts
        firms = m.world.firms
        self.compliers = self.files = np.zeros(0, np.int64)
        if granted.size == 0:
            return None
        draws = m.streams["policy.conditional_aid.compliance"].random((2, granted.size))
        reached = (self.mask[firms.territory[granted]] > 0) & (draws[0] < dose)
        binding = amounts >= p.threshold_eur
        willing = reached & (binding | (draws[1] < p.voluntary_compliance))
        self.files = granted[reached]
        candidates, amounts, binding = granted[willing], amounts[willing], binding[willing]
        knows = self._knows_a_supplier_with_room(candidates)
        found = self._find_suppliers(candidates[~knows])
        able = knows.copy()
        able[(~knows).nonzero()[0][found >= 0]] = True
        searchers = candidates[~knows][found >= 0]
        m.world.ties.add(searchers, found[found >= 0], TieKind.SUPPLY, m.month, m.events)
        self.compliers = candidates[able]
        self.until[self.compliers] = m.month + p.contract_months
        self.bound[self.compliers] = binding[able]
        self.grant[self.compliers] = amounts[able]
        self.dry_months[self.compliers] = 0
        m.effects.ties.committed_buyers[self.compliers] = True
        t = self.tally
        t["files"] += int(self.files.size)
        t["known_supplier"] += int(knows.sum())
        t["found_supplier"] += int(searchers.size)
        t["cannot_comply"] += int(candidates.size - self.compliers.size)
        return None

    def _spare_capacity(self) -> np.ndarray:
        """Capacity each ESS enterprise had left last month (what a buyer can see)."""
        e = self.model.world.enterprises
        return np.where(e.alive, np.maximum(e.capacity - e.demand, 0.0), 0.0)

    def _knows_a_supplier_with_room(self, candidates: np.ndarray) -> np.ndarray:
        """Whether each candidate trusts a supplier it knows that has spare capacity."""
        if candidates.size == 0:  # no pass over every tie for no one
            return np.zeros(0, bool)
        w, m = self.model.world, self.model
        ties = w.ties.table
        ok = (ties.active & (ties.trust >= m.params.mutual_ignorance.trust_to_buy)
              & (self._spare_capacity()[ties.enterprise] > 0))
        has = np.zeros(w.firms.n, bool)
        has[ties.firm[ok]] = True
        return has[candidates]

    def _find_suppliers(self, searchers: np.ndarray) -> np.ndarray:
        """An ESS supplier with spare capacity in each searcher's territory, else in a random
        neighbour; -1 where there is none."""
        w = self.model.world
        if searchers.size == 0:
            return np.zeros(0, np.int64)
        room = (self._spare_capacity() > 0).nonzero()[0]
        with_room = GroupIndex(w.enterprises.territory[room], room, w.n_territories)
        draws = self.model.streams["policy.conditional_aid.search"].random((3, searchers.size))
        home = w.firms.territory[searchers]
        supplier = with_room.draw(home, draws[0])
        away = supplier < 0
        neighbour = w.random_neighbour(home[away], draws[1, away])
        supplier[away] = with_room.draw(neighbour, draws[2, away])
        return supplier

    def cost(self, dose: float) -> float:
        m, w, p = self.model, self.model.world, self.params
        self._lapse_undelivered()
        n_t = w.n_territories
        where = w.firms.territory
        admin = np.bincount(where[self.files], minlength=n_t) * p.admin_eur_per_file
        in_force = np.bincount(where[self.committed(m.month)], minlength=n_t)
        follow_up = in_force * p.follow_up_eur_per_firm_yr / 12.0
        bonus = np.bincount(where[self.compliers], minlength=n_t) * p.compliance_bonus_eur
        self.reach(self.compliers)
        return (self.spend(Sector.REGIONS, Sector.HOUSEHOLDS, admin + follow_up, "administration")
                + self.spend(Sector.REGIONS, Sector.INDUSTRY, bonus, "compliance_bonus"))

    def _lapse_undelivered(self) -> None:
        """Commitments with nothing delivered for ``lapse_after_months`` end; a bound firm
        repays the aid for the months left."""
        m, p = self.model, self.params
        ties = m.world.ties.table
        delivered = np.bincount(ties.firm[: m.now.tie_delivered.size],
                                weights=m.now.tie_delivered, minlength=self.until.size)
        live = self.committed(m.month)
        self.dry_months[:] = np.where(live & (delivered <= 0), self.dry_months + 1, 0)
        lapsed = (live & (self.dry_months >= p.lapse_after_months)).nonzero()[0]
        if lapsed.size == 0:
            return
        left = (self.until[lapsed] - m.month - 1) / p.contract_months
        repaid = float((self.grant[lapsed] * left * self.bound[lapsed]).sum())
        if repaid > 0:
            m.world.ledger.pay_sector_to_sector(Sector.INDUSTRY, Sector.REGIONS, repaid,
                                                f"{self.name}_aid_repaid")
        self.until[lapsed] = -1
        self.dry_months[lapsed] = 0
        self.tally["lapsed"] += int(lapsed.size)
        self.tally["repaid_eur"] += repaid
