"""Paired statistics for lever comparisons.

Replication k of every arm runs with seed k (common random numbers), so an arm and the baseline
with the same seed differ only through the lever. Effects are therefore estimated on per-seed
differences, whose spread is far smaller than either arm's, with a Student t interval on those
differences. A ratio (public cost per net job-year) gets Fieller's interval on the paired means:
when the job effect is not clearly away from zero the interval is unbounded, which is the honest
answer, where the delta method would give a narrow and wrong one.
"""

import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval (NaN when n < 2, ±inf when unbounded)."""

    value: float
    low: float
    high: float
    n: int


@lru_cache(maxsize=256)
def _t(n: int, level: float) -> float:
    """Student's t quantile for a two-sided interval on n values (cached: a report asks for
    the same few thousands of times, and each `stats.t.ppf` call costs ~0.1 ms)."""
    return float(stats.t.ppf(0.5 + level / 2, n - 1))


def mean_ci(values, level: float = LEVEL) -> Estimate:
    """Mean of independent values with a t interval (NaN bounds with fewer than two values)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    m = float(x.mean())
    if n < 2:
        return Estimate(m, math.nan, math.nan, 1)
    half = _t(n, level) * float(x.std(ddof=1)) / math.sqrt(n)
    return Estimate(m, m - half, m + half, n)


def paired_difference(arm: pd.Series, baseline: pd.Series, level: float = LEVEL) -> Estimate:
    """Mean of arm − baseline over the seeds both have (series indexed by seed), t interval."""
    if (arm.dtype == baseline.dtype == np.float64 and arm.index.is_unique
            and arm.index.equals(baseline.index)):
        # what `sub` gives without aligning (equal indexes: element by element, in order);
        # mean_ci drops the NaN pairs as `dropna` did
        with np.errstate(all="ignore"):  # silent on overflow, as pandas' arithmetic is
            diff = arm.to_numpy() - baseline.to_numpy()
        return mean_ci(diff, level)
    diff = arm.sub(baseline).dropna()
    return mean_ci(diff.to_numpy(), level)


def fieller_ratio(numerator, denominator, level: float = LEVEL) -> Estimate:
    """Ratio of the means of two paired samples with Fieller's confidence set.

    The set is {r : (a − r·b)² ≤ t²·Var(a − r·b)} with a, b the sample means. It is a bounded
    interval only when b is significantly different from zero; otherwise bounds are ±inf.
    """
    a_s = np.asarray(numerator, dtype=float)
    b_s = np.asarray(denominator, dtype=float)
    n = len(a_s)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    a, b = float(a_s.mean()), float(b_s.mean())
    ratio = a / b if b != 0 else math.nan
    if n < 2:
        return Estimate(ratio, math.nan, math.nan, n)
    cov = np.cov(a_s, b_s, ddof=1) / n
    t2 = _t(n, level) ** 2
    qa = b * b - t2 * cov[1, 1]
    qb = -2 * (a * b - t2 * cov[0, 1])
    qc = a * a - t2 * cov[0, 0]
    if qa <= 0:
        return Estimate(ratio, -math.inf, math.inf, n)
    root = math.sqrt(max(qb * qb - 4 * qa * qc, 0.0))
    return Estimate(ratio, (-qb - root) / (2 * qa), (-qb + root) / (2 * qa), n)


def cost_per_job_undefined(jobs: float, jobs_low: float, jobs_high: float) -> str | None:
    """Why a cost per net job-year has no meaning, or None when it has one.

    "removes_jobs" when the job effect is below zero (a cost per job lost would read as a
    negative price); "no_job_effect" when its interval holds zero (the ratio's Fieller set is
    then unbounded: no price can be read). Without an interval (one pair) the mean decides.
    The one rule the report and ``benchmarks.lever_costs`` apply.
    """
    if math.isnan(jobs_low) or math.isnan(jobs_high):
        jobs_low = jobs_high = jobs
    if jobs_high < 0:
        return "removes_jobs"
    if jobs_low <= 0:
        return "no_job_effect"
    return None


def factorial_effects(
    cells: pd.DataFrame, factors: list[str], level: float = LEVEL
) -> list[tuple[str, Estimate]]:
    """Main effects and pairwise interactions of a full 2^k factorial replicated over seeds.

    `cells` has one row per seed and one column per cell, the column label being the frozenset of
    factors switched on. With x_f = ±1, the effect of a term T is (1/2^(k−1)) Σ_cells Π_{f∈T} x_f·y:
    for one factor, mean with it minus mean without; for a pair, half the difference between the
    first factor's effect with and without the second. It is computed per seed (the seed is a
    block) and given a t interval across seeds. Seeds missing any cell are dropped.
    """
    complete = cells.dropna()
    scale = 2 ** (len(factors) - 1)
    terms = [(f,) for f in factors] + list(combinations(factors, 2))
    out = []
    for term in terms:
        signs = np.array([np.prod([1 if f in cell else -1 for f in term]) for cell in complete])
        per_seed = complete.to_numpy() @ signs / scale
        out.append(("×".join(term), mean_ci(per_seed, level)))
    return out
