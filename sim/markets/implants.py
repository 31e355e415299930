"""Implants: an ESS team working inside an industrial host's plant, on its floor and with its
equipment (the study, Levier n°1: "intervenir dans les locaux des clients avec leurs équipes et
leur matériel", the machines "restent à la propriété des industries conventionnelles").

A supply tie becomes an implant only where both sides want it and the host can: the ESS
enterprise wants room to grow (its demand outruns its capacity), and the host firm itself still
has idle floor (its own, ``host_floor_m2_per_job`` per industrial job, less what its implants
already use; and the territory's host stock in the ledger). The implant's floor moves from that
stock to a site of the ESS enterprise (premises it need not lease or fit out), where its own
team works with the host's equipment, recorded on the site: the equipment adds no output of its
own (the team's staff, hired by the enterprise as it grows, gives the output: the jobs stay ESS
jobs), it spares the enterprise financing machines. The enterprise pays the host, like a rent,
the agreed share of the floor's market rent; the equipment's depreciation stays the host's (the
machines remain its property, and a charge for a tool that adds no output of its own would be a
cost without a matching benefit in the enterprise's accounts). When the site
closes (failure), floor and equipment go back to the host. No idle floor, no implant: the tie
stays a supply tie.
"""

from __future__ import annotations

import numpy as np

from sim.vocabulary import FloorStock, TieKind


def open_implants(m, tie_idx: np.ndarray) -> np.ndarray:
    """Turn the candidate ties into implants where the ESS enterprise wants room to grow (at
    most one a month each) and the host's floor allows, in the order given; returns the ties
    that became implants."""
    w, ind = m.world, m.params.industry
    ties, L = w.ties.table, w.ledger
    m2 = ind.implant_floor_m2
    if tie_idx.size == 0 or m2 <= 0:
        return tie_idx[:0]
    tie_idx = tie_idx[w.enterprises.pressure[ties.enterprise[tie_idx]]
                      > m.params.economy.growth_trigger]
    _, first = np.unique(ties.enterprise[tie_idx], return_index=True)  # one a month each
    tie_idx = tie_idx[np.sort(first)]
    host = ties.firm[tie_idx]
    tie_idx = tie_idx[_fits_in_stock(host, m2, host_idle_floor(w, ind))]
    territory = w.firms.territory[ties.firm[tie_idx]]
    room = _fits_in_stock(territory, m2, L.territory_floor[FloorStock.HOST])
    tie_idx, territory = tie_idx[room], territory[room]
    enterprise = ties.enterprise[tie_idx]
    equipment = np.full(tie_idx.size, ind.implant_equipment_eur)
    rent = ind.implant_charge_share * w.premises_market.market_rent(
        m.conditions.rent_index)[territory]
    sites = w.sites.append(tie_idx.size, open=True, enterprise=enterprise, territory=territory,
                           region=w.territory_region[territory], stock=FloorStock.HOST,
                           rent_m2_yr=rent, opened=m.month, equipment=equipment)
    L.grow_sites(w.sites)
    L.move_floor_to_site(FloorStock.HOST, territory, sites, np.full(sites.size, m2))
    np.add.at(w.enterprises.floor, enterprise, m2)
    np.add.at(w.enterprises.host_equipment, enterprise, equipment)
    return tie_idx


def host_idle_floor(world, industry) -> np.ndarray:
    """Each industrial firm's floor it could still lend (m²): its share of idle floor per job,
    less the floor its active implants use."""
    ties = world.ties.table
    hosting = ties.active & (ties.kind == TieKind.IMPLANT)
    used = np.bincount(ties.firm[hosting], minlength=world.firms.n) * industry.implant_floor_m2
    return world.firms.jobs * industry.host_floor_m2_per_job - used


def _fits_in_stock(owner: np.ndarray, m2: float, stock: np.ndarray) -> np.ndarray:
    """Which requests of ``m2`` each, served in order within their owner (a territory's or a
    firm's stock), the stock holds."""
    order = np.argsort(owner, kind="stable")
    t = owner[order]
    start = np.searchsorted(t, t, side="left")
    rank = np.arange(t.size) - start  # requests before this one in its territory
    fits = np.empty(t.size, dtype=bool)
    fits[order] = (rank + 1) * m2 <= stock[t] + 1e-9
    return fits
