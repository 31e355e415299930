"""Stage 2: the Pareto packages judged under every condition — each scenario crossed with Latin
hypercube points over the plausible ranges of uncertain parameters (the ranges the schema
declares, as the sensitivity analysis uses). A package that is best only under the central
scenario is fragile; regret and satisficing say which packages hold up.

- regret of a package in a condition: the best package's net job-years there minus its own
  (0 for the best); its maximum over conditions is the minimax-regret criterion;
- satisficing: the share of conditions where the package reaches the target net job-years
  within the yearly budget.
The robust choice is the package with the highest satisficing score, ties broken by the lowest
maximum regret.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.design.config import TAX_MEASURE, Design, DesignError, payer_measure, within_budget
from sim.design.evaluate import Condition, Evaluator, Package
from sim.design.search import package_of
from sim.experiments.stats import mean_ci
from sim.outcomes import PAYERS


def conditions(design: Design) -> list[Condition]:
    """Scenarios × parameter samples, the same for every package (drawn from a fixed seed)."""
    from sim.config.params import uncertain_parameters

    rob = design.robustness
    ranges = uncertain_parameters()
    unknown = [p for p in rob.parameters if p not in ranges or not p.startswith("params.")]
    if unknown:
        raise DesignError(f"robustness.parameters: {unknown} have no plausible range in the "
                          "schema (model parameters `params.*` only; see docs/parameters.md)")
    if not rob.parameters or rob.parameter_samples < 1:
        points = [()]
    else:
        unit = qmc.LatinHypercube(d=len(rob.parameters), seed=rob.sample_seed).random(
            rob.parameter_samples)
        low = np.array([ranges[p][0] for p in rob.parameters])
        high = np.array([ranges[p][1] for p in rob.parameters])
        points = [tuple(zip(rob.parameters, (low + u * (high - low)).round(6).tolist(),
                            strict=True)) for u in unit]
    return [Condition(s, point) for s in rob.scenarios for point in points]


def chosen_packages(candidates: pd.DataFrame, design: Design) -> list[Package]:
    """The Pareto packages with the most net job-years (at most robustness.candidates)."""
    front = candidates[candidates.pareto].sort_values("job_years", ascending=False)
    return [package_of(p, design) for p in front.params.head(design.robustness.candidates)]


def run_robustness(design: Design, evaluator: Evaluator, packages: list[Package],
                   log=print) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per package × condition outcomes, per package scores)."""
    grid = conditions(design)
    log(f"robustness: {len(packages)} packages × {len(grid)} conditions × "
        f"{len(design.robustness.seeds)} seeds")
    evaluator.ensure(packages, grid, design.robustness.seeds)
    rows = []
    for package in packages:
        for condition in grid:
            paired = evaluator.paired(package, condition, design.robustness.seeds)
            rows.append({"package": package.label, "scenario": condition.scenario,
                         **dict(condition.parameters), "condition": condition.key,
                         "job_years": paired.job_years.mean(),
                         "exits_durable": paired.exits_durable.mean(),
                         "public_cost_eur_per_year": paired.public_cost_eur_per_year.mean(),
                         **{payer_measure(p): paired[payer_measure(p)].mean() for p in PAYERS},
                         TAX_MEASURE: paired[TAX_MEASURE].mean()})
    outcomes = pd.DataFrame(rows)
    best = outcomes.groupby("condition").job_years.transform("max")
    outcomes["regret_job_years"] = best - outcomes.job_years
    outcomes["meets_target"] = ((outcomes.job_years >= design.robustness.target_job_years)
                                & within_budget(outcomes, design))
    return outcomes, scores(outcomes)


def scores(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per package: satisficing share, regret (max and mean), mean effect with 95 % interval
    over conditions; ranked, the robust choice first."""
    rows = []
    for label, group in outcomes.groupby("package", sort=False):
        effect = mean_ci(group.job_years)
        rows.append({"package": label, "satisficing": group.meets_target.mean(),
                     "max_regret_job_years": group.regret_job_years.max(),
                     "mean_regret_job_years": group.regret_job_years.mean(),
                     "job_years": effect.value, "job_years_low": effect.low,
                     "job_years_high": effect.high, "conditions": len(group)})
    table = pd.DataFrame(rows).sort_values(["satisficing", "max_regret_job_years"],
                                           ascending=[False, True], ignore_index=True)
    table["robust_choice"] = table.index == 0
    return table
