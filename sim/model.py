"""EcosystemModel: ESS enterprises and industry on a network of French territories, by month.

``step()`` is the model's calendar (see docs/ARCHITECTURE.md). Monthly arithmetic runs over the
arrays of ``sim.state``; per-agent Python is kept for the few discrete decisions of a month
(growth, new sites, entries, failures). Every euro and square metre moves through ``self.ledger``,
whose conservation is asserted at the end of every month.
"""

from __future__ import annotations

from collections.abc import Mapping

import mesa
import numpy as np
import pandas as pd

from sim import demography, setup
from sim.agents import ESSEnterprise
from sim.config import SimConfig, validate
from sim.events import EventKind, EventLog, Labelled
from sim.grouping import GroupIndex
from sim.ledger import Sector
from sim.markets.b2b import NEW_TIE_TRUST, BusinessMarket
from sim.markets.credit import YOUNG_MONTHS
from sim.markets.labour import insertion_flow
from sim.metrics import MetricsRecorder
from sim.policies import REGISTRY, PolicyEffects
from sim.rng import RandomStreams
from sim.scenario import scenario_at
from sim.state import pair_key
from sim.territories import load_territories
from sim.vocabulary import LEGAL_FORMS

INSERTION_FORMS = ("EI", "ACI", "AI", "ETTI")
TIE_SUPPLY, TIE_IMPLANT, TIE_OWNERSHIP = 0, 1, 2
PRESSURE_SMOOTHING = 0.3
RESULT_SMOOTHING = 1 / 6  # weight of the month in the result trend (~a half-year of accounts)
OVERDRAFT_MONTHS = 24
PUBLIC_WORK_CAP = 0.5  # an enterprise bids while public contracts stay under half its capacity


class EcosystemModel(mesa.Model):
    """A territorial ecosystem of ESS enterprises, industrial firms, landlords, financiers and
    public actors.

    Args:
        config: a validated ``SimConfig``, a composed Hydra config, or None to compose the
            default config with ``overrides``.
        rng: the run seed (Mesa's convention; overrides ``config.seed``).
        **overrides: Hydra overrides as keyword arguments (``territory="classroom"``,
            ``horizon_months=24``...), which lets ``mesa.batch_run`` drive the model.
    """

    def __init__(self, config: SimConfig | Mapping | None = None, *, rng=None, **overrides):
        config = _resolve(config, overrides)
        if rng is not None:
            config.seed = int(rng)
        super().__init__(rng=config.seed)
        self.config = config
        self.params = config.params
        self.streams = RandomStreams(config.seed)
        t = config.territory
        self.territories = load_territories(t.kind, t.codes, t.synthetic or None, seed=0)
        self.region_names, self.territory_region = np.unique(self.territories.region,
                                                             return_inverse=True)
        self.month = 0
        self.world = scenario_at(config.scenario, 0)
        self.events = EventLog()
        self.effects = PolicyEffects(len(self.territories))
        setup.populate(self)
        self.policies = [REGISTRY[name](params, self)
                         for name, params in sorted(config.policies.items())]
        self.lever_names = [p.name for p in self.policies]
        self.metrics = MetricsRecorder(self)
        self.datacollector = mesa.DataCollector(model_reporters=self.metrics.reporters())

    # --- the calendar -------------------------------------------------------------------------
    def step(self) -> None:
        """One month: world, levers, industry, discovery, production, markets, settlement,
        finance, labour, trust, demography, public cost, data."""
        self.world = scenario_at(self.config.scenario, self.month)
        self.effects = PolicyEffects(len(self.territories))
        for policy in self.policies:
            policy.apply(self.effects, self.month)
        self._update_industry()
        self._discover_suppliers()
        self._produce()
        self._clear_markets()
        self._settle()
        self._finance_cash_shortfalls()
        self._insertion_labour()
        self._update_trust()
        demography.run_month(self)
        lever_costs = {p.name: p.book(self.month) for p in self.policies}
        self.metrics.record(lever_costs)
        self.datacollector.collect(self)
        self.ledger.assert_conserved(self.initial_floor)
        self.ledger.assert_no_negative_cash(self.enterprises.n)
        self.month += 1
        self.running = self.month < self.config.horizon_months

    def run(self) -> EcosystemModel:
        while self.running:
            self.step()
        return self

    # --- phases -------------------------------------------------------------------------------
    def _update_industry(self) -> None:
        """Industrial jobs follow the scenario; hard-to-fill vacancies open; Regions grant aid."""
        firms, ind = self.firms, self.params.industry
        trend = (1.0 + self.config.scenario.industrial_employment_trend_yr) ** (1 / 12)
        firms.jobs[:] = firms.jobs * trend
        firms.vacancies[:] = firms.vacancies * (5 / 6) + firms.jobs * ind.hard_to_fill_rate_month
        rng = self.streams["industry.aid"]
        granted = np.flatnonzero(rng.random(firms.n) < ind.regional_aid_share_yr / 12.0)
        sd = ind.regional_aid_log_sd
        amounts = rng.lognormal(np.log(ind.regional_aid_mean_eur) - sd**2 / 2, sd, granted.size)
        self.aid_granted_firms, self.aid_granted_amounts = granted, amounts
        firms.aid_received[granted] += amounts
        self.ledger.pay_sector_to_sector(Sector.REGIONS, Sector.INDUSTRY, amounts.sum(),
                                         "regional_aid_industry")
        self.month_public_baseline += amounts.sum()
        np.add.at(self.month_public_by_territory, firms.territory[granted], amounts)

    def _discover_suppliers(self) -> None:
        """Brake 1: firms meet ESS suppliers by proximity, referrals and matchmaking."""
        firms = self.firms
        rng = self.streams["b2b.discovery"]
        boost = self.effects.discovery_boost[firms.territory]
        p = self.params.mutual_ignorance.discovery_probability(firms.ess_ties, boost)
        draws = rng.random((3, firms.n))
        meeting = np.flatnonzero(draws[0] < p)
        forced = self._aid_compliers()
        meeting = np.union1d(meeting, forced)
        if meeting.size == 0:
            return
        home = firms.territory[meeting]
        abroad = draws[1, meeting] < self.params.mutual_ignorance.neighbour_share
        where = np.where(abroad, self._random_neighbour(home, draws[2, meeting]), home)
        alive = np.flatnonzero(self.enterprises.alive)
        supplier = GroupIndex(self.enterprises.territory[alive], alive,
                              len(self.territories)).draw(where, draws[2, meeting])
        ok = supplier >= 0
        self.add_ties(meeting[ok], supplier[ok], TIE_SUPPLY)

    def _aid_compliers(self) -> np.ndarray:
        """Firms aided this month that take an ESS action under conditional aid: above the
        threshold whenever the condition reaches them, below it if they volunteer. A complier
        commits to buying from the ESS (it becomes a CSR-minded buyer)."""
        e = self.effects
        granted = self.aid_granted_firms
        self.aid_compliers = np.zeros(0, np.int64)
        if e.aid_conditional_dose <= 0 or granted.size == 0:
            return self.aid_compliers
        in_scope = e.aid_conditional_mask[self.firms.territory[granted]] > 0
        draws = self.streams["policy.conditional_aid.compliance"].random((2, granted.size))
        binding = self.aid_granted_amounts >= e.aid_threshold_eur
        complies = in_scope & (draws[0] < e.aid_conditional_dose) & (
            binding | (draws[1] < e.aid_voluntary_compliance))
        self.aid_compliers = granted[complies]
        self.firms.csr[self.aid_compliers] = True
        return self.aid_compliers

    def _random_neighbour(self, territory: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        nb = self.neighbour_index
        return np.where(nb.counts[territory] > 0, nb.draw(territory, uniforms), territory)

    def add_ties(self, firms_idx: np.ndarray, enterprises_idx: np.ndarray, kind: int) -> None:
        """New firm–ESS ties (existing active pairs are kept, not duplicated)."""
        if firms_idx.size == 0:
            return
        ties = self.ties
        key_new, first = np.unique(pair_key(firms_idx, enterprises_idx), return_index=True)
        fresh = ~self.tie_index.contains(key_new)
        f, e = firms_idx[first][fresh], enterprises_idx[first][fresh]
        ties.append(f.size, active=True, firm=f, enterprise=e, kind=kind, trust=NEW_TIE_TRUST,
                    created=self.month)
        self.tie_index.add(key_new[fresh])
        np.add.at(self.firms.ess_ties, f, 1)
        self.events.record(self.month, EventKind.NEW_TIE, e, self.enterprises.territory[e],
                           Labelled("firm=", f))

    def _produce(self) -> None:
        """Capacity from staff, productivity, support vacancies (brake 5), feedstock (brake 2)."""
        e, hr = self.enterprises, self.params.human_resources
        alive = e.alive
        rng = self.streams["hr.turnover"]
        draws = rng.random((2, e.n))
        cut = self.effects.support_turnover_cut[e.territory]
        leaving = ~e.support_vacant & (draws[0] < hr.support_turnover_month * (1 - cut))
        refilled = e.support_vacant & (draws[1] < 1.0 / hr.refill_months)
        if hr.enabled:
            e.support_vacant[:] = (e.support_vacant & ~refilled) | leaving
        capacity = self.capacity_of(np.arange(e.n)) * hr.capacity_factor(e.support_vacant)
        e.capacity[:] = np.where(alive, capacity, 0.0)

    def capacity_of(self, rows: np.ndarray, observed: bool = False) -> np.ndarray:
        """Monthly sales capacity (€) from staff, productivity and feedstock access.

        ``observed`` applies the competition brake's feedstock loss as measured, whether or not
        this run lifts the brake: calibration happens in the observed world.
        """
        e, econ, competition = self.enterprises, self.params.economy, self.params.competition
        fte = (e.permanent[rows]
               + e.insertion[rows] * self.form_fte[e.form[rows]] * econ.insertion_productivity
               + e.adapted[rows] * econ.adapted_productivity)
        access = (1.0 - competition.feedstock_loss_share if observed else
                  competition.feedstock_access(self.effects.feedstock_boost[e.territory[rows]]))
        feedstock = np.where(self.needs_feedstock[e.sector[rows]], access, 1.0)
        return econ.sales_per_fte_month * e.productivity[rows] * fte * feedstock

    def on_site_jobs(self, rows: np.ndarray) -> np.ndarray:
        """Jobs that need floor space (AI and ETTI place their insertion staff at clients)."""
        e = self.enterprises
        return e.permanent[rows] + e.adapted[rows] + e.insertion[rows] * self.form_on_site[
            e.form[rows]]

    def new_ess_agent(self, row: int) -> ESSEnterprise:
        return ESSEnterprise(self, row)

    def _clear_markets(self) -> None:
        """Consumer, business, industry (ties) and public demand meet capacity."""
        e, n = self.enterprises, self.enterprises.n
        world, effects = self.world, self.effects
        consumer = self.consumer_market.clear(
            e.territory, e.consumer_weight * e.alive, self.form_labelled[e.form],
            world.demand_index, effects.ess_vat_rate, effects.vat_pass_through)
        generic = self.business_market.clear_generic(e.territory, e.business_weight * e.alive,
                                                     world.demand_index)
        boost = self.effects.ess_spend_boost[self.firms.territory]
        tie_demand, self.tie_spend = BusinessMarket.clear_ties(
            self.ties, self.firms, e.capacity, n, self.tie_spend_share, boost)
        self._award_tenders()
        public = self._contracted_work()
        demand = (consumer.demand_ht + generic + tie_demand + public) * e.alive
        served = np.divide(np.minimum(demand, e.capacity), demand, out=np.zeros(n),
                           where=demand > 0)
        # private sales are cashed unevenly month to month (lumpy orders, seasonality, late
        # payers) around what was served: cash strain without a bias on margins or growth
        shock = self._sales_shock(n)
        e.demand[:] = demand
        e.sales[:] = ((consumer.demand_ht + generic + tie_demand) * shock + public) * served
        e.procurement_sales[:] = public * served
        ratio = np.divide(demand, e.capacity, out=np.ones(n), where=e.capacity > 0)
        e.pressure[:] = (1 - PRESSURE_SMOOTHING) * e.pressure + PRESSURE_SMOOTHING * ratio
        self.month_served = served
        private = shock * served
        self.month_sales_parts = {
            "consumer": consumer.demand_ht * private, "vat": consumer.vat_collected * private,
            "vat_forgone": consumer.vat_forgone * private, "business": generic * private,
            "industry": tie_demand * private, "public": public * served,
        }

    def _sales_shock(self, n: int) -> np.ndarray:
        """Monthly log-normal multiplier of private sales, mean 1 (``sales_volatility``)."""
        sd = self.params.economy.sales_volatility
        return self.streams["markets.sales_shocks"].lognormal(-sd**2 / 2, sd, n)

    def _award_tenders(self) -> None:
        e = self.enterprises
        alive_idx = np.flatnonzero(e.alive)
        committed = self._contracted_work()
        spare = np.maximum(PUBLIC_WORK_CAP * e.capacity - committed, 0)
        awards = self.procurement_market.clear(
            self.streams["procurement.tenders"], spare, e.territory, self.form_reserved[e.form],
            alive_idx, self.effects, self.world.procurement_index,
            self.params.competition.price_premium())
        if awards.enterprise.size:
            months = round(self.params.procurement.contract_months)
            self.contracts.append(awards.enterprise.size, enterprise=awards.enterprise,
                                  monthly_value=awards.monthly_value,
                                  end_month=self.month + 1 + months, reserved=awards.reserved)
            self.events.record(self.month, EventKind.TENDER_WON, awards.enterprise,
                               awards.territory,
                               np.where(awards.reserved, "reserved", "open"))
            # a signed contract is certain demand, not noise to smooth: the winner plans with
            # it at once (the smoothing in _clear_markets then keeps it in full)
            np.add.at(e.pressure, awards.enterprise,
                      awards.monthly_value / np.maximum(e.capacity[awards.enterprise], 1.0))
        reserved_value = awards.monthly_value * awards.reserved * (
            self.params.procurement.contract_months)
        self.month_reserved_awards_by_territory = np.bincount(
            awards.territory, weights=reserved_value, minlength=len(self.territories))
        self.month_reserved_awards = float(reserved_value.sum())

    def _contracted_work(self) -> np.ndarray:
        """Monthly value of each enterprise's public contracts in force."""
        c = self.contracts
        live = c.end_month > self.month
        return np.bincount(c.enterprise[live], weights=c.monthly_value[live],
                           minlength=self.enterprises.n)

    def _settle(self) -> None:
        """Every euro of the month through the ledger: sales, VAT, aid, wages, materials, rent,
        loan service."""
        e, L, econ = self.enterprises, self.ledger, self.params.economy
        idx = np.arange(e.n)
        parts = self.month_sales_parts
        L.pay_sector_to_enterprises(Sector.HOUSEHOLDS, idx, parts["consumer"] + parts["vat"],
                                    "sales_households")
        L.pay_enterprises_to_sector(idx, parts["vat"], Sector.STATE, "vat")
        L.pay_sector_to_enterprises(Sector.INDUSTRY, idx, parts["business"] + parts["industry"],
                                    "sales_business")
        L.pay_sector_to_enterprises(Sector.INTERCOMMUNALITIES, idx, parts["public"],
                                    "sales_public")
        ins_fte = e.insertion * self.form_fte[e.form]
        aid = (ins_fte + e.adapted) * self.form_aid_month[e.form] * e.alive
        L.pay_sector_to_enterprises(Sector.STATE, idx, aid, "state_aid_posts")
        self.month_public_baseline += aid.sum()
        np.add.at(self.month_public_by_territory, e.territory, aid)
        restraint = 1.0 - self.form_pay_flexibility[e.form] * e.loss_making  # cooperatives
        wages = (e.permanent * econ.wage_permanent_month * restraint
                 + (ins_fte + e.adapted) * econ.wage_insertion_month) * e.alive
        L.pay_enterprises_to_sector(idx, wages, Sector.HOUSEHOLDS, "wages")
        materials = e.sales * econ.materials_share
        L.pay_enterprises_to_sector(idx, materials, Sector.SUPPLIERS, "materials")
        self._pay_rents()
        service = self._service_loans()
        result = e.sales + aid - wages - materials - e.rent_month - service
        # losses are judged on recent accounts, not on one month's lumpy sales
        e.result_trend[:] = (1 - RESULT_SMOOTHING) * e.result_trend + RESULT_SMOOTHING * result
        e.loss_making[:] = e.result_trend < 0
        self.month_result = result
        self.month_accounts = {"sales": e.sales.copy(), "aid": aid, "wages": wages,
                               "materials": materials, "rent": e.rent_month.copy()}

    def _pay_rents(self) -> None:
        s, e = self.sites, self.enterprises
        if self.month > 0 and self.month % 12 == 0:
            s.rent_m2_yr[:] = s.rent_m2_yr * (1.0 + self.config.scenario.rent_inflation_yr)
        rent = np.where(s.open, self.ledger.site_floor[: s.n] * s.rent_m2_yr / 12.0, 0.0)
        for stock, sector in ((0, Sector.PRIVATE_LANDLORDS), (1, Sector.LAND_TRUSTS)):
            mask = s.stock == stock
            self.ledger.pay_enterprises_to_sector(s.enterprise[mask], rent[mask], sector,
                                                  f"rent_{sector.name.lower()}")
        e.rent_month[:] = np.bincount(s.enterprise, weights=rent, minlength=e.n)

    def _service_loans(self) -> np.ndarray:
        loans = self.loans
        live = np.flatnonzero(loans.open)
        interest = loans.outstanding[live] * loans.rate_month[live]
        payment = np.minimum(loans.payment[live], loans.outstanding[live] + interest)
        loans.outstanding[live] -= payment - interest
        done = live[loans.outstanding[live] <= 1e-6]
        loans.open[done] = False
        loans.outstanding[done] = 0.0
        self.ledger.pay_enterprises_to_sector(loans.enterprise[live], payment, Sector.BANKS,
                                              "loan_service")
        service = np.bincount(loans.enterprise[live], weights=payment,
                              minlength=self.enterprises.n)
        self.enterprises.debt[:] = np.bincount(loans.enterprise[loans.open],
                                               weights=loans.outstanding[loans.open],
                                               minlength=self.enterprises.n)
        return service

    def _finance_cash_shortfalls(self) -> None:
        """Brake 3 on cash flow: a shortfall asks for an overdraft; refusal means unpaid
        suppliers (payables) and, after repeated refusals, failure."""
        e, L = self.enterprises, self.ledger
        cash = L.cash_view(e.n)
        short = np.flatnonzero((cash < 0) & e.alive)
        if short.size:
            approved = self.credit_market.screen(
                self.streams["credit.overdraft"], e.form[short],
                self.month - e.founded[short] < YOUNG_MONTHS, e.loss_making[short],
                self.effects.guarantee_boost[e.territory[short]],
                jobs=e.permanent[short] + e.insertion[short] + e.adapted[short], short_term=True,
                leverage=e.debt[short] / np.maximum(e.capacity[short], 1.0))
            need = -cash[short]
            self.grant_loans(short[approved], need[approved] * 1.2, OVERDRAFT_MONTHS, "overdraft")
            refused = short[~approved]
            self.events.record(self.month, EventKind.LOAN_REFUSED, refused, e.territory[refused],
                               "overdraft")
            unpaid = -cash[refused]  # read before the transfer: ``cash`` is a live view
            L.pay_sector_to_enterprises(Sector.SUPPLIERS, refused, unpaid, "payables")
            e.payables[refused] += unpaid
            e.refused_months[refused] += 1
            e.refused_months[short[approved]] = 0
        solvent = np.flatnonzero((cash > 0) & (e.payables > 0))
        repay = np.minimum(cash[solvent], e.payables[solvent])
        L.pay_enterprises_to_sector(solvent, repay, Sector.SUPPLIERS, "payables_repaid")
        e.payables[solvent] -= repay
        cleared = solvent[e.payables[solvent] <= 1e-6]
        e.refused_months[cleared] = 0

    def grant_loans(self, enterprises_idx, principal, months: int, purpose: str) -> None:
        if enterprises_idx.size == 0:
            return
        payment, rate = self.credit_market.terms(principal, self.world.interest_rate_month,
                                                 months)
        guaranteed = self.effects.guarantee_share[self.enterprises.territory[enterprises_idx]]
        self.loans.append(enterprises_idx.size, open=True, enterprise=enterprises_idx,
                          outstanding=principal, payment=payment, rate_month=rate,
                          guaranteed=guaranteed)
        self.ledger.pay_sector_to_enterprises(Sector.BANKS, enterprises_idx, principal,
                                              f"loan_{purpose}")
        self.events.record(self.month, EventKind.LOAN_GRANTED, enterprises_idx,
                           self.enterprises.territory[enterprises_idx], purpose)

    def _insertion_labour(self) -> None:
        e = self.enterprises
        ins = np.flatnonzero(e.alive & (e.insertion > 0))
        fit = self.params.human_resources.graduate_fit(self.effects.skill_boost)
        fit = np.broadcast_to(np.asarray(fit, dtype=float), (len(self.territories),))
        tie_bonus = 1.0 + 0.5 * (self.enterprise_tie_count()[ins] > 0)
        vacancies = np.bincount(self.firms.territory, weights=self.firms.vacancies,
                                minlength=len(self.territories))
        flow = insertion_flow(
            self.streams["labour.insertion"], e.insertion[ins], self.form_path[e.form[ins]],
            self.form_exit_employment[e.form[ins]], self.form_exit_durable[e.form[ins]],
            self.effects.graduate_hiring_boost, e.territory[ins], vacancies, fit, tie_bonus)
        share = np.divide(flow.filled_vacancies_by_territory, vacancies,
                          out=np.zeros_like(vacancies), where=vacancies > 0)
        self.firms.vacancies[:] = self.firms.vacancies * (1 - share[self.firms.territory])
        entries = e.insertion_posts[ins] - e.insertion[ins] + flow.exits
        e.insertion[ins] = e.insertion_posts[ins]
        self.month_labour = {
            "exits": flow.exits.sum(), "employed": flow.employed.sum(),
            "durable": flow.durable.sum(), "entries": entries.sum(),
            "filled": flow.filled_vacancies_by_territory.sum(),
            "employed_by_territory": np.bincount(e.territory[ins], weights=flow.employed,
                                                 minlength=len(self.territories)),
            "exits_by_form": np.bincount(e.form[ins], weights=flow.exits,
                                         minlength=len(LEGAL_FORMS)),
            "employed_by_form": np.bincount(e.form[ins], weights=flow.employed,
                                            minlength=len(LEGAL_FORMS)),
            "durable_by_form": np.bincount(e.form[ins], weights=flow.durable,
                                           minlength=len(LEGAL_FORMS)),
        }
        if flow.exits.sum():
            self.events.record(self.month, EventKind.INSERTION_EXITS, ins[flow.exits > 0],
                               e.territory[ins[flow.exits > 0]],
                               Labelled("employed=", flow.employed[flow.exits > 0]))

    def _update_trust(self) -> None:
        """Trust rises with full deliveries, decays otherwise; empty trust loses the tie."""
        ties, mi = self.ties, self.params.mutual_ignorance
        live = np.flatnonzero(ties.active)
        delivered = self.month_served[ties.enterprise[live]]
        bought = self.tie_spend[live] > 0
        change = np.where(bought, mi.trust_gain * (2 * delivered - 1), 0.0) - mi.trust_decay
        ties.trust[live] = np.clip(ties.trust[live] + change, 0.0, 1.0)
        rng = self.streams["b2b.implants"]
        implant = (rng.random(live.size) < self.effects.implant_rate[
            self.firms.territory[ties.firm[live]]]) & (ties.kind[live] == TIE_SUPPLY)
        ties.kind[live[implant]] = TIE_IMPLANT
        ties.trust[live[implant]] = 1.0
        self.month_implants = int(implant.sum())
        lost = live[(ties.trust[live] <= 0) & (ties.kind[live] == TIE_SUPPLY)]
        self.drop_ties(lost)

    def drop_ties(self, tie_idx: np.ndarray) -> None:
        tie_idx = tie_idx[self.ties.active[tie_idx]]
        if tie_idx.size == 0:
            return
        self.ties.active[tie_idx] = False
        self.tie_index.remove(pair_key(self.ties.firm[tie_idx], self.ties.enterprise[tie_idx]))
        np.subtract.at(self.firms.ess_ties, self.ties.firm[tie_idx], 1)
        ent = self.ties.enterprise[tie_idx]
        self.events.record(self.month, EventKind.TIE_LOST, ent, self.enterprises.territory[ent])

    # --- helpers used by levers, metrics and the dashboard ------------------------------------
    def territory_mask(self, target) -> np.ndarray:
        """1.0 for territories a lever's targeting reaches, else 0.0."""
        t = self.territories
        mask = np.ones(len(t), dtype=bool)
        if target.density_classes:
            mask &= np.isin(t.density_class, target.density_classes)
        if target.archetypes:
            mask &= np.isin(t.archetype, target.archetypes)
        if target.regions:
            wanted = [str(r) for r in target.regions]
            mask &= np.isin(t.region_code, wanted) | np.isin(t.region, wanted)
        return mask.astype(float)

    def enterprise_tie_count(self) -> np.ndarray:
        ties = self.ties
        return np.bincount(ties.enterprise[ties.active], minlength=self.enterprises.n)

    def record_public_cost(self, lever: str, by_territory: np.ndarray) -> None:
        """Locate a lever's booked cost on territories (for the territory panel)."""
        self.month_public_by_territory += by_territory

    def enterprise_snapshot(self, row: int) -> dict:
        e, s = self.enterprises, self.sites
        sites = np.flatnonzero((s.enterprise == row) & s.open)
        codes = self.territories.codes
        events = self.events.frame(codes)
        history = events[events.agent == row].tail(20)
        ties = np.flatnonzero(self.ties.active & (self.ties.enterprise == row))
        return {
            "row": row, "alive": bool(e.alive[row]), "legal_form": LEGAL_FORMS[e.form[row]],
            "territory": str(codes[e.territory[row]]),
            "territory_name": str(self.territories.names[e.territory[row]]),
            "founded_month": int(e.founded[row]), "cash_eur": float(self.ledger.cash(row)),
            "debt_eur": float(e.debt[row]), "permanent": int(e.permanent[row]),
            "insertion": int(e.insertion[row]), "adapted": int(e.adapted[row]),
            "capacity_eur_month": float(e.capacity[row]), "sales_eur_month": float(e.sales[row]),
            "floor_m2": float(self.ledger.site_floor[sites].sum()),
            "rent_eur_month": float(e.rent_month[row]),
            "sites": [{"territory": str(codes[s.territory[i]]),
                       "floor_m2": float(self.ledger.site_floor[i]),
                       "landlord": "land trust" if s.stock[i] == 1 else "private",
                       "rent_eur_m2_yr": float(s.rent_m2_yr[i])} for i in sites],
            "customers": [int(self.ties.firm[i]) for i in ties],
            "scaled_up": bool(e.scaled_up[row]),
            "history": history.to_dict("records"),
        }

    def ties_frame(self) -> pd.DataFrame:
        ties = self.ties
        live = np.flatnonzero(ties.active)
        kinds = np.array(["supply", "implant", "ownership"])
        return pd.DataFrame({
            "firm": ties.firm[live], "enterprise": ties.enterprise[live],
            "kind": kinds[ties.kind[live]], "trust": ties.trust[live],
            "firm_territory": self.territories.codes[self.firms.territory[ties.firm[live]]],
            "enterprise_territory": self.territories.codes[
                self.enterprises.territory[ties.enterprise[live]]],
        })

    def timeseries_frame(self) -> pd.DataFrame:
        return self.metrics.timeseries_frame()

    def territory_frame(self) -> pd.DataFrame:
        return self.metrics.territory_frame()

    def events_frame(self) -> pd.DataFrame:
        return self.events.frame(self.territories.codes,
                                 {"seed": self.config.seed, "levers": ",".join(self.lever_names)})

    def ess_agent(self, row: int) -> ESSEnterprise:
        return self.ess_agents[row]


def _resolve(config, overrides) -> SimConfig:
    if isinstance(config, SimConfig):
        return config
    if config is not None:
        return validate(config)
    from sim.config import load_config  # Hydra, only when the model composes its own config

    return load_config([_override(k, v) for k, v in overrides.items()])


def _override(key: str, value) -> str:
    if isinstance(value, (list, tuple)):
        return f"{key}=[{','.join(map(str, value))}]"
    return f"{key}={value}"
