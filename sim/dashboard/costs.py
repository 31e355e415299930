"""Public cost per net job-year, computed as the experiment report computes it.

`sim.experiments.analysis.cost_effectiveness` divides the extra cumulative public cost of a run
with levers over its paired run without (same seed) by the net ESS job-years gained:
Σ over months of (jobs with − jobs without) / 12. The dashboard uses the same definition on the
months played so far, so that the page and the report agree. A stock of jobs at one month is not
a job-year: dividing ten years of spending by it overstated or understated the cost at will.

The extra cost is split by what it pays for: each lever's own budget line, the change in what
the existing schemes cost (more insertion contracts aided, for instance), and the reduced VAT
apart, as a tax expenditure (revenue forgone rather than money spent).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.outcomes import TAX_EXPENDITURES

JOB_COLUMNS = ("ess_jobs_permanent", "ess_jobs_insertion", "ess_jobs_adapted")
TOTAL = "public_cost_eur"
EXISTING = "public_cost_baseline_eur"  # the schemes that run with or without any lever
TAX_EXPENDITURE = TAX_EXPENDITURES  # levers whose cost is revenue forgone


@dataclass(frozen=True)
class CostPerJob:
    """Extra cost, net job-years and their ratio (None when no net job-year was gained)."""

    extra_cost_eur: float
    net_job_years: float
    by_line: dict[str, float]  # 'existing' or a lever name -> extra cost (€)

    @property
    def per_job_year(self) -> float | None:
        return self.extra_cost_eur / self.net_job_years if self.net_job_years > 0 else None

    @property
    def tax_expenditure_eur(self) -> float:
        return sum(v for k, v in self.by_line.items() if k in TAX_EXPENDITURE)


def net_job_years(ts: pd.DataFrame, base: pd.DataFrame) -> float:
    """Σ over the months both runs have recorded of (jobs with − jobs without) / 12."""
    months = min(len(ts), len(base))
    jobs = list(JOB_COLUMNS)
    gap = ts[jobs].iloc[:months].to_numpy(float) - base[jobs].iloc[:months].to_numpy(float)
    return float(gap.sum() / 12)


def _last(frame: pd.DataFrame, column: str, months: int) -> float:
    return float(frame[column].iloc[months - 1]) if column in frame and months else 0.0


def cost_per_job(ts: pd.DataFrame, base: pd.DataFrame) -> CostPerJob:
    """Cost per net job-year of the run `ts` against its paired run without levers `base`."""
    months = min(len(ts), len(base))
    lines = {"existing": EXISTING} | {
        c[len("public_cost_"):-len("_eur")]: c
        for c in ts.columns
        if c.startswith("public_cost_") and c.endswith("_eur") and c not in (TOTAL, EXISTING)
    }
    by_line = {k: _last(ts, c, months) - _last(base, c, months) for k, c in lines.items()}
    return CostPerJob(
        extra_cost_eur=_last(ts, TOTAL, months) - _last(base, TOTAL, months),
        net_job_years=net_job_years(ts, base),
        by_line=by_line,
    )
