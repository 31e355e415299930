"""Conventional industrial firms: buyers of ESS suppliers, employers of insertion graduates,
receivers of regional aid, hosts of implants and acquirers. Their rules run vectorised over the
rows of ``world.firms``; the Mesa view serves inspection and Mesa's tooling.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.events import EventKind, Labelled
from sim.ledger import Sector
from sim.vocabulary import TieKind


class IndustrialFirm(mesa.Agent):
    """Inspection view of one industrial firm (row ``row`` of ``world.firms``)."""

    def __init__(self, model, row: int):
        super().__init__(model)
        self.row = row

    @property
    def jobs(self) -> float:
        return float(self.model.world.firms.jobs[self.row])

    @property
    def known_ess_suppliers(self) -> int:
        return int(self.model.world.firms.ess_ties[self.row])


def update(m) -> None:
    """Industrial jobs follow the scenario; hard-to-fill vacancies open; Regions grant aid."""
    w, ind = m.world, m.params.industry
    firms = w.firms
    trend = (1.0 + m.config.scenario.industrial_employment_trend_yr) ** (1 / 12)
    firms.jobs[:] = firms.jobs * trend
    firms.vacancies[:] = (firms.vacancies * (1 - 1 / ind.vacancy_months)
                          + firms.jobs * ind.hard_to_fill_rate_month)
    rng = m.streams["industry.aid"]
    granted = (rng.random(firms.n) < ind.regional_aid_share_yr / 12.0).nonzero()[0]
    sd = ind.regional_aid_log_sd
    amounts = rng.lognormal(np.log(ind.regional_aid_mean_eur) - sd**2 / 2, sd, granted.size)
    m.now.aid_granted_firms, m.now.aid_granted_amounts = granted, amounts
    firms.aid_received[granted] += amounts
    w.ledger.pay_sector_to_sector(Sector.REGIONS, Sector.INDUSTRY, amounts.sum(),
                                  "regional_aid_industry")
    m.now.public_baseline += amounts.sum()
    m.now.public_by_payer[Sector.REGIONS] += amounts.sum()
    np.add.at(m.now.public_by_territory, firms.territory[granted], amounts)


def acquisitions(m) -> None:
    """A firm that trusts its ESS supplier may buy it (seed: La Poste and Nouvelle Attitude)."""
    w = m.world
    ties, e = w.ties.table, w.enterprises
    min_trust = m.params.industry.acquisition_min_trust
    live = (ties.active & (ties.kind != TieKind.OWNERSHIP) & (ties.trust > min_trust)).nonzero()[0]
    live = live[e.owner_firm[ties.enterprise[live]] < 0]
    draws = m.streams["demography.acquisitions"].random(live.size)
    bought = live[draws < m.params.industry.acquisition_rate_yr / 12.0]
    ent, first = np.unique(ties.enterprise[bought], return_index=True)
    bought = bought[first]
    e.owner_firm[ent] = ties.firm[bought]
    ties.kind[bought] = TieKind.OWNERSHIP
    m.events.record(m.month, EventKind.ACQUISITION, ent, e.territory[ent],
                    Labelled("firm=", ties.firm[bought]))
