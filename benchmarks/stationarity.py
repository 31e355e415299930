"""Where a baseline with every trend at zero drifts: the month-by-month decomposition.

    python -m benchmarks.stationarity [--seeds 4] [--months 120] [--workers 2]
                                      [--at 0,12,24,36,60,90,119] [--csv FILE] [overrides ...]

The validation's stationarity rows (``sim.validation.stationarity_rows``) say whether each ESS
stock ends within ±5% of month 0; this says why not. Each seed runs the default region with
``sim.validation.ZERO_TRENDS`` (and the overrides given), and each month records the ESS stocks
(structures, permanent, insertion and adapted jobs, entries, failures), the waste collectors
(structures in the sectors that need feedstock, their jobs, and the tonnes they won:
``sim.markets.feedstock``), sales by market
(households, businesses, industry through ties, public contracts), ties' orders, capacity,
demand, the buyers' supply ties and the share of buyers' ESS needs covered by a trusted supplier
(``sim.markets.b2b.covered_need_share``), and where demand is lost: households' and businesses'
pools no live claim is on any more (``unclaimed``: every structure of that sector in that
territory has gone), demand beyond the capacity of the structure it goes to (``unserved``), and
the mean size (jobs) of the buyers holding a trusted tie (``buyer_jobs``: which buyers the tie
graph serves). Prints the mean over seeds at the months ``--at`` and each stock's change at the
last month; ``--csv`` keeps every seed and month.

A run of the default region takes ~15-25 s of one core; 4 seeds on two workers ~1-2 min.
"""

from __future__ import annotations

import argparse
from multiprocessing import get_context

import numpy as np
import pandas as pd

STOCKS = ("structures", "permanent", "insertion", "adapted", "collectors", "collector_jobs",
          "feedstock_won")


def by_form(m) -> dict:
    """Living structures (``n_<FORM>``) and their jobs (``jobs_<FORM>``) per legal form, as the
    validation's stationarity rows by form count them (``sim.validation.form_stocks``)."""
    from sim.validation import form_stocks

    return {k.replace("structures_", "n_"): (int(v) if k.startswith("structures_") else v)
            for k, v in form_stocks(m).items()}


def monthly(args: tuple[int, int, tuple[str, ...]]) -> list[dict]:
    """One seed: a row of aggregates per month."""
    from sim.api import build_model
    from sim.markets import clearing
    from sim.markets.b2b import covered_need_share
    from sim.markets.feedstock import collectors
    from sim.validation import ZERO_TRENDS

    seed, months, overrides = args
    m = build_model(["progress=false", f"seed={seed}", f"horizon_months={months}",
                     *ZERO_TRENDS, *overrides])
    rows = []
    while m.running:
        m.step()
        w, mi = m.world, m.params.mutual_ignorance
        e, ties, buyers = w.enterprises, w.ties.table, w.firms.csr
        alive = e.alive
        sold = m.now.sales_parts
        covered = covered_need_share(ties, w.firms.n, e.sector,
                                     w.industrial_purchasing.per_job_by_sector, mi.trust_to_buy)
        k, series = m.month - 1, m.metrics.series
        claims = clearing.claims(w)
        pools = (w.consumer_market.pool / (1 + m.params.economy.vat_standard)
                 + w.business_market.generic_pool) * m.conditions.demand_index
        claimed = np.bincount(claims.market, weights=claims.consumer + claims.business,
                              minlength=pools.size) > 0
        trusted = ties.active & (ties.trust >= mi.trust_to_buy) & buyers[ties.firm]
        served_buyers = np.unique(ties.firm[trusted])
        collecting = collectors(w)
        rows.append({
            "seed": seed, "month": k, "structures": series["ess_enterprises"][k],
            "permanent": series["ess_jobs_permanent"][k],
            "insertion": series["ess_jobs_insertion"][k],
            "adapted": series["ess_jobs_adapted"][k],
            "entries": series["ess_entries"][k], "failures": series["ess_failures"][k],
            "closures": series["ess_closures"][k],
            "collectors": collecting.size,
            "collector_jobs": int((e.permanent + e.insertion + e.adapted)[collecting].sum()),
            "feedstock_won": series["ess_feedstock_won_t"][k],
            "households": float(sold["consumer"].sum()),
            "businesses": float(sold["business"].sum()),
            "industry": float(sold["industry"].sum()), "public": float(sold["public"].sum()),
            "tie_orders": float(m.now.tie_spend.sum()),
            "capacity": float(e.capacity[alive].sum()), "demand": float(e.demand[alive].sum()),
            "buyer_ties": int((ties.active & buyers[ties.firm]).sum()),
            "covered": float(covered[buyers].mean()) if buyers.any() else 0.0,
            "unclaimed": float(pools[~claimed].sum()),
            "unserved": float(np.maximum(e.demand - e.capacity, 0.0)[alive].sum()),
            "buyer_jobs": float(w.firms.jobs[served_buyers].mean()) if served_buyers.size else 0.0,
            **by_form(m),
        })
    return _add_demography_by_form(m, rows)


def _add_demography_by_form(m, rows: list[dict]) -> list[dict]:
    """Each row gets the entries, failures and voluntary closures of each legal form from
    month 0 to its month (cumulative, from the event log)."""
    from sim.vocabulary import LEGAL_FORMS

    events = m.events_frame()
    months = len(rows)
    for kind, name in (("entry", "entries"), ("failure", "failures"), ("closure", "closures")):
        sub = events[events.kind == kind]
        for form in LEGAL_FORMS:
            of_form = sub[sub.details == form]
            counts = np.bincount(of_form.month.to_numpy(), minlength=months)[:months]
            for row, total in zip(rows, np.cumsum(counts), strict=True):
                row[f"{name}_{form}"] = int(total)
    return rows


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--at", default="0,12,24,36,60,90,119")
    parser.add_argument("--csv", default=None)
    parser.add_argument("overrides", nargs="*")
    a = parser.parse_args(argv)
    jobs = [(seed, a.months, tuple(a.overrides)) for seed in range(a.seeds)]
    if a.workers > 1:
        with get_context("spawn").Pool(a.workers) as pool:
            runs = pool.map(monthly, jobs)  # ordered: deterministic
    else:
        runs = [monthly(job) for job in jobs]
    frame = pd.DataFrame([row for run in runs for row in run])
    if a.csv:
        frame.to_csv(a.csv, index=False)
    mean = frame.drop(columns="seed").groupby("month").mean()
    at = [k for k in (int(x) for x in a.at.split(",")) if k in mean.index]
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(mean.loc[at].round(3).to_string())
    last = frame[frame.month == frame.month.max()].set_index("seed")
    first = frame[frame.month == 0].set_index("seed")
    from sim.vocabulary import LEGAL_FORMS

    per_form = [f"{k}_{form}" for form in LEGAL_FORMS for k in ("n", "jobs")]
    for name in ("entries", "failures", "closures"):
        totals = {form: round(float(last[f"{name}_{form}"].mean()), 1) for form in LEGAL_FORMS}
        print(f"{name} by form over the run (mean of seeds): {totals}")
    for key in (*STOCKS, *per_form):
        change = last[key] / first[key] - 1.0
        print(f"{key:17s} month {a.months - 1} over month 0 - 1: {change.mean():+.1%} "
              f"(seeds {np.round(change.to_numpy() * 100, 1).tolist()} %)")
    return frame


if __name__ == "__main__":
    main()
