"""What the report's first screen says, found by rules in the effect tables (never written by hand).

A ministry reads three to five sentences: which lever buys most ESS jobs per public euro (with
its interval and cost), which has the largest effect, which have none, and every significant
adverse effect, on any outcome, overall or in any density class. "Significant" means the 95 %
paired interval excludes zero; "adverse" follows the direction in `FAVOURABLE`.
"""

import math
from dataclasses import dataclass

import pandas as pd

# +1: more is better for the ESS and its workers; −1: more is worse; 0: not judged here (the
# public cost is the price of a lever, weighed in the cost per job-year instead).
FAVOURABLE = {
    "ess_jobs": 1, "ess_jobs_insertion": 1, "ess_enterprises": 1, "ess_scaled_up": 1,
    "insertion_exits_employment": 1, "insertion_exits_durable": 1, "industrial_jobs": 1,
    "industrial_vacancies_filled_by_insertion": 1, "ess_industry_ties": 1,
    "mean_rent_ess_eur_m2": -1, "public_cost_eur": 0,
    "ess_job_years": 0,  # the time integral of ess_jobs: judging both would say it twice
}


def significant(low: float, high: float) -> bool:
    """The 95 % interval excludes zero (False when there is no interval)."""
    return bool(low > 0 or high < 0)


@dataclass(frozen=True)
class Adverse:
    """A significant effect in the unfavourable direction; density_class None = whole area."""

    arm: str
    outcome: str
    density_class: str | None
    diff: float
    low: float
    high: float

    @property
    def clarity(self) -> float:
        """How far the interval lies from zero, in half-widths (most certain first)."""
        half = (self.high - self.low) / 2
        return abs(self.diff) / half if half > 0 else math.inf


def adverse_effects(effects: pd.DataFrame, density: pd.DataFrame | None) -> list[Adverse]:
    """Every significant unfavourable effect, overall and by density class, clearest first."""
    found = []
    frames = [(effects, None)]
    if density is not None and len(density):
        frames.append((density, "density_class"))
    for table, class_col in frames:
        for r in table.dropna(subset=["diff"]).itertuples(index=False):
            sign = FAVOURABLE.get(r.outcome, 0)
            if sign and significant(r.diff_low, r.diff_high) and sign * r.diff < 0:
                found.append(Adverse(r.arm, r.outcome,
                                     getattr(r, class_col) if class_col else None,
                                     float(r.diff), float(r.diff_low), float(r.diff_high)))
    return sorted(found, key=lambda a: -a.clarity)


@dataclass(frozen=True)
class BestValue:
    """The lever that buys most ESS job-years per public euro ('saves': it also saves money)."""

    arm: str
    kind: str  # "cheapest" or "saves"
    row: pd.Series


def best_value(costs: pd.DataFrame, effects: pd.DataFrame) -> BestValue | None:
    """Among levers whose net job-years are significantly positive: one that also lowers public
    cost (the most job-years of those), else the lowest cost per net job-year. None if no lever
    significantly adds job-years."""
    years = effects[effects.outcome == "ess_job_years"].set_index("arm")
    gaining = [a for a in costs.arm if a in years.index
               and years.loc[a, "diff_low"] > 0]
    if not gaining:
        return None
    table = costs.set_index("arm").loc[gaining]
    saving = table[table.extra_cost_eur <= 0]
    if len(saving):
        arm = saving.net_job_years.idxmax()
        return BestValue(arm, "saves", table.loc[arm])
    arm = table.cost_per_job_year.idxmin()
    return BestValue(arm, "cheapest", table.loc[arm])


def largest_effect(effects: pd.DataFrame, outcome: str = "ess_jobs") -> pd.Series | None:
    """The arm with the largest significant increase of `outcome`, or None."""
    rows = effects[(effects.outcome == outcome) & (effects.diff_low > 0)]
    return None if rows.empty else rows.loc[rows["diff"].idxmax()]


def without_effect(effects: pd.DataFrame, outcome: str = "ess_jobs") -> list[str]:
    """Arms whose paired effect on `outcome` is not significant, in table order."""
    rows = effects[(effects.outcome == outcome) & effects["diff"].notna()]
    return [r.arm for r in rows.itertuples() if not significant(r.diff_low, r.diff_high)]


def constant_outcomes(effects: pd.DataFrame) -> list[str]:
    """Outcomes identical in every arm and seed: every paired difference is exactly zero."""
    diffs = effects.dropna(subset=["diff"])
    if diffs.empty:
        return []
    flat = diffs.groupby("outcome")[["diff", "diff_low", "diff_high"]].agg(
        lambda s: bool((s == 0).all())).all(axis=1)
    return [o for o in effects.outcome.unique() if flat.get(o, False)]


def judged_comparisons(effects: pd.DataFrame, density: pd.DataFrame | None) -> int:
    """How many paired effects `adverse_effects` looked at (for the chance of false alarms)."""
    tables = [effects] + ([density] if density is not None and len(density) else [])
    return sum(int((t.dropna(subset=["diff_low"]).outcome.map(FAVOURABLE).fillna(0) != 0).sum())
               for t in tables)
