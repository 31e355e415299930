"""Brake 5's automation half and implants (issue 13 items 6 and 4): a growing producer buys
machines instead of hiring only when they cost less per unit of output than its staff net of
aid, at scale and within its mission; an implant brings a host's floor and equipment through the
ledger, and none without the host's idle floor."""

from __future__ import annotations

import numpy as np

from sim.agents import automation, ess
from sim.config import load_config
from sim.markets import implants, premises
from sim.model import EcosystemModel
from sim.vocabulary import LEGAL_FORMS, FloorStock, TieKind

FAST = ("territory=tiny", "progress=false")
CHEAP = ("params.automation.machine_eur_per_fte=40000", "params.automation.machine_fixed_eur=0",
         "scenario.interest_rate_yr=0.0")
FREE_MISSION = ("params.automation.insertion_min_share=0", "params.automation.adapted_min_share=0")


def _model(*overrides, months=1, seed=3) -> EcosystemModel:
    m = EcosystemModel(load_config([*FAST, f"horizon_months={max(months, 1)}", *overrides]),
                       rng=seed)
    for _ in range(months):
        m.step()
    return m


def _rows_of(m, form: str) -> np.ndarray:
    e = m.world.enterprises
    return np.flatnonzero(e.alive & (e.form == LEGAL_FORMS.index(form)))


# --- the choice -----------------------------------------------------------------------------------
def test_cheap_capital_automates_and_default_capital_does_not():
    for overrides, expect in ((CHEAP + FREE_MISSION, True), (FREE_MISSION, False)):
        m = _model(*overrides)
        rows = _rows_of(m, "EI")
        machine, operators, _ = automation.plan(m, rows, np.full(rows.size, 10))
        assert (machine > 0).all() == expect and (machine > 0).any() == expect
        assert ((operators > 0) == (machine > 0)).all()


def test_machines_pay_only_at_scale_through_the_fixed_cost():
    m = _model("params.automation.machine_eur_per_fte=60000",
               "params.automation.machine_fixed_eur=200000", *FREE_MISSION)
    row = _rows_of(m, "SCOP")[:1]
    small, _, _ = automation.plan(m, row, np.array([1]))
    large, _, _ = automation.plan(m, row, np.array([40]))
    assert small[0] == 0 and large[0] > 0


def test_the_mission_bounds_automation():
    m = _model(*CHEAP, "params.automation.insertion_min_share=0.99")
    rows = _rows_of(m, "EI")
    machine, _, _ = automation.plan(m, rows, np.full(rows.size, 10))
    assert (machine == 0).all()


def test_the_mission_bounds_the_automated_share_not_the_whole_step():
    """An insertion enterprise whose mission forbids automating its whole step automates part
    of it and hires its form's mix for the rest (a choice at the margin)."""
    m = _model(*CHEAP)
    rows = _rows_of(m, "EI")
    delta = np.maximum(20, ess.jobs(m.world.enterprises, rows))
    machine, operators, hires = automation.plan(m, rows, delta)
    per_job = automation.output_per_job(m.world, m.params.economy, rows)
    _, all_operators, _ = automation.machine_route(m, rows, delta * per_job)
    everything = automation.within_mission(m.world, m.params, rows, all_operators, 0)
    partial = (machine > 0) & (hires > 0)
    assert partial.any() and not everything[partial].any()
    assert automation.within_mission(m.world, m.params, rows, operators, hires).all()
    assert (hires[machine == 0] == delta[machine == 0]).all()


def test_producers_without_a_workshop_never_automate():
    m = _model(*CHEAP, *FREE_MISSION)
    rows = np.concatenate([_rows_of(m, "AI"), _rows_of(m, "ETTI")])
    assert rows.size
    machine, _, _ = automation.plan(m, rows, np.full(rows.size, 10))
    assert (machine == 0).all()


# --- what it does over a run (paired on the seed) -------------------------------------------------
def _technique(m) -> float:
    """Insertion FTE per M€ of yearly capacity of the live insertion enterprises (EI): the
    technique, without the month's sales shocks."""
    w = m.world
    rows = _rows_of(m, "EI")
    return float((w.enterprises.insertion[rows] * w.forms.fte[w.enterprises.form[rows]]).sum()
                 / (w.enterprises.capacity[rows].sum() * 12 / 1e6))


def test_cheap_capital_lowers_insertion_intensity_as_output_grows():
    months, growing = 48, "scenario.demand_growth_yr=0.15"  # output grows with demand
    start = _model(*FREE_MISSION)
    base = _model(growing, *FREE_MISSION, months=months)
    cheap = _model(growing, *CHEAP, *FREE_MISSION, months=months)
    e = cheap.world.enterprises
    assert base.world.enterprises.machines.sum() == 0  # default capital: nobody automates
    assert e.machines[e.alive].sum() > 0
    # the State's envelope of posts grows slower than demand (+15%/yr here), so hiring dilutes
    # too, without a machine: ~12% over four years since regional structure sizes
    assert _technique(base) > 0.85 * _technique(start)
    # machines cut the technique by ~14-26% of the paired base (seeds 1-3: 0.74-0.86 before
    # rents counted the aid for posts, 0.81-0.86 since); 0.9 keeps the test off the noise
    assert _technique(cheap) < 0.9 * _technique(base)
    ts_base, ts_cheap = base.timeseries_frame(), cheap.timeseries_frame()
    assert (ts_cheap["ess_machines_eur"] > 0).any() and (ts_base["ess_machines_eur"] == 0).all()


def test_automating_producers_keep_their_mission():
    m = _model(*CHEAP, "params.automation.insertion_min_share=0.55",
               "params.automation.adapted_min_share=0.75", months=48)
    w = m.world
    e = w.enterprises
    automated = np.flatnonzero(e.alive & (e.machines > 0))
    assert automated.size
    form = e.form[automated]
    insertion_fte = e.insertion[automated] * w.forms.fte[form]
    fte = ess.full_time_equivalents(w, automated)
    iae = w.forms.insertion_share[form] > 0
    # growth keeps it (shrinkage cuts every kind of staff alike, by rounding)
    assert (insertion_fte[iae] >= 0.55 * fte[iae] - 1.0).all()
    ea = w.forms.adapted_share[form] > 0
    assert (e.adapted[automated][ea] >= 0.75 * ess.jobs(e, automated)[ea] - 1.0).all()


# --- implants --------------------------------------------------------------------------------
def _supply_ties(m, n=5) -> np.ndarray:
    ties = m.world.ties.table
    return np.flatnonzero(ties.active & (ties.kind == TieKind.SUPPLY))[:n]


def _wanting_room(m, tie_idx) -> np.ndarray:
    """Make the ties' ESS enterprises want room to grow (demand above capacity)."""
    e = m.world.enterprises
    e.pressure[m.world.ties.table.enterprise[tie_idx]] = 2.0 * m.params.economy.growth_trigger
    return tie_idx


def _distinct_hosts(m, n=5) -> np.ndarray:
    """Supply ties of distinct host firms and distinct ESS enterprises."""
    ties = m.world.ties.table
    live = np.flatnonzero(ties.active & (ties.kind == TieKind.SUPPLY))
    live = live[np.unique(ties.firm[live], return_index=True)[1]]
    return live[np.unique(ties.enterprise[live], return_index=True)[1]][:n]


def test_an_implant_brings_the_hosts_floor_and_equipment_through_the_ledger():
    m = _model("params.industry.host_floor_m2_per_job=1000")
    w = m.world
    e, L = w.enterprises, w.ledger
    candidates = _wanting_room(m, _distinct_hosts(m))
    ent = w.ties.table.enterprise[candidates]
    stock_before = L.territory_floor[FloorStock.HOST].sum()
    cap_before = ess.capacity(w, m.params, ent)
    floor_before = e.floor[ent].copy()
    done = implants.open_implants(m, candidates)
    assert done.size == candidates.size > 0
    m2 = m.params.industry.implant_floor_m2
    assert np.isclose(stock_before - L.territory_floor[FloorStock.HOST].sum(), m2 * done.size)
    L.assert_conserved(w.initial_floor)
    assert (e.floor[ent] >= floor_before + m2 - 1e-9).all()
    assert (e.host_equipment[ent] > 0).all()
    # the host's equipment is run by the enterprise's own team: no output without staff
    np.testing.assert_allclose(ess.capacity(w, m.params, ent), cap_before)
    # the site closes (failure): floor and equipment go back to the host
    sites = np.flatnonzero(w.sites.open & (w.sites.stock == FloorStock.HOST))
    premises.close_sites(w, sites)
    assert np.isclose(L.territory_floor[FloorStock.HOST].sum(), stock_before)
    assert np.allclose(e.host_equipment, 0.0)


def test_the_implant_charge_is_a_share_of_the_floors_rent_not_of_the_hosts_equipment():
    """The host's equipment adds no output without the ESS team (it is the team's tool), so the
    enterprise is not charged its depreciation: whatever the equipment, same charge, same
    capacity."""
    charges = []
    for equipment in (0.0, 1_000_000.0):
        m = _model("params.industry.host_floor_m2_per_job=1000",
                   f"params.industry.implant_equipment_eur={equipment}")
        w = m.world
        candidates = _wanting_room(m, _distinct_hosts(m))
        ent = w.ties.table.enterprise[candidates]
        cap_before = ess.capacity(w, m.params, ent)
        assert implants.open_implants(m, candidates).size == candidates.size > 0
        sites = np.flatnonzero(w.sites.open & (w.sites.stock == FloorStock.HOST))
        market = w.premises_market.market_rent(m.conditions.rent_index)[w.sites.territory[sites]]
        np.testing.assert_allclose(w.sites.rent_m2_yr[sites],
                                   m.params.industry.implant_charge_share * market)
        np.testing.assert_allclose(ess.capacity(w, m.params, ent), cap_before)
        assert np.isclose(w.enterprises.host_equipment[ent].sum(), equipment * ent.size)
        charges.append(w.sites.rent_m2_yr[sites])
    np.testing.assert_array_equal(charges[0], charges[1])


def test_a_host_lends_only_its_own_idle_floor():
    m = _model()
    w, ind = m.world, m.params.industry
    ties = w.ties.table
    tie = _distinct_hosts(m, 1)
    firm, enterprise = ties.firm[tie[0]], ties.enterprise[tie[0]]
    # a second tie of the same host, to another ESS enterprise
    other = np.flatnonzero(w.enterprises.alive & (np.arange(w.enterprises.n) != enterprise))[0]
    w.ties.add(np.array([firm]), np.array([other]), TieKind.SUPPLY, m.month, m.events)
    pair = _wanting_room(m, np.flatnonzero(ties.active & (ties.firm == firm)
                                           & (ties.kind == TieKind.SUPPLY))[:2])
    assert pair.size == 2
    # room for one implant in the host's own floor, however large its territory's stock
    w.firms.jobs[firm] = 1.5 * ind.implant_floor_m2 / ind.host_floor_m2_per_job
    w.ledger.territory_floor[FloorStock.HOST][w.firms.territory[firm]] = 100 * ind.implant_floor_m2
    assert implants.open_implants(m, pair).size == 1
    ties.kind[pair[:1]] = TieKind.IMPLANT
    assert implants.host_idle_floor(w, ind)[firm] < ind.implant_floor_m2
    assert implants.open_implants(m, pair[1:]).size == 0
    # a small host has no floor to lend at all
    w.firms.jobs[firm] = 0.5 * ind.implant_floor_m2 / ind.host_floor_m2_per_job
    ties.kind[pair[:1]] = TieKind.SUPPLY
    assert implants.open_implants(m, pair[1:]).size == 0


def test_an_enterprise_with_room_enough_takes_no_implant():
    m = _model("params.industry.host_floor_m2_per_job=1000")
    w = m.world
    candidates = _distinct_hosts(m)
    w.enterprises.pressure[w.ties.table.enterprise[candidates]] = 0.5 * (
        m.params.economy.growth_trigger)
    assert implants.open_implants(m, candidates).size == 0
    assert implants.open_implants(m, _wanting_room(m, candidates)).size == candidates.size


def test_no_implant_and_no_capacity_gain_without_a_hosts_floor():
    m = _model("params.industry.host_floor_m2_per_job=0")
    w = m.world
    candidates = _supply_ties(m)
    ent = w.ties.table.enterprise[candidates]
    cap_before = ess.capacity(w, m.params, ent)
    assert implants.open_implants(m, candidates).size == 0
    np.testing.assert_array_equal(ess.capacity(w, m.params, ent), cap_before)
    # and through the lever's phase: supply ties stay supply ties
    lever = _model("params.industry.host_floor_m2_per_job=0", "policies=[industrial_cooperation]",
                   "policies.industrial_cooperation.implant_rate_month=1.0", months=3)
    assert not (lever.world.ties.table.kind == TieKind.IMPLANT).any()
    assert lever.world.enterprises.host_equipment.sum() == 0
    hosted = _model("policies=[industrial_cooperation]",
                    "policies.industrial_cooperation.implant_rate_month=1.0", months=3)
    assert (hosted.world.ties.table.kind == TieKind.IMPLANT).any()
    assert hosted.timeseries_frame()["implant_floor_m2"].iloc[-1] > 0


def test_implant_hosts_are_paid_through_the_ledger():
    m = _model("policies=[industrial_cooperation]",
               "policies.industrial_cooperation.implant_rate_month=1.0", months=3)
    s = m.world.sites
    hosted = s.open & (s.stock == FloorStock.HOST)
    assert hosted.any() and (s.rent_m2_yr[hosted] > 0).all()
    assert (m.world.enterprises.rent_month[s.enterprise[hosted]] > 0).all()
