"""Headline outputs: small pure functions of the world and the month record, recorded once a
month into arrays.

The time series (one row a month) and the territory panel (month × territory) are preallocated
arrays filled in place, so data collection never copies the world. Every row carries the run's
seed and its active levers.
"""

from __future__ import annotations

import types
from copy import deepcopy

import mesa
import numpy as np
import pandas as pd

from sim import outcomes
from sim.agents.ess import scale_up_kinds
from sim.frames import strings, tagged_frame
from sim.ledger import PUBLIC_PAYERS
from sim.vocabulary import INDUSTRIAL_SECTORS, LEGAL_FORMS, SECTORS, FloorStock

__all__ = ["INDUSTRIAL_SECTORS", "MetricsRecorder"]  # INDUSTRIAL_SECTORS: read by sim.validation
# Whether a sector is industrial: a lookup, the mask ``np.isin(sector, INDUSTRIAL_SECTORS)`` gives.
_IS_INDUSTRIAL = np.isin(np.arange(len(SECTORS)), INDUSTRIAL_SECTORS)

SERIES = outcomes.recorded()  # the time series' columns recorded month by month
PANEL = outcomes.panel()      # the territory panel's columns


def jobs(model, live: np.ndarray | None = None):
    """Jobs of live enterprises (``live``: their rows, if already known)."""
    e = model.enterprises
    alive = e.alive.nonzero()[0] if live is None else live
    return (float(e.permanent[alive].sum()), float(e.insertion[alive].sum()),
            float(e.adapted[alive].sum()))


def mean_rent(model, territory: np.ndarray | None = None, n_territories: int = 0):
    """Floor-weighted mean rent (€/m²/yr) that ESS pay, overall or per territory."""
    s, floor = model.sites, model.ledger.site_floor[: model.sites.n]
    weights = floor * s.open
    if territory is None:  # pairwise sums over every site ever opened (``sim.compaction``)
        total = s.in_serial_space(weights).sum()
        paid = s.in_serial_space(weights * s.rent_m2_yr).sum()
        return float(paid / total) if total > 0 else 0.0
    # a closed site weighs +0.0, which adds no bit to a sequential sum: open sites only
    paying = s.open.nonzero()[0]
    weights, where = weights[paying], territory[paying]
    paid = np.bincount(where, weights=weights * s.rent_m2_yr[paying], minlength=n_territories)
    area = np.bincount(where, weights=weights, minlength=n_territories)
    return np.divide(paid, area, out=np.zeros(n_territories), where=area > 0)


def floor_of_stock(model, stock: int) -> float:
    """m² of the open sites leased from ``stock``, summed pairwise over every site ever opened
    (``sim.compaction``)."""
    s = model.sites
    held = model.ledger.site_floor[: s.n] * (s.stock == stock) * s.open
    return float(s.in_serial_space(held).sum())


def ess_share_of_industrial_jobs(model, live: np.ndarray | None = None) -> float:
    e = model.enterprises
    live = e.alive.nonzero()[0] if live is None else live
    industrial = live[_IS_INDUSTRIAL[e.sector[live]]]
    ess = float((e.permanent[industrial] + e.insertion[industrial] + e.adapted[industrial]).sum())
    total = ess + float(model.firms.jobs.sum())
    return ess / total if total > 0 else 0.0


def posts_per_meur(model, form: str, insertion: bool, live: np.ndarray | None = None) -> float:
    """Insertion FTE (or adapted jobs) per M€ of yearly sales of one legal form's live
    structures: the labour intensity automation lowers (brake 5). ``live``: the live rows, if
    already known."""
    e, forms = model.enterprises, model.world.forms
    live = e.alive.nonzero()[0] if live is None else live
    live = live[e.form[live] == LEGAL_FORMS.index(form)]
    posts = (e.insertion[live] * forms.fte[e.form[live]]).sum() if insertion else (
        e.adapted[live].sum())
    sales_meur_yr = e.sales[live].sum() * 12.0 / 1e6
    return float(posts / sales_meur_yr) if sales_meur_yr > 0 else 0.0


class SeriesCollector(mesa.DataCollector):
    """Mesa's ``DataCollector`` for model reporters only, all lambdas (``MetricsRecorder.
    reporters``): ``collect`` appends what each returns, deep-copied only when it is not a
    float or an int (immutable: ``deepcopy`` returns them as they are). Mesa's own ``collect``
    deep-copies every value, 44 a month: 45 µs a month instead of 22 (fourteenth session; small,
    ~0.2% of a regional month, though cProfile's cost per frame showed it as 2%). With agent
    reporters, or a reporter that is not a lambda, Mesa's ``collect`` runs as it is."""

    def __init__(self, model_reporters: dict):
        super().__init__(model_reporters=model_reporters)
        self._fast = all(isinstance(r, types.LambdaType) for r in self.model_reporters.values())
        self._columns = [(self.model_vars[name], reporter)
                         for name, reporter in self.model_reporters.items()]

    def collect(self, model) -> None:
        if not (self._fast and self._validated and self.model_reporters) or (
                self.agent_reporters or self.agenttype_reporters):
            super().collect(model)
            return
        if hasattr(self, "_collection_steps"):  # as Mesa's ``collect`` (not in every version)
            self._collection_steps.append(model.time)
        for values, reporter in self._columns:
            value = reporter(model)
            values.append(value if type(value) in (float, int) else deepcopy(value))


class MetricsRecorder:
    """Preallocated monthly arrays for the time series and the territory panel."""

    def __init__(self, model):
        self.model = model
        horizon, n_t = model.config.horizon_months, len(model.territories)
        self.series = {name: np.zeros(horizon) for name in SERIES}
        self.lever_costs = {p.name: np.zeros(horizon) for p in model.policies}
        self.panel = {name: np.zeros((horizon, n_t)) for name in PANEL}
        self.cumulative_baseline = 0.0
        self.cumulative_levers = dict.fromkeys(self.lever_costs, 0.0)
        self.months = 0

    def reporters(self) -> dict:
        """Mesa DataCollector reporters reading the month just recorded: every column of the
        time series (its month and year, every outcome, each active lever's cost to date)."""
        calendar = {"month": lambda m: m.metrics.months - 1,
                    "year": lambda m: m.config.start_year + (m.metrics.months - 1) // 12}
        costs = {outcomes.lever_cost(name): (lambda m, n=name: m.metrics.latest_lever_cost(n))
                 for name in self.lever_costs}
        return calendar | {o.key: (lambda m, n=o.key: m.metrics.latest(n))
                           for o in outcomes.OUTCOMES} | costs

    def latest_lever_cost(self, name: str) -> float:
        return float(self.lever_costs[name][self.months - 1]) if self.months else 0.0

    def latest(self, name: str) -> float:
        if self.months == 0:
            return 0.0
        if name == outcomes.TOTAL:
            return self.cumulative_baseline + sum(self.cumulative_levers.values())
        return float(self.series[name][self.months - 1])

    def record(self, month, lever_costs: dict[str, float]) -> None:
        """Record the month just run (``month``: its ``sim.month.Month`` record)."""
        m, model = self.months, self.model
        e, labour, n_t = model.enterprises, month.labour, len(model.territories)
        s = self.series
        live = e.alive.nonzero()[0]  # indexing by it is cheaper than masking every row
        s["ess_jobs_permanent"][m], s["ess_jobs_insertion"][m], s["ess_jobs_adapted"][m] = jobs(
            model, live)
        s["ess_jobs_total"][m] = (s["ess_jobs_permanent"][m] + s["ess_jobs_insertion"][m]
                                  + s["ess_jobs_adapted"][m])
        s["ess_enterprises"][m] = live.size
        regional, national = month.scale_up_kinds or scale_up_kinds(model.world,
                                                                    model.params.scale_up)
        s["ess_scaled_up"][m] = (regional | national).sum()
        s["ess_scaled_up_regional"][m] = regional.sum()
        s["ess_scaled_up_national"][m] = national.sum()
        s["ess_acquired"][m] = np.count_nonzero(e.owner_firm[live] >= 0)
        s["ess_entries"][m] = np.count_nonzero(e.founded[live] == model.month)
        s["ess_failures"][m] = month.failures
        s["ess_closures"][m] = month.closures
        s["insertion_entries"][m] = labour["entries"]
        s["insertion_exits"][m] = labour["exits"]
        s["insertion_exits_employment"][m] = labour["employed"]
        s["insertion_exits_durable"][m] = labour["durable"]
        s["industrial_jobs"][m] = model.firms.jobs.sum()
        s["industrial_vacancies_filled_by_insertion"][m] = labour["filled"]
        s["ess_industry_ties"][m] = model.world.ties.table.active.sum()
        s["ess_feedstock_won_t"][m] = month.feedstock_won_t
        s["ess_feedstock_lots_t"][m] = month.feedstock_lots_t
        s["ess_sales_eur"][m] = e.in_serial_space(e.sales).sum()
        s["ess_procurement_sales_eur"][m] = e.in_serial_space(e.procurement_sales).sum()
        s["reserved_awards_eur"][m] = month.reserved_awards
        s["mean_rent_ess_eur_m2"][m] = mean_rent(model)
        s["ess_floor_m2"][m] = model.ledger.site_floor_total()
        s["trust_floor_m2"][m] = floor_of_stock(model, FloorStock.TRUST)
        s["ess_debt_eur"][m] = e.debt[live].sum()
        s["insertion_fte_per_meur_ei"][m] = posts_per_meur(model, "EI", True, live)
        s["insertion_fte_per_meur_aci"][m] = posts_per_meur(model, "ACI", True, live)
        s["adapted_jobs_per_meur_ea"][m] = posts_per_meur(model, "EA", False, live)
        s["ess_machines_eur"][m] = e.machines[live].sum()
        s["implant_floor_m2"][m] = floor_of_stock(model, FloorStock.HOST)
        s["ess_share_industrial_jobs"][m] = ess_share_of_industrial_jobs(model, live)
        s["vat_forgone_eur"][m] = e.in_serial_space(month.sales_parts["vat_forgone"]).sum()
        self.cumulative_baseline += month.public_baseline
        s["public_cost_baseline_eur"][m] = self.cumulative_baseline
        for payer, sector in PUBLIC_PAYERS.items():
            column = outcomes.payer_cost(payer)
            s[column][m] = (s[column][m - 1] if m else 0.0) + month.public_by_payer.get(sector, 0.0)
        for name, cost in lever_costs.items():
            self.cumulative_levers[name] += cost
            self.lever_costs[name][m] = self.cumulative_levers[name]
        self._record_panel(m, n_t, month, live)
        self.months += 1

    def _record_panel(self, m: int, n_t: int, month, alive: np.ndarray) -> None:
        """The territory panel's row of month ``m`` (``alive``: the live enterprises' rows)."""
        model, p = self.model, self.panel
        e = model.enterprises
        where = e.territory[alive].astype(np.intp)  # once for the three sums below

        def by_territory(values):
            return np.bincount(where, weights=values[alive], minlength=n_t)

        p["ess_jobs_permanent"][m] = by_territory(e.permanent)
        p["ess_jobs_insertion"][m] = by_territory(e.insertion)
        p["ess_jobs_adapted"][m] = by_territory(e.adapted)
        p["ess_jobs_total"][m] = (p["ess_jobs_permanent"][m] + p["ess_jobs_insertion"][m]
                                  + p["ess_jobs_adapted"][m])
        p["ess_enterprises"][m] = np.bincount(where, minlength=n_t)
        p["insertion_exits_employment"][m] = month.labour["employed_by_territory"]
        p["industrial_jobs"][m] = np.bincount(model.firms.territory, weights=model.firms.jobs,
                                              minlength=n_t)
        ties = model.world.ties.table
        p["ess_industry_ties"][m] = np.bincount(e.territory[ties.enterprise[ties.active]],
                                                minlength=n_t)
        p["mean_rent_ess_eur_m2"][m] = mean_rent(model, model.sites.territory, n_t)
        p["public_cost_eur"][m] = month.public_by_territory

    # --- frames ---------------------------------------------------------------------------------
    def _tags(self) -> dict:
        return {"seed": self.model.config.seed, "levers": ",".join(self.model.lever_names)}

    def timeseries_frame(self) -> pd.DataFrame:
        m = self.months
        data = {"month": np.arange(m, dtype=np.int64),
                "year": self.model.config.start_year + np.arange(m) // 12}
        data.update({name: values[:m] for name, values in self.series.items()})
        total = self.series["public_cost_baseline_eur"][:m].copy()
        for name, values in self.lever_costs.items():
            data[outcomes.lever_cost(name)] = values[:m]
            total += values[:m]
        data["public_cost_eur"] = total
        return tagged_frame(data, self._tags())

    def territory_frame(self) -> pd.DataFrame:
        m, t = self.months, self.model.territories
        n_t = len(t)
        row = np.tile(np.arange(n_t), m)
        data = {
            "month": np.repeat(np.arange(m, dtype=np.int64), n_t),
            "territory_code": strings(t.codes).take(row),
            "territory_name": strings(t.names).take(row),
            "density_class": strings(t.density_class).take(row),
            "archetype": strings(t.archetype).take(row),
            "lon": t.lon[row], "lat": t.lat[row],
        }
        data.update({name: values[:m].ravel() for name, values in self.panel.items()})
        return tagged_frame(data, self._tags())

    def summary(self) -> dict:
        """Final figures and totals of the run."""
        ts = self.timeseries_frame()
        if ts.empty:
            return {}
        last, first = ts.iloc[-1], ts.iloc[0]
        flows = outcomes.of(outcomes.Aggregation.FLOW)
        out = {
            "months": int(self.months), "seed": int(self.model.config.seed),
            "levers": list(self.model.lever_names),
            "final": {k: float(last[k]) for k in SERIES if k not in flows},
            "start": {k: float(first[k]) for k in ("ess_jobs_total", "ess_enterprises",
                                                   "industrial_jobs")},
            "totals": {k: float(ts[k].sum()) for k in flows},
            "job_years_ess": float(ts["ess_jobs_total"].sum() / 12.0),
            "public_cost_eur": float(last["public_cost_eur"]),
            "public_cost_by_lever_eur": {n: float(self.cumulative_levers[n])
                                         for n in self.cumulative_levers},
            "public_cost_baseline_eur": float(self.cumulative_baseline),
            "reached_by_lever": {p.name: int(p.reached_total) for p in self.model.policies},
        }
        return out
