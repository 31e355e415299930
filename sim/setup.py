"""Initialisation: the agents, stocks and market pools of month 0.

Counts of ESS structures by legal form and of industrial firms are Poisson draws around
per-inhabitant densities calibrated on national figures (schema sources), so a region holds
what its population implies. Market pools are calibrated so each enterprise starts near its
observed utilisation: demand = utilisation × capacity, split between public contracts, industry
ties, households and other businesses (docs/ODD.md, initialisation).
"""

from __future__ import annotations

import numpy as np

from sim.agents import (
    Bank,
    ESSEnterprise,
    GuaranteeFund,
    ImpactInvestor,
    IndustrialFirm,
    Intercommunality,
    PrivateLandlord,
    PublicInvestmentBank,
    Region,
    SolidarityLandTrust,
    State,
)
from sim.grouping import GroupIndex
from sim.ledger import Ledger, Sector
from sim.markets.b2b import BusinessMarket
from sim.markets.consumer import ConsumerMarket
from sim.markets.credit import FORM_FACTOR_KEYS, CreditMarket
from sim.markets.premises import PremisesMarket
from sim.markets.procurement import ProcurementMarket
from sim.state import (
    PairIndex,
    contract_table,
    enterprise_table,
    firm_table,
    loan_table,
    site_table,
    tie_table,
)
from sim.vocabulary import LEGAL_FORMS, SECTORS

INSERTION_FORMS = ("EI", "ACI", "AI", "ETTI")
RESERVED_FORMS = (*INSERTION_FORMS, "EA")
FEEDSTOCK_SECTORS = ("collection_recycling", "reuse_reconditioning")
CONSUMER_FACING = {"reuse_reconditioning": 1.0, "manufacturing": 0.5}
BASIN_BROWNFIELD_MULTIPLIER = 3.0


def populate(model) -> None:
    """Build every table, stock, agent and market of month 0 on ``model``."""
    _form_tables(model)
    territories = model.territories
    n_t = len(territories)
    model.neighbour_index = _neighbour_index(territories)
    model.ledger = Ledger(n_t)
    model.month_public_baseline = 0.0
    model.month_public_by_territory = np.zeros(n_t)
    model.aid_granted_firms = np.zeros(0, np.int64)
    model.aid_granted_amounts = np.zeros(0)
    model.aid_compliers = np.zeros(0, np.int64)
    model.month_implants = 0
    model.month_reserved_awards = 0.0
    model.month_guarantee_calls = 0.0
    model.month_failures = 0
    _create_enterprises(model)
    _create_firms(model)
    _create_floor_and_sites(model)
    _create_ties(model)
    _create_actors(model)
    _calibrate_productivity(model)
    _create_markets(model)
    _fund_start_cash(model)


def _form_tables(model) -> None:
    forms = model.params.population.forms
    f = [forms[name] for name in LEGAL_FORMS]
    model.form_fte = np.array([x.fte_per_insertion_head for x in f])
    model.form_target_margin = np.array([x.target_margin for x in f])
    model.form_pay_flexibility = np.array([x.pay_flexibility for x in f])
    model.form_on_site = np.array([1.0 if x.insertion_on_site else 0.0 for x in f])
    model.form_labelled = np.array([x.labelled_impact for x in f])
    model.form_reserved = np.array([name in RESERVED_FORMS for name in LEGAL_FORMS])
    model.form_path = np.array([x.path_months for x in f])
    model.form_exit_employment = np.array([x.exit_employment for x in f])
    model.form_exit_durable = np.array([x.exit_durable for x in f])
    model.form_aid_month = np.array([x.aid_per_fte_yr / 12.0 for x in f])
    model.form_outside_equity = np.array([x.outside_equity for x in f])
    finance = model.params.finance
    model.form_finance_factor = np.array([
        1.0 if FORM_FACTOR_KEYS[x.finance_form_factor] is None
        else getattr(finance, FORM_FACTOR_KEYS[x.finance_form_factor]) for x in f])
    model.form_insertion_share = np.array([
        x.insertion_staff / max(x.insertion_staff + x.permanent_staff + x.adapted_staff, 1)
        for x in f])
    model.form_adapted_share = np.array([
        x.adapted_staff / max(x.insertion_staff + x.permanent_staff + x.adapted_staff, 1)
        for x in f])
    model.needs_feedstock = np.array([s in FEEDSTOCK_SECTORS for s in SECTORS])
    model.consumer_facing = np.array([CONSUMER_FACING.get(s, 0.0) for s in SECTORS])


def _neighbour_index(territories) -> GroupIndex:
    edges = territories.edges
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    return GroupIndex(src, dst, len(territories))


def _create_enterprises(model) -> None:
    rng = model.streams["init.enterprises"]
    forms = model.params.population.forms
    pop = model.territories.population
    counts = np.stack([rng.poisson(forms[name].per_100k_inhabitants * pop / 1e5)
                       for name in LEGAL_FORMS])            # (forms, territories)
    form_of = np.repeat(np.tile(np.arange(len(LEGAL_FORMS)), pop.size), counts.T.ravel())
    territory_of = np.repeat(np.repeat(np.arange(pop.size), len(LEGAL_FORMS)), counts.T.ravel())
    n = form_of.size
    e = model.enterprises = enterprise_table(max(2 * n, 64))
    rows = e.append(n, alive=True, form=form_of, territory=territory_of,
                    region=model.territory_region[territory_of], founded=-60, owner_firm=-1,
                    n_sites=1, n_regions=1, pressure=model.params.economy.utilisation_at_start)
    draw_staff_and_sector(model, rng, rows, scale=1.0)
    model.ledger.grow_enterprises(e._columns["alive"].size)
    model.ess_agents = {int(r): ESSEnterprise(model, int(r)) for r in rows}
    model.funded_posts_start = float(e.insertion_posts.sum())


def draw_staff_and_sector(model, rng, rows, scale: float) -> None:
    """Staff around the form's means (Poisson) and a sector from the form's mix."""
    e = model.enterprises
    forms = model.params.population.forms
    form = e.form[rows]
    mean = np.array([[forms[f].permanent_staff, forms[f].insertion_staff, forms[f].adapted_staff]
                     for f in LEGAL_FORMS])[form] * scale
    staff = rng.poisson(mean)
    e.permanent[rows] = np.maximum(staff[:, 0], 1)
    e.insertion_posts[rows] = staff[:, 1]
    e.insertion[rows] = staff[:, 1]
    e.adapted[rows] = staff[:, 2]
    mix = np.cumsum(np.array([forms[f].sector_mix for f in LEGAL_FORMS]), axis=1)[form]
    e.sector[rows] = np.minimum((rng.random(rows.size)[:, None] > mix).sum(axis=1),
                                len(SECTORS) - 1)


def _create_firms(model) -> None:
    rng = model.streams["init.firms"]
    pop_params, ind = model.params.population, model.params.industry
    t = model.territories
    multiplier = np.where(t.archetype == "industrial_basin", pop_params.basin_industry_multiplier,
                          np.where(t.archetype == "metropolis",
                                   pop_params.metropolis_industry_multiplier, 1.0))
    counts = rng.poisson(pop_params.industrial_firms_per_100k * multiplier * t.population / 1e5)
    territory = np.repeat(np.arange(len(t)), counts)
    n = territory.size
    jobs = rng.lognormal(np.log(pop_params.industrial_jobs_per_firm) - 0.5, 1.0, n)
    f = model.firms = firm_table(max(n, 16))
    rows = f.append(n, territory=territory, region=model.territory_region[territory],
                    sector=rng.integers(0, len(SECTORS), n), jobs=jobs,
                    csr=rng.random(n) < ind.csr_propensity_mean,
                    vacancies=jobs * ind.hard_to_fill_rate_month * 6)
    model.firm_agents = {int(r): IndustrialFirm(model, int(r)) for r in rows}


def _create_floor_and_sites(model) -> None:
    """Territory stocks of floor space, then one leased site per enterprise (private stock)."""
    e, L, t = model.enterprises, model.ledger, model.territories
    p = model.params
    m2 = model.on_site_jobs(np.arange(e.n)) * p.population.m2_per_job
    occupied = np.bincount(e.territory, weights=m2, minlength=len(t))
    L.territory_floor[0] = t.population * p.premises.vacancy_per_capita(t.tension) + occupied
    basin = np.where(t.archetype == "industrial_basin", BASIN_BROWNFIELD_MULTIPLIER, 1.0)
    L.territory_floor[2] = t.population * p.brownfield_m2_per_inhabitant * basin
    model.sites = site_table(max(2 * e.n, 64))
    rent = p.base_rent_eur_m2_yr * t.tension[e.territory]
    rent = rent * model.streams["init.sites"].uniform(0.85, 1.0, e.n)
    rows = model.sites.append(e.n, open=True, enterprise=np.arange(e.n), territory=e.territory,
                              region=e.region, stock=0, rent_m2_yr=rent, opened=-60)
    L.grow_sites(model.sites._columns["open"].size)
    L.move_floor_to_site(0, e.territory, rows, m2)
    e.floor[:] = m2
    model.initial_floor = L.total_floor()


def _create_ties(model) -> None:
    rng = model.streams["init.ties"]
    f, e = model.firms, model.enterprises
    model.ties = tie_table(max(4 * f.n, 64))
    n = rng.poisson(model.params.mutual_ignorance.initial_ties_per_firm * f.n)
    firms = rng.integers(0, f.n, n) if f.n else np.zeros(0, np.int64)
    alive = np.flatnonzero(e.alive)
    supplier = GroupIndex(e.territory[alive], alive, len(model.territories)).draw(
        f.territory[firms], rng.random(n))
    ok = supplier >= 0
    firms, supplier = firms[ok], supplier[ok]
    _key, first = np.unique(firms.astype(np.int64) * (1 << 32) + supplier, return_index=True)
    firms, supplier = firms[first], supplier[first]
    model.ties.append(firms.size, active=True, firm=firms, enterprise=supplier, kind=0,
                      trust=rng.uniform(0.3, 0.8, firms.size), created=-1)
    model.tie_index = PairIndex(firms, supplier)
    np.add.at(f.ess_ties, firms, 1)


def _create_actors(model) -> None:
    t = model.territories
    model.landlords = [PrivateLandlord(model, i) for i in range(len(t))]
    model.land_trusts = [SolidarityLandTrust(model, r) for r in range(len(model.region_names))]
    model.financiers = [Bank(model), ImpactInvestor(model), PublicInvestmentBank(model),
                        GuaranteeFund(model)]
    model.state = State(model)
    model.regions = [Region(model, r, str(name)) for r, name in enumerate(model.region_names)]
    model.intercommunalities = [Intercommunality(model, i) for i in range(len(t))]


def _calibrate_productivity(model) -> None:
    rows = np.arange(model.enterprises.n)
    rent = model.ledger.site_floor[rows] * model.sites.rent_m2_yr[rows] / 12.0
    calibrate_productivity(model, rows, rent)


MARGIN_DISPERSION = 0.02  # assumption: s.d. of enterprises' margins around their form's target


def calibrate_productivity(model, rows, rent_month, dispersion=MARGIN_DISPERSION,
                           survivors=True) -> None:
    """Set each enterprise's productivity so that, at its creation, it earns its form's target
    margin (plus a dispersion) given its wages, rent, materials and State aid (docs/ODD.md,
    initialisation): the baseline starts near equilibrium, and what moves it afterwards are
    markets, shocks and levers. Incumbents are survivors, none structurally loss-making;
    entrants (``survivors=False``) draw widely and learn their margin by operating."""
    e, econ = model.enterprises, model.params.economy
    e.productivity[rows] = 1.0
    unit_sales = econ.utilisation_at_start * model.capacity_of(rows, observed=True)
    ins_fte = e.insertion[rows] * model.form_fte[e.form[rows]] + e.adapted[rows]
    wages = e.permanent[rows] * econ.wage_permanent_month + ins_fte * econ.wage_insertion_month
    aid = ins_fte * model.form_aid_month[e.form[rows]]
    margin = model.form_target_margin[e.form[rows]] + model.streams["init.margins"].normal(
        0.0, dispersion, rows.size)
    kept = 1.0 - econ.materials_share - (np.maximum(margin, 0.0) if survivors else margin)
    productivity = np.divide(wages + rent_month - aid, kept * unit_sales,
                             out=np.ones(rows.size), where=unit_sales > 0)
    e.productivity[rows] = np.clip(productivity, 0.05, 10.0)


def _create_markets(model) -> None:
    """Markets with pools calibrated so that month 0 demand ≈ utilisation × capacity."""
    p, e, t = model.params, model.enterprises, model.territories
    econ = p.economy
    model.tie_spend_share = (p.industry.purchases_per_job_month
                             * p.mutual_ignorance.ess_spend_share_known)
    model.credit_market = CreditMarket(p.finance, model.form_finance_factor)
    model.premises_market = PremisesMarket(p.base_rent_eur_m2_yr,
                                           p.premises.rent_tension(np.asarray(t.tension)))
    model.contracts = contract_table(max(e.n, 64))
    model.loans = loan_table(max(e.n, 64))
    model._produce()
    target = econ.utilisation_at_start * e.capacity
    _initial_contracts(model, target)
    spend = t.population * p.procurement.spend_per_capita_month
    model.procurement_market = ProcurementMarket(p.procurement, spend, 0.0)
    model.procurement_market.bid_rate = _stationary_bid_rate(model, target, spend)
    tie_demand, _ = BusinessMarket.clear_ties(model.ties, model.firms, e.capacity, e.n,
                                              model.tie_spend_share, 0.0)
    public = target * p.procurement.initial_share_of_demand
    n_t = len(t)
    model.consumer_market = ConsumerMarket(np.zeros(n_t), econ.vat_standard,
                                           econ.price_elasticity)
    model.business_market = BusinessMarket(np.zeros(n_t))
    add_market_demand(model, np.arange(e.n), np.maximum(target - public - tie_demand, 0.0))
    e.demand[:] = target


def add_market_demand(model, rows, residual) -> None:
    """Give enterprises households' and businesses' demand worth ``residual`` € a month, and
    grow their territory's pools by as much: a newcomer brings its own clients rather than
    only taking incumbents' (assumption, docs/ODD.md)."""
    e, econ = model.enterprises, model.params.economy
    consumer = residual * econ.consumer_share_of_residual * model.consumer_facing[e.sector[rows]]
    business = residual - consumer
    e.consumer_weight[rows] = consumer
    e.business_weight[rows] = business
    np.add.at(model.consumer_market.pool, e.territory[rows], consumer * (1 + econ.vat_standard))
    np.add.at(model.business_market.generic_pool, e.territory[rows], business)


def _stationary_bid_rate(model, target, spend) -> float:
    """Share of open lots drawing an ESS bid, set so that, at start, the contracts ESS win each
    month replace those that expire (the public-contract stock is stationary in the baseline)."""
    p = model.params.procurement
    expiring = target.sum() * p.initial_share_of_demand / p.contract_months
    # the observed world: calibrated with the competition brake as measured, even when a run
    # lifts it (lifting it must then raise ESS wins, not be absorbed by the calibration)
    win = model.procurement_market.win_probability(model.params.competition.unit_cost_premium)
    awarded_per_bid = win * spend / p.contract_months  # monthly value won per bidding share
    has_ess = np.bincount(model.enterprises.territory, minlength=spend.size) > 0
    reachable = float(awarded_per_bid[has_ess].sum())
    return float(np.clip(expiring / max(reachable, 1e-9), 0.0, 1.0))


def _initial_contracts(model, target) -> None:
    """Contracts in force at start, with remaining durations spread over a contract's life."""
    e, p = model.enterprises, model.params.procurement
    rng = model.streams["init.contracts"]
    months = round(p.contract_months)
    value = target * p.initial_share_of_demand
    model.contracts.append(e.n, enterprise=np.arange(e.n), monthly_value=value,
                           end_month=rng.integers(1, months + 1, e.n), reserved=False)


def _fund_start_cash(model) -> None:
    """Founders' equity: a cash buffer of a few months of costs (France Active survey)."""
    e, econ = model.enterprises, model.params.economy
    costs = (e.permanent * econ.wage_permanent_month
             + (e.insertion * model.form_fte[e.form] + e.adapted) * econ.wage_insertion_month)
    model.ledger.pay_sector_to_enterprises(Sector.FOUNDERS, np.arange(e.n),
                                           costs * econ.cash_months_at_start, "founders_equity")
