"""Reduce a sweep's runs, one at a time, to the small tables the statistics need.

A national sweep holds hundreds of runs of monthly territory panels; the report never needs them
all at once. Each complete run is read column by column from its Parquet files and reduced at
once to: one row of headline outcomes, a few monthly series, its final values per territory and
per density class. Only those reductions are kept.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from sim.experiments.runner import STATUS
from sim.outcomes import PAYERS, TAX_EXPENDITURES, lever_cost, payer_cost

JOB_COLUMNS = ("ess_jobs_permanent", "ess_jobs_insertion", "ess_jobs_adapted")


@dataclass(frozen=True)
class Outcome:
    """A headline output: timeseries columns summed, then the final month ('final'), the sum
    over months ('total') or the sum over months divided by 12 ('years')."""

    key: str
    columns: tuple[str, ...]
    how: str


HEADLINES = (
    Outcome("ess_jobs", JOB_COLUMNS, "final"),
    Outcome("ess_jobs_insertion", ("ess_jobs_insertion",), "final"),
    Outcome("ess_enterprises", ("ess_enterprises",), "final"),
    Outcome("ess_scaled_up", ("ess_scaled_up",), "final"),
    Outcome("insertion_exits_employment", ("insertion_exits_employment",), "total"),
    Outcome("insertion_exits_durable", ("insertion_exits_durable",), "total"),
    Outcome("industrial_jobs", ("industrial_jobs",), "final"),
    Outcome("industrial_vacancies_filled_by_insertion",
            ("industrial_vacancies_filled_by_insertion",), "total"),
    Outcome("ess_industry_ties", ("ess_industry_ties",), "final"),
    Outcome("mean_rent_ess_eur_m2", ("mean_rent_ess_eur_m2",), "final"),
    Outcome("public_cost_eur", ("public_cost_eur",), "final"),
    Outcome("ess_job_years", JOB_COLUMNS, "years"),
)
# The public cost to date split by who bears it (issue 19), as the policy design's report splits
# it (`sim.design.report.by_payer`): the State's spending, the State's tax expenditure (revenue
# forgone by the levers of `sim.outcomes.TAX_EXPENDITURES`), then every other payer of
# `sim.outcomes.PAYERS`. Final month, like `public_cost_eur`; the parts add up to it. Runs
# written before the payers' columns existed (or by a backend without them) have no parts.
STATE_SPENT = "cost_to_state_spent_eur"
TAX_EXPENDITURE = "cost_tax_expenditure_eur"
COST_PARTS = (STATE_SPENT, TAX_EXPENDITURE, *(payer_cost(p) for p in PAYERS if p != "state"))
# Monthly series drawn with 95 % bands.
SERIES = {
    "ess_jobs": JOB_COLUMNS,
    "ess_jobs_insertion": ("ess_jobs_insertion",),
    "ess_enterprises": ("ess_enterprises",),
    "insertion_exits_employment": ("insertion_exits_employment",),
    "public_cost_eur": ("public_cost_eur",),
}
# Territory panel: outcome -> (column, how). Unlike the timeseries', its public cost is monthly.
TERRITORY_OUTCOMES = {
    "ess_jobs": ("ess_jobs_total", "final"),
    "ess_jobs_insertion": ("ess_jobs_insertion", "final"),
    "ess_enterprises": ("ess_enterprises", "final"),
    "insertion_exits_employment": ("insertion_exits_employment", "total"),
    "public_cost_eur": ("public_cost_eur", "total"),
}
TERRITORY_META = ("territory_code", "territory_name", "density_class", "archetype", "lon", "lat")


@dataclass
class Collection:
    """Everything the report needs, a few rows per run.

    runs: one row per run found (status, error...); outcomes: one row per complete run (arm,
    seed, sample + HEADLINES); series: (arm, seed, month) × SERIES; territories: (arm, seed,
    territory_code) × TERRITORY_OUTCOMES; density: the same summed by density class;
    territory_meta: one row per territory.
    """

    runs: pd.DataFrame
    outcomes: pd.DataFrame
    series: pd.DataFrame
    territories: pd.DataFrame
    density: pd.DataFrame
    territory_meta: pd.DataFrame


def _reduce_timeseries(path: Path) -> tuple[dict, pd.DataFrame]:
    wanted = {c for o in HEADLINES for c in o.columns} | {"month"}
    present = set(pq.read_schema(path).names)
    payers = [payer_cost(p) for p in PAYERS]
    split = all(c in present for c in payers)
    taxes = [lever_cost(lever) for lever in TAX_EXPENDITURES if lever_cost(lever) in present]
    if split:
        wanted |= {*payers, *taxes}
    ts = pd.read_parquet(path, columns=sorted(wanted)).sort_values("month")
    row = {}
    for o in HEADLINES:
        values = ts[list(o.columns)].sum(axis=1)
        row[o.key] = {"final": values.iloc[-1], "total": values.sum(),
                      "years": values.sum() / 12}[o.how]
    if split:
        row |= _cost_parts(ts.iloc[-1], taxes)
    series = pd.DataFrame({k: ts[list(cols)].sum(axis=1) for k, cols in SERIES.items()})
    series.insert(0, "month", ts["month"].to_numpy())
    return row, series


def _cost_parts(final: pd.Series, taxes: list[str]) -> dict:
    """The final month's public cost to date by part (`COST_PARTS`): the tax expenditure is
    taken out of the State's share, which bears it."""
    tax = float(sum(final[c] for c in taxes))
    parts = {STATE_SPENT: float(final[payer_cost("state")]) - tax, TAX_EXPENDITURE: tax}
    return parts | {payer_cost(p): float(final[payer_cost(p)]) for p in PAYERS if p != "state"}


def _reduce_territories(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    cols = sorted({c for c, _ in TERRITORY_OUTCOMES.values()} | set(TERRITORY_META) | {"month"})
    panel = pd.read_parquet(path, columns=cols)
    last = panel[panel.month == panel.month.max()].set_index("territory_code")
    grouped = panel.groupby("territory_code")
    reduced = pd.DataFrame({
        key: last[col] if how == "final" else grouped[col].sum()
        for key, (col, how) in TERRITORY_OUTCOMES.items()
    })
    meta = last[list(TERRITORY_META[1:])].reset_index()
    return reduced.reset_index(), meta


def run_dirs(sweep_dir: Path) -> list[Path]:
    """Every run directory of a sweep (those with a status.json), in a fixed order."""
    return sorted(p.parent for p in (Path(sweep_dir) / "runs").rglob(STATUS))


def collect(sweep_dir: Path) -> Collection:
    """Stream the sweep's runs from disk into a Collection."""
    runs, outcomes, series, territories, meta = [], [], [], [], None
    for run_dir in run_dirs(sweep_dir):
        status = json.loads((run_dir / STATUS).read_text())
        ident = {"arm": status["arm"], "seed": status["seed"], "sample": status.get("sample")}
        runs.append(ident | {
            "levers": ",".join(status.get("levers", [])),
            "dose": status.get("dose"),
            "status": status["status"],
            "error": status.get("error"),
            "elapsed_s": status.get("elapsed_s"),
            "started": status.get("started"),
            "dir": str(run_dir.relative_to(sweep_dir)),
        })
        if status["status"] != "complete":
            continue
        row, monthly = _reduce_timeseries(run_dir / "timeseries.parquet")
        outcomes.append(ident | row)
        series.append(monthly.assign(**ident))
        terr_path = run_dir / "territories.parquet"
        if terr_path.exists():
            reduced, run_meta = _reduce_territories(terr_path)
            territories.append(reduced.assign(**ident))
            meta = run_meta if meta is None else meta
    runs_df = pd.DataFrame(runs, columns=["arm", "seed", "sample", "levers", "dose", "status",
                                          "error", "elapsed_s", "started", "dir"])
    terr_df = pd.concat(territories, ignore_index=True) if territories else pd.DataFrame()
    meta_df = meta if meta is not None else pd.DataFrame(columns=list(TERRITORY_META))
    density = pd.DataFrame()
    if len(terr_df):
        classes = meta_df.set_index("territory_code")["density_class"]
        density = (terr_df.assign(density_class=terr_df.territory_code.map(classes))
                   .groupby(["arm", "seed", "sample", "density_class"], dropna=False)
                   [list(TERRITORY_OUTCOMES)].sum().reset_index())
    return Collection(
        runs_df,
        pd.DataFrame(outcomes),
        pd.concat(series, ignore_index=True) if series else pd.DataFrame(),
        terr_df,
        density,
        meta_df,
    )
