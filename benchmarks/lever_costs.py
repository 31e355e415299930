"""Public cost per net ESS job-year of each lever alone, beside the real aid benchmarks.

    python -m benchmarks.lever_costs [--seeds 5] [--months 120] [--workers 2]
                                     [--levers a,b] [--out docs] [overrides ...]

What a ministry compares (issue 13, "Validation, reworked"): each lever alone against the
baseline, paired on seeds (replication k of every arm runs with seed k: common random numbers),
default region (Auvergne-Rhône-Alpes) and horizon (120 months). Per pair:

- net job-years: Σ_months (ESS jobs with the lever − without) / 12;
- the lever's own public cost: what the lever books (its ``public_cost_<lever>_eur`` column);
- induced aid: the change in the baseline's public spending (State aid per insertion and adapted
  post, Regions' aid to industry) that the lever causes, e.g. the aid paid on the extra posts.

The ratios (own cost, and own cost + induced aid, per net job-year) get Fieller's 95% interval on
the paired means (``sim.experiments.stats``): unbounded when the job effect cannot be told from
zero. They sit beside the State's aid per post (calibration README, tables B and C): an
insertion enterprise's "aide au poste" of 12,459 € per FTE-year (arrêté of 4 Dec 2024) and an
adapted enterprise's 18,230–18,941 € per post-year (arrêté of 16 Jan 2025). Where a lever's own
cost is far below them, the table names the mechanism that makes it cheap.

Writes ``docs/lever_costs.md`` (the table ``python -m sim.docs`` copies into docs/levers.md) and
``docs/lever_costs.csv`` (the per-lever figures), and prints its progress. 10 arms × 5 seeds of
the default region take a few minutes on two cores.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Sequence
from multiprocessing import get_context
from pathlib import Path

import pandas as pd

from sim.experiments.stats import fieller_ratio, mean_ci
from sim.experiments.texts import cost_per_job_year
from sim.outcomes import lever_cost

ROOT = Path(__file__).resolve().parents[1]
JOBS = "ess_jobs_total"
BASELINE_COST = "public_cost_baseline_eur"

# State aid per post and year, the real benchmarks (shared/calibration/README.md, tables B, C)
BENCHMARKS = (
    ("insertion enterprise (EI) aid per FTE-year", 12_459.0,
     "arrêté of 4 Dec 2024 (montant socle from Nov 2024); calibration README table B, "
     "sources-notes 'Aide au poste'"),
    ("adapted enterprise (EA) aid per post-year", 18_230.0,
     "arrêté of 16 Jan 2025 (18,230–18,941 € by age, from Nov 2024); calibration README "
     "table C, sources-notes 'EA aide au poste'"),
)
CHEAP_SHARE = 0.5  # "far below": the interval's upper bound under half the lower benchmark

WHY_CHEAP = {
    "conditional_aid": "the jobs are paid by industrial firms' own purchases, redirected to ESS "
    "suppliers they now know; the lever books only the files' administration and follow-up "
    "(the aid itself is baseline spending)",
    "matchmaking": "the lever pays for introductions only; the jobs are paid by the purchases of "
    "firms from ESS suppliers they now know",
    "industrial_cooperation": "the lever pays the poles' facilitation only; the jobs are paid by "
    "firms' orders and by the waste feedstock consortia win back",
    "impact_finance": "the fund's cost is its net loss: borrowers pay its fees and repay what it "
    "paid for them, and the loans it makes possible are repaid by the borrowers",
    "reserved_markets": "the buyer pays only the premium of a reserved award over a "
    "conventional one; the contract would have been bought anyway",
    "impact_vat": "the cost is only the VAT forgone on covered sales; the jobs are paid by "
    "households' extra purchases",
    "hr_pooling": "the lever pays membership and training; the posts are paid by the employers",
    "land_trust": "the capital buys premises the trust keeps; the posts are paid by the "
    "tenants' sales",
    "brownfields": "the clean-up buys floor space; the posts are paid by the tenants' sales",
}

RunFunction = Callable[[int, tuple[str, ...]], pd.DataFrame]


# --- runs ----------------------------------------------------------------------------------------
def run_timeseries(seed: int, overrides: tuple[str, ...]) -> pd.DataFrame:
    """One run's time series (the model's own output table)."""
    from sim.api import run

    return run(["progress=false", f"seed={seed}", *overrides]).timeseries


def pair_figures(base: pd.DataFrame, arm: pd.DataFrame, lever: str) -> dict[str, float]:
    """One seed's paired figures of ``lever`` against the baseline run of the same seed."""
    return {
        "net_job_years": float((arm[JOBS].to_numpy() - base[JOBS].to_numpy()).sum() / 12.0),
        "lever_cost_eur": float(arm[lever_cost(lever)].iloc[-1]),
        "induced_aid_eur": float(arm[BASELINE_COST].iloc[-1] - base[BASELINE_COST].iloc[-1]),
    }


def _job(args):
    run, seed, overrides = args
    return run(seed, overrides)


def measure(levers: Sequence[str], seeds: Sequence[int], overrides: Sequence[str] = (),
            workers: int = 1, run: RunFunction = run_timeseries,
            log: Callable[[str], None] = print) -> pd.DataFrame:
    """Per-pair figures (one row per lever and seed): the baseline and each lever alone run on
    the same seeds, in parallel when ``workers`` > 1 (results in a fixed order)."""
    arms = [("baseline", ())] + [(lever, (f"policies=[{lever}]",)) for lever in levers]
    jobs = [(run, seed, (*extra, *overrides)) for _, extra in arms for seed in seeds]
    started, frames = time.monotonic(), []

    def done(frame):
        frames.append(frame)
        log(f"  run {len(frames)}/{len(jobs)} done ({time.monotonic() - started:.0f} s)")

    if workers > 1:
        with get_context("spawn").Pool(workers) as pool:
            for frame in pool.imap(_job, jobs):  # ordered: deterministic
                done(frame)
    else:
        for job in jobs:
            done(_job(job))
    by_arm = {name: frames[i * len(seeds):(i + 1) * len(seeds)]
              for i, (name, _) in enumerate(arms)}
    rows = [{"lever": lever, "seed": seed} | pair_figures(base, arm, lever)
            for lever in levers
            for seed, base, arm in zip(seeds, by_arm["baseline"], by_arm[lever], strict=True)]
    return pd.DataFrame(rows)


# --- figures -------------------------------------------------------------------------------------
def summarise(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per lever: mean net job-years and costs (t intervals), cost per net job-year own and
    with induced aid (Fieller intervals), and whether the own cost is far below the benchmarks
    (``flag_cheap``)."""
    rows = []
    for lever, part in pairs.groupby("lever", sort=True):
        jobs = mean_ci(part.net_job_years)
        own = fieller_ratio(part.lever_cost_eur, part.net_job_years)
        total = fieller_ratio(part.lever_cost_eur + part.induced_aid_eur, part.net_job_years)
        rows.append({
            "lever": lever, "n_pairs": jobs.n,
            "net_job_years": jobs.value, "net_job_years_low": jobs.low,
            "net_job_years_high": jobs.high,
            "lever_cost_eur": part.lever_cost_eur.mean(),
            "induced_aid_eur": part.induced_aid_eur.mean(),
            "own_cost_per_job_year": own.value, "own_low": own.low, "own_high": own.high,
            "total_cost_per_job_year": total.value, "total_low": total.low,
            "total_high": total.high,
        })
    return flag_cheap(pd.DataFrame(rows))


def flag_cheap(table: pd.DataFrame) -> pd.DataFrame:
    """Mark the levers whose own cost per net job-year is far below the benchmarks: jobs
    clearly added and the interval's upper bound under ``CHEAP_SHARE`` of the lower benchmark;
    name the mechanism that makes each cheap."""
    floor = min(value for _, value, _ in BENCHMARKS)
    cheap = ((table.net_job_years_low > 0) & (table.own_low >= 0)
             & (table.own_high < CHEAP_SHARE * floor))
    return table.assign(far_below_benchmarks=cheap,
                        why_cheap=[WHY_CHEAP.get(lever, "") if flag else ""
                                   for lever, flag in zip(table.lever, cheap, strict=True)])


def _euros(value: float) -> str:
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return "−∞" if value < 0 else "+∞"
    return f"{value:,.0f}"


def _ratio(value: float, low: float, high: float, jobs: float, jobs_low: float,
           jobs_high: float) -> str:
    """In euros to the unit, or why there is no price: the report's rule and words."""
    return cost_per_job_year(value, low, high, jobs, jobs_low, jobs_high, "en",
                             show=lambda v, lo, hi: f"{_euros(v)} [{_euros(lo)}; {_euros(hi)}]")


def markdown(table: pd.DataFrame, seeds: Sequence[int], months: int,
             overrides: Sequence[str]) -> str:
    """The table for docs/levers.md, with its benchmarks, settings and the mechanism that
    makes a cheap lever cheap."""
    where = " ".join(overrides) or "default territory (Auvergne-Rhône-Alpes), central scenario"
    lines = [
        f"Each lever alone against the baseline, paired on seeds {seeds[0]}–{seeds[-1]} "
        f"({len(seeds)} pairs, common random numbers), {months} months, {where}. Net job-years: "
        "Σ months (ESS jobs with − without the lever) / 12, mean [95% t interval]. Own cost: "
        "what the lever books; induced aid: the change in the baseline's public spending "
        "(aid per insertion and adapted post, Regions' aid to industry) the lever causes. "
        "Cost per net job-year in €, [95% Fieller interval].",
        "",
        "| lever | net job-years | own cost (M€) | induced aid (M€) | own cost per net "
        "job-year (€) | with induced aid (€) |",
        "|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        jobs_estimate = (r.net_job_years, r.net_job_years_low, r.net_job_years_high)
        jobs = (f"{r.net_job_years:,.0f} [{r.net_job_years_low:,.0f}; "
                f"{r.net_job_years_high:,.0f}]")
        lines.append(
            f"| `{r.lever}` | {jobs} | {r.lever_cost_eur / 1e6:,.2f} | "
            f"{r.induced_aid_eur / 1e6:,.2f} | "
            f"{_ratio(r.own_cost_per_job_year, r.own_low, r.own_high, *jobs_estimate)} | "
            f"{_ratio(r.total_cost_per_job_year, r.total_low, r.total_high, *jobs_estimate)} |")
    lines += ["", "Real benchmarks, State aid per post and year:", ""]
    lines += [f"- {label}: {value:,.0f} € ({source})" for label, value, source in BENCHMARKS]
    cheap = table[table.far_below_benchmarks]
    if not cheap.empty:
        lines += ["", "Own cost far below the benchmarks (jobs clearly added, the interval "
                  f"under {CHEAP_SHARE:.0%} of {min(v for _, v, _ in BENCHMARKS):,.0f} €), "
                  "and why:", ""]
        lines += [f"- `{r.lever}`: {r.why_cheap}." for r in cheap.itertuples()]
    lines += ["", "Regenerate: `python -m benchmarks.lever_costs` (writes this table to "
              "docs/lever_costs.md and the figures to docs/lever_costs.csv), then "
              "`python -m sim.docs`."]
    return "\n".join(lines) + "\n"


# --- command line --------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    from sim.policies import REGISTRY

    parser = argparse.ArgumentParser(prog="python -m benchmarks.lever_costs",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="pairs of runs (seeds 0..n-1)")
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--levers", default="", help="comma-separated; default: every lever")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. territory=drome")
    args = parser.parse_args(argv)
    levers = [x for x in args.levers.split(",") if x] or sorted(REGISTRY)
    unknown = sorted(set(levers) - set(REGISTRY))
    if unknown:
        print(f"error: --levers: unknown {unknown}; allowed: {', '.join(sorted(REGISTRY))}",
              file=sys.stderr)
        return 2
    if args.seeds < 2 or args.months < 1:
        print("error: --seeds must be at least 2 (an interval needs two pairs) and --months "
              "at least 1", file=sys.stderr)
        return 2
    seeds = list(range(args.seeds))
    overrides = (f"horizon_months={args.months}", *args.overrides)
    print(f"lever costs: baseline + {len(levers)} levers × {len(seeds)} seeds, "
          f"{args.months} months, {args.workers} workers", flush=True)
    pairs = measure(levers, seeds, overrides, args.workers,
                    log=lambda line: print(line, flush=True))
    table = summarise(pairs)
    args.out.mkdir(parents=True, exist_ok=True)
    text = markdown(table, seeds, args.months, args.overrides)
    csv = args.out / "lever_costs.csv"
    md = args.out / "lever_costs.md"
    table.to_csv(csv.with_suffix(".csv.tmp"), index=False, float_format="%.6g")
    md.with_suffix(".md.tmp").write_text(text)
    csv.with_suffix(".csv.tmp").replace(csv)
    md.with_suffix(".md.tmp").replace(md)
    print(f"wrote {md} and {csv}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
