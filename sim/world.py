"""The world: every piece of state a run carries from month to month, built by one function.

Initialisation (month 0): counts of ESS structures by legal form and of industrial firms are
Poisson draws around per-inhabitant densities calibrated on national figures (schema sources), so
a region holds what its population implies. Market pools are calibrated so each enterprise starts
near its observed utilisation: demand = utilisation × capacity, split between public contracts,
industry ties, households and other businesses (docs/ODD.md, initialisation).

``build_world(config, streams)`` turns a validated config and the run's named random streams into
a ``World``: the territories and their neighbourhood graph, the state tables (enterprises, firms,
sites, ties, contracts, loans), the ledger of money and floor space, and the markets. The phases
of the calendar change the world; what happened in a month goes to the month record
(``sim.month``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.agents import ess
from sim.effects import Effects
from sim.grouping import GroupIndex
from sim.ledger import Ledger, Sector
from sim.markets import procurement
from sim.markets.b2b import (
    BusinessMarket,
    IndustrialPurchasing,
    TieGraph,
    stationary_tie_lapse,
)
from sim.markets.clearing import n_markets
from sim.markets.consumer import ConsumerMarket
from sim.markets.credit import FORM_FACTOR_KEYS, CreditMarket
from sim.markets.feedstock import FeedstockMarket
from sim.markets.labour import LabourMarket
from sim.markets.premises import PremisesMarket, observed_vacant_m2
from sim.markets.procurement import ProcurementMarket
from sim.state import (
    Table,
    contract_table,
    enterprise_table,
    firm_table,
    loan_table,
    site_table,
    tie_table,
)
from sim.territories import Territories, load_territories
from sim.territories.regional import form_multipliers, industry_multipliers, insertion_size_factors
from sim.vocabulary import (
    FEEDSTOCK_SECTORS,
    LEGAL_FORMS,
    RESERVED_FORMS,
    SECTORS,
    FloorStock,
    TieKind,
)
from sim.warmup import observed_world


@dataclass
class FormTables:
    """Per legal form (index = position in ``LEGAL_FORMS``): what the form's params imply."""

    fte: np.ndarray               # FTE per insertion head
    target_margin: np.ndarray
    pay_flexibility: np.ndarray   # cooperatives cut pay when loss-making
    on_site: np.ndarray           # 1.0 when insertion staff need floor space
    labelled: np.ndarray          # goods eligible for an impact VAT rate
    reserved: np.ndarray          # may win reserved lots
    path: np.ndarray              # months of an insertion path
    exit_employment: np.ndarray
    exit_durable: np.ndarray
    aid_month: np.ndarray         # State aid per insertion FTE or adapted post, €/month
    commercial_share: np.ndarray  # sales' share of charges at creation (ACI: co-funded rest)
    outside_equity: np.ndarray    # may raise outside equity
    finance_factor: np.ndarray    # banks' approval factor of the form
    insertion_share: np.ndarray   # insertion share of a hire
    adapted_share: np.ndarray     # adapted share of a hire


@dataclass
class SectorTables:
    """Per sector (index = position in ``SECTORS``)."""

    needs_feedstock: np.ndarray   # capacity bounded by waste feedstock won (markets/feedstock)
    consumer_facing: np.ndarray   # weight of households in the sector's residual demand


@dataclass
class World:
    """The state of a run. Tables grow as rows are added; nothing here is a monthly flow."""

    territories: Territories
    region_names: np.ndarray
    territory_region: np.ndarray      # region index of each territory
    neighbours: GroupIndex            # territory -> adjacent territories
    forms: FormTables
    sectors: SectorTables
    ledger: Ledger
    # filled in order by build_world
    enterprises: Table = None
    enterprise_archive: Table = None  # rows of failed enterprises compacted away (by serial)
    firms: Table = None
    sites: Table = None
    site_archive: Table = None  # rows of closed sites compacted away (by serial)
    ties: TieGraph = None
    contracts: Table = None
    loans: Table = None
    consumer_market: ConsumerMarket = None
    business_market: BusinessMarket = None
    industrial_purchasing: IndustrialPurchasing = None
    procurement_market: ProcurementMarket = None
    premises_market: PremisesMarket = None
    credit_market: CreditMarket = None
    labour_market: LabourMarket = None
    feedstock_market: FeedstockMarket = None
    initial_floor: float = 0.0        # m², conserved by the ledger
    funded_posts_start: np.ndarray = None  # (forms,): insertion posts the State funds at start
    funded_adapted_start: float = 0.0  # adapted-enterprise posts the State funds at start
    demand_per_structure_start: np.ndarray = None  # € a month, per territory (entry's yardstick)
    demand_per_form_structure_start: np.ndarray = None  # (forms, territories): the same by form
    form_density_factors: np.ndarray = None  # (forms, territories): regional calibration, or ones
    insertion_size_factors: np.ndarray = None  # (territories,): insertion staff per structure
    # funded posts (insertion, adapted) no entrant claimed last month: what the State may
    # redeploy to incumbents (freed posts are offered to new structures first)
    posts_unclaimed_by_entrants: tuple[float, float] = (0.0, 0.0)
    # (forms,) closures and structure-months by legal form, exponentially weighted over the
    # past (``ess.count_turnover``, settling months included): each form's exit hazard, which
    # founders' forms follow (``ess.form_turnover``)
    form_closures: np.ndarray = None
    form_exposure: np.ndarray = None
    # (forms,) founders who tried to open a structure and those who opened one, weighted alike
    form_attempts: np.ndarray = None
    form_openings: np.ndarray = None

    @property
    def n_territories(self) -> int:
        return len(self.territories)

    def random_neighbour(self, territory: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        """A uniformly drawn adjacent territory (the territory itself when it has none)."""
        nb = self.neighbours
        return np.where(nb.counts[territory] > 0, nb.draw(territory, uniforms), territory)


def build_world(config, streams) -> World:
    """The world of month 0 from a validated ``SimConfig`` and the run's ``RandomStreams``."""
    params, t = config.params, config.territory
    territories = load_territories(t.kind, t.codes, t.synthetic or None, seed=0)
    region_names, territory_region = np.unique(territories.region, return_inverse=True)
    w = World(territories, region_names, territory_region, neighbour_index(territories),
              form_tables(params), sector_tables(params), Ledger(len(territories)))
    _create_enterprises(w, params, streams["init.enterprises"])
    _create_firms(w, params, streams["init.firms"])
    _create_floor_and_sites(w, params, streams["init.sites"])
    _create_ties(w, params, streams["init.ties"])
    w.feedstock_market = FeedstockMarket.calibrate(w, params)
    rows = np.arange(w.enterprises.n)
    rent = w.ledger.site_floor[rows] * w.sites.rent_m2_yr[rows] / 12.0
    ess.calibrate_productivity(w, params, streams["init.margins"], rows, rent,
                               params.economy.margin_dispersion)
    _create_markets(w, config, streams)
    # calibrated on the skill gap as measured (brake 5): lifting it must then raise exits to
    # employment, not be absorbed by the calibration
    w.labour_market = LabourMarket.calibrate(w, observed_world(params))
    w.ledger.pay_sector_to_enterprises(
        Sector.FOUNDERS, rows,
        ess.wage_costs(w, params.economy, rows) * params.economy.cash_reserve_months,
        "founders_equity")  # settled structures' cash reserve, not a founder's equity: with
    # founders' months of cash they would all pay the excess out at the first year's end and
    # only then start running short (a burn-in of the whole demography)
    return w


def form_tables(params) -> FormTables:
    forms = params.population.forms
    f = [forms[name] for name in LEGAL_FORMS]
    finance = params.finance
    staff = [max(x.insertion_staff + x.permanent_staff + x.adapted_staff, 1) for x in f]
    return FormTables(
        fte=np.array([x.fte_per_insertion_head for x in f]),
        target_margin=np.array([x.target_margin for x in f]),
        pay_flexibility=np.array([x.pay_flexibility for x in f]),
        on_site=np.array([1.0 if x.insertion_on_site else 0.0 for x in f]),
        labelled=np.array([x.labelled_impact for x in f]),
        reserved=np.array([name in RESERVED_FORMS for name in LEGAL_FORMS]),
        path=np.array([x.path_months for x in f]),
        exit_employment=np.array([x.exit_employment for x in f]),
        exit_durable=np.array([x.exit_durable for x in f]),
        aid_month=np.array([x.aid_per_fte_yr / 12.0 for x in f]),
        commercial_share=np.array([x.commercial_share_of_charges for x in f]),
        outside_equity=np.array([x.outside_equity for x in f]),
        finance_factor=np.array([
            1.0 if FORM_FACTOR_KEYS[x.finance_form_factor] is None
            else getattr(finance, FORM_FACTOR_KEYS[x.finance_form_factor]) for x in f]),
        insertion_share=np.array([x.insertion_staff / n for x, n in zip(f, staff, strict=True)]),
        adapted_share=np.array([x.adapted_staff / n for x, n in zip(f, staff, strict=True)]),
    )


def sector_tables(params) -> SectorTables:
    pop = params.population
    consumer_facing = {"reuse_reconditioning": pop.consumer_facing_reuse,
                       "manufacturing": pop.consumer_facing_manufacturing}
    return SectorTables(np.array([s in FEEDSTOCK_SECTORS for s in SECTORS]),
                        np.array([consumer_facing.get(s, 0.0) for s in SECTORS]))


def neighbour_index(territories) -> GroupIndex:
    edges = territories.edges
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    return GroupIndex(src, dst, len(territories))


def _create_enterprises(w: World, params, rng) -> None:
    forms = params.population.forms
    pop = w.territories.population
    regional = w.form_density_factors = _regional_form_factors(w.territories, params.population)
    w.insertion_size_factors = _insertion_size_factors(w.territories, params.population)
    expected = np.stack([forms[name].per_100k_inhabitants * regional[k] * pop / 1e5
                         for k, name in enumerate(LEGAL_FORMS)])  # (forms, territories)
    counts = _counts_following_regions(expected, w.territory_region, rng)
    form_of = np.repeat(np.tile(np.arange(len(LEGAL_FORMS)), pop.size), counts.T.ravel())
    territory_of = np.repeat(np.repeat(np.arange(pop.size), len(LEGAL_FORMS)), counts.T.ravel())
    n = form_of.size
    e = w.enterprises = enterprise_table(max(2 * n, 64))
    w.enterprise_archive = enterprise_table(64)
    w.ledger.enterprises = e
    rows = e.append(n, alive=True, form=form_of, territory=territory_of,
                    region=w.territory_region[territory_of],
                    founded=-params.population.incumbent_age_months, owner_firm=-1,
                    n_sites=1, n_regions=1, pressure=params.economy.utilisation_at_start)
    ess.draw_staff_and_sector(w, params, rng, rows, scale=1.0)
    w.ledger.grow_enterprises(e.allocated)
    w.funded_posts_start = np.bincount(e.form[rows], weights=e.insertion_posts[rows],
                                       minlength=len(LEGAL_FORMS))
    w.funded_adapted_start = float(e.adapted.sum())
    w.form_closures, w.form_exposure = _turnover_prior(params, e.form[rows])
    w.form_attempts = np.zeros(len(LEGAL_FORMS))
    w.form_openings = np.zeros(len(LEGAL_FORMS))


def _turnover_prior(params, forms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(closures, structure-months) by legal form that ``ess.count_turnover`` starts from:
    ``turnover_prior_months`` months of the initial stock at one hazard for every form, the
    base rate of attempted creations per structure (``entry_rate_per_100k_yr`` over the forms'
    densities). Founders' forms thus start at the forms' densities and follow the observed
    closures as the prior fades (half-life ``turnover_half_life_months``). Without it, an
    unsettled start's first closures set the whole mix: established cooperatives close from
    month 0 (``voluntary_closure_yr``) while failures begin only after months of refusals, so
    nearly every founder of the first months was a cooperative (ARA, 4 seeds: SCOP +22%
    within the first year)."""
    econ, population = params.economy, params.population
    density = sum(population.forms[f].per_100k_inhabitants for f in LEGAL_FORMS)
    hazard = econ.entry_rate_per_100k_yr / density / 12.0 if density > 0 else 0.0
    exposure = np.bincount(forms, minlength=len(LEGAL_FORMS)) * econ.turnover_prior_months
    return exposure * hazard, exposure


def _counts_following_regions(expected: np.ndarray, territory_region: np.ndarray,
                              rng) -> np.ndarray:
    """(forms, territories) structure counts: each region holds its expected count of each
    form (rounded up or down at random, keeping the expectation), spread over its territories
    in proportion to their expected counts. The regional counts are the calibration's data,
    so a seed redraws where structures stand within a region, not how many a region has
    (independent Poisson draws put Corse's ~4 adapted enterprises anywhere from 0 to 8)."""
    counts = np.zeros(expected.shape, dtype=np.int64)
    for region in range(int(territory_region.max()) + 1):
        inside = (territory_region == region).nonzero()[0]
        for k in range(expected.shape[0]):
            weights = expected[k, inside]
            total = weights.sum()
            if total <= 0:
                continue
            n = int(np.floor(total)) + int(rng.random() < total - np.floor(total))
            counts[k, inside] = rng.multinomial(n, weights / total)
    return counts


def _regional_form_factors(territories, population) -> np.ndarray:
    """(forms, territories): each form's density factor from the regional counts, or ones."""
    if population.regional_calibration:
        position = population.regional_position
        return form_multipliers(territories, positions={
            g: getattr(position, g) for g in ("insertion", "adapted", "cooperative",
                                              "association")})
    return np.ones((len(LEGAL_FORMS), len(territories)))


def _insertion_size_factors(territories, population) -> np.ndarray:
    """(territories,): insertion employees per insertion structure relative to France, or ones."""
    if population.regional_calibration:
        return insertion_size_factors(territories,
                                      position=population.regional_position.insertion_size)
    return np.ones(len(territories))


def _create_firms(w: World, params, rng) -> None:
    pop_params, ind = params.population, params.industry
    t = w.territories
    multiplier = np.where(t.archetype == "industrial_basin", pop_params.basin_industry_multiplier,
                          np.where(t.archetype == "metropolis",
                                   pop_params.metropolis_industry_multiplier, 1.0))
    if pop_params.regional_calibration:
        multiplier = multiplier * industry_multipliers(t, {
            "industrial_basin": pop_params.basin_industry_multiplier,
            "metropolis": pop_params.metropolis_industry_multiplier},
            position=pop_params.regional_position.industry)
    counts = rng.poisson(pop_params.industrial_firms_per_100k * multiplier * t.population / 1e5)
    territory = np.repeat(np.arange(len(t)), counts)
    n = territory.size
    sd = pop_params.firm_jobs_log_sd
    jobs = rng.lognormal(np.log(pop_params.industrial_jobs_per_firm) - sd**2 / 2, sd, n)
    w.firms = firm_table(max(n, 16))
    w.firms.append(n, territory=territory, region=w.territory_region[territory],
                   sector=rng.integers(0, len(SECTORS), n), jobs=jobs,
                   csr=rng.random(n) < ind.csr_propensity_mean,
                   vacancies=jobs * ind.hard_to_fill_rate_month * ind.vacancy_months)


def _create_floor_and_sites(w: World, p, rng) -> None:
    """Territory stocks of floor space, then one leased site per enterprise (private stock)."""
    e, L, t = w.enterprises, w.ledger, w.territories
    m2 = ess.on_site_jobs(w, np.arange(e.n)) * p.population.m2_per_job
    occupied = np.bincount(e.territory, weights=m2, minlength=len(t))
    L.territory_floor[FloorStock.PRIVATE] = observed_vacant_m2(p.premises, t) + occupied
    basin = np.where(t.archetype == "industrial_basin",
                     p.population.basin_brownfield_multiplier, 1.0)
    L.territory_floor[FloorStock.BROWNFIELD] = (t.population * p.brownfield_m2_per_inhabitant
                                                * basin)
    L.territory_floor[FloorStock.HOST] = np.bincount(
        w.firms.territory, weights=w.firms.jobs * p.industry.host_floor_m2_per_job,
        minlength=len(t))
    w.sites = L.sites = site_table(max(2 * e.n, 64))
    w.site_archive = site_table(64)
    rent = p.base_rent_eur_m2_yr * t.tension[e.territory]
    rent = rent * rng.uniform(p.premises.initial_rent_low, 1.0, e.n)
    rows = w.sites.append(e.n, open=True, enterprise=np.arange(e.n), territory=e.territory,
                          region=e.region, stock=FloorStock.PRIVATE, rent_m2_yr=rent,
                          opened=-p.population.incumbent_age_months)
    L.grow_sites(w.sites)
    L.move_floor_to_site(FloorStock.PRIVATE, e.territory, rows, m2)
    e.floor[:] = m2
    w.initial_floor = L.total_floor()


def _create_ties(w: World, params, rng) -> None:
    f, e = w.firms, w.enterprises
    table = tie_table(max(4 * f.n, 64))
    n = rng.poisson(params.mutual_ignorance.initial_ties_per_firm * f.n)
    firms = rng.integers(0, f.n, n) if f.n else np.zeros(0, np.int64)
    alive = e.alive.nonzero()[0]
    supplier = GroupIndex(e.territory[alive], alive, w.n_territories).draw(
        f.territory[firms], rng.random(n))
    ok = supplier >= 0
    firms, supplier = firms[ok], supplier[ok]
    _key, first = np.unique(firms.astype(np.int64) * (1 << 32) + supplier, return_index=True)
    firms, supplier = firms[first], supplier[first]
    table.append(firms.size, active=True, firm=firms, enterprise=supplier, kind=TieKind.SUPPLY,
                 trust=rng.uniform(params.mutual_ignorance.initial_trust_low,
                                   params.mutual_ignorance.initial_trust_high, firms.size),
                 created=-1)
    w.ties = TieGraph(table, f, e, params.mutual_ignorance.new_tie_trust)
    np.add.at(f.ess_ties, firms, 1)


def _create_markets(w: World, config, streams) -> None:
    """Markets with pools calibrated so that month 0 demand ≈ utilisation × capacity."""
    p, e, t = config.params, w.enterprises, w.territories
    econ = p.economy
    w.credit_market = CreditMarket(p.finance, w.forms.finance_factor)
    w.premises_market = PremisesMarket(p.base_rent_eur_m2_yr,
                                       p.premises.rent_tension(np.asarray(t.tension)))
    w.contracts = contract_table(max(e.n, 64))
    w.loans = loan_table(max(e.n, 64))
    # support vacancies as measured (brake 5), whatever the run's brake: every arm of a paired
    # comparison starts from the same capacity, and the pools are calibrated on it
    ess.staff_and_capacity(w, observed_world(p), streams["hr.turnover"],
                           Effects(len(t)).production)
    target = econ.utilisation_at_start * e.capacity
    spend = t.population * p.procurement.spend_per_capita_month
    w.procurement_market = ProcurementMarket(p.procurement, spend, 0.0)
    _initial_contracts(w, p, streams["init.contracts"], target, streams["init.buyers"])
    w.procurement_market.bid_rate = _stationary_bid_rate(w, p, streams["init.contracts"])
    w.industrial_purchasing = IndustrialPurchasing(
        p.industry, p.competition, p.mutual_ignorance.orders_within_capacity)
    tie_demand = w.industrial_purchasing.clear(
        w.ties.table, w.firms, e.sector, e.capacity, w.firms.csr,
        p.mutual_ignorance.trust_to_buy, observed_price=True).ordered
    public = target * p.procurement.initial_share_of_demand
    left_by_other_markets = e.capacity - np.maximum(target - tie_demand, public)
    if p.mutual_ignorance.stationary_lapse:
        w.industrial_purchasing.tie_lapse_month = stationary_tie_lapse(
            p.mutual_ignorance, w.industrial_purchasing, w.firms, w.ties.table, e,
            np.maximum(left_by_other_markets, 0.0), len(t))
    n_t = len(t)
    w.consumer_market = ConsumerMarket(np.zeros(n_markets(n_t)), econ.vat_standard,
                                       econ.price_elasticity)
    w.business_market = BusinessMarket(np.zeros(n_markets(n_t)))
    ess.add_market_demand(w, econ, np.arange(e.n), np.maximum(target - public - tie_demand, 0.0))
    e.demand[:] = target
    structures = np.bincount(e.territory, minlength=n_t)
    w.demand_per_structure_start = np.divide(
        np.bincount(e.territory, weights=target, minlength=n_t), structures,
        out=np.zeros(n_t), where=structures > 0)
    w.demand_per_form_structure_start = ess.demand_per_form_structure(
        e, np.ones(e.n, bool), n_t, target)[0]


def _stationary_bid_rate(w: World, params, rng) -> float:
    """Share of open lots drawing an ESS bid, set so that the contracts ESS win each month
    replace those that expire (the public-contract stock is stationary in the baseline),
    counted as the clearing counts them (``procurement.stationary_bid_rate``): the lots a
    local structure can take on with its spare public-work capacity once the start's stock is
    held in whole lots (``held_in_whole_lots``), as the market holds it in steady state."""
    p = params.procurement
    e = w.enterprises
    contracted = np.bincount(w.contracts.enterprise, weights=w.contracts.monthly_value,
                             minlength=e.n)
    expiring = contracted.sum() / p.contract_months
    # the observed world: calibrated with the competition brake as measured, even when a run
    # lifts it (lifting it must then raise ESS wins, not be absorbed by the calibration)
    win = w.procurement_market.win_probability(params.competition.unit_cost_premium)
    stock = np.bincount(e.territory, weights=contracted, minlength=w.n_territories)
    held = held_in_whole_lots(w, p, rng, stock)
    spare = np.maximum(p.public_work_cap * e.capacity - held, 0)
    return procurement.stationary_bid_rate(w.procurement_market, spare, e.territory,
                                           e.alive.nonzero()[0], expiring, win)


def _initial_contracts(w: World, params, rng, target, buyer_rng) -> None:
    """Contracts in force at start, with remaining durations spread over a contract's life;
    each carries a social clause as often as the lots ESS win do (clauses raise the chance
    to win, so more of them than of all lots), and a buyer drawn with the buyers' shares
    (from ``buyer_rng``, the other draws unchanged)."""
    n, p = w.enterprises.n, params.procurement
    months = round(p.contract_months)
    with_clause, without = w.procurement_market.win_probabilities(
        params.competition.unit_cost_premium)
    won_with_clause = p.social_clause_share * with_clause
    clause_share = won_with_clause / max(won_with_clause + (1 - p.social_clause_share) * without,
                                         1e-12)
    w.contracts.append(n, enterprise=np.arange(n), monthly_value=target * p.initial_share_of_demand,
                       end_month=rng.integers(1, months + 1, n), reserved=False,
                       clause=rng.random(n) < clause_share,
                       buyer=w.procurement_market.draw_buyers(buyer_rng, n))


def held_in_whole_lots(w: World, p, rng, stock) -> np.ndarray:
    """Monthly public work each structure holds once the contract stock ``stock`` (monthly
    value by territory) is held as the market awards it: in whole lots, each taken by a local
    structure drawn among those that can take it on (public work under ``public_work_cap`` of
    capacity, as in the clearing). The contracts in force at start are an even share of every
    structure's demand, which leaves every structure room to bid; as they expire, lots
    concentrate on winners and fewer structures can take one on (ARA: 0.96 of the spend's
    structures at start, ~0.88 from year 2), so a bid rate calibrated on the start ran awards
    ~8% below the expiry flow."""
    e = w.enterprises
    value = p.lot_size_eur / p.contract_months
    whole = np.floor(stock / value)
    lots = (whole + (rng.random(stock.size) < stock / value - whole)).astype(np.int64)
    room = p.public_work_cap * e.capacity
    held = np.zeros(e.n)
    for t in lots.nonzero()[0]:
        local = (e.alive & (e.territory == t)).nonzero()[0]
        left = room[local].copy()
        for u in rng.random(lots[t]):
            able = (left >= value).nonzero()[0]
            if able.size == 0:
                break  # no local structure can take more on
            k = able[min(int(u * able.size), able.size - 1)]
            left[k] -= value
            held[local[k]] += value
    return held
