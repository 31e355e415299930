"""Ties end when their trade does (issue 20): an implant whose host has stopped ordering ends,
its site closes and the host takes back its floor and equipment; one still ordered from stays."""

from __future__ import annotations

import numpy as np

from sim.config import load_config
from sim.model import EcosystemModel
from sim.vocabulary import FloorStock, TieKind

IMPLANTS = ("territory=tiny", "progress=false", "policies=[industrial_cooperation]",
            "policies.industrial_cooperation.implant_rate_month=1.0")


def _run(idle_months: int, months: int = 12) -> EcosystemModel:
    m = EcosystemModel(load_config([*IMPLANTS, f"horizon_months={months}",
                                    f"params.mutual_ignorance.implant_idle_months={idle_months}"]),
                       rng=3)
    for _ in range(months):
        m.step()
    return m


def _host_sites(m) -> tuple[np.ndarray, np.ndarray]:
    s = m.world.sites
    host = s.stock == FloorStock.HOST
    return np.flatnonzero(host & s.open), np.flatnonzero(host & ~s.open)


def test_an_idle_implant_ends_and_gives_back_the_hosts_floor_and_equipment():
    m = _run(idle_months=2)
    w, ties = m.world, m.world.ties.table
    open_sites, closed_sites = _host_sites(m)
    assert closed_sites.size > 0  # some hosts stopped ordering for two months
    implant = np.flatnonzero(ties.active & (ties.kind == TieKind.IMPLANT))
    # every implant left has had an order within the window, and holds one open host site
    assert (m.month - 1 - ties.last_order[implant] < 2).all()
    assert w.sites.open[ties.site[implant]].all()
    assert np.isin(open_sites, ties.site[implant]).all()
    # closed host sites hold no floor, the enterprises no equipment of them
    assert np.allclose(w.ledger.site_floor[closed_sites], 0.0)
    e = w.enterprises
    equipment = np.bincount(w.sites.enterprise[open_sites], weights=w.sites.equipment[open_sites],
                            minlength=e.n)
    np.testing.assert_allclose(e.host_equipment, equipment, atol=1e-6)
    w.ledger.assert_conserved(w.initial_floor)


def test_with_a_long_idle_window_only_failures_end_implants():
    never = _run(idle_months=600)
    _open, closed = _host_sites(never)
    failed = ~never.world.enterprises.alive[never.world.sites.enterprise[closed]]
    assert failed.all()  # only failures closed host sites
