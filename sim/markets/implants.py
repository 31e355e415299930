"""Implants: an ESS team working inside an industrial host's plant, on its floor and with its
equipment (the study, Levier n°1: "intervenir dans les locaux des clients avec leurs équipes et
leur matériel", the machines "restent à la propriété des industries conventionnelles").

A supply tie becomes an implant only where the host's territory still has idle industrial floor
(the ledger's host stock): the implant's floor moves from that stock to a site of the ESS
enterprise (premises it need not lease), and the host's equipment it runs is recorded on the
site and adds its output to the enterprise's capacity (``sim/agents/automation.py``). The
enterprise pays the host, like a rent, the agreed share of the floor's market rent and of the
equipment's depreciation. When the site closes (failure), floor and equipment go back to the
host. No idle floor, no implant: the tie stays a supply tie.
"""

from __future__ import annotations

import numpy as np

from sim.vocabulary import FloorStock


def open_implants(m, tie_idx: np.ndarray) -> np.ndarray:
    """Turn the candidate ties into implants where the host's floor allows, in the order given;
    returns the ties that became implants."""
    w, ind = m.world, m.params.industry
    ties, L = w.ties.table, w.ledger
    m2 = ind.implant_floor_m2
    if tie_idx.size == 0 or m2 <= 0:
        return tie_idx[:0]
    territory = w.firms.territory[ties.firm[tie_idx]]
    room = _fits_in_stock(territory, m2, L.territory_floor[FloorStock.HOST])
    tie_idx, territory = tie_idx[room], territory[room]
    enterprise = ties.enterprise[tie_idx]
    equipment = np.full(tie_idx.size, ind.implant_equipment_eur)
    rent = ind.implant_charge_share * (
        w.premises_market.market_rent(m.conditions.rent_index)[territory]
        + equipment / m.params.automation.machine_life_yr / m2)
    sites = w.sites.append(tie_idx.size, open=True, enterprise=enterprise, territory=territory,
                           region=w.territory_region[territory], stock=FloorStock.HOST,
                           rent_m2_yr=rent, opened=m.month, equipment=equipment)
    L.grow_sites(w.sites.allocated)
    L.move_floor_to_site(FloorStock.HOST, territory, sites, np.full(sites.size, m2))
    np.add.at(w.enterprises.floor, enterprise, m2)
    np.add.at(w.enterprises.host_equipment, enterprise, equipment)
    return tie_idx


def _fits_in_stock(territory: np.ndarray, m2: float, stock: np.ndarray) -> np.ndarray:
    """Which requests of ``m2`` each, served in order within their territory, the stock holds."""
    order = np.argsort(territory, kind="stable")
    t = territory[order]
    start = np.searchsorted(t, t, side="left")
    rank = np.arange(t.size) - start  # requests before this one in its territory
    fits = np.empty(t.size, dtype=bool)
    fits[order] = (rank + 1) * m2 <= stock[t] + 1e-9
    return fits
