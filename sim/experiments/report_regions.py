"""Where a lever works: its paired effect by region, by département or by EPCI, with intervals.

A ministry asks where a lever works, and density classes alone do not say it. The territories of
a sweep are grouped at the coarsest level at which they differ: by region in a national run (or
any selection spanning regions), by département in a regional run, by EPCI within one
département. Each group's final values are summed per run, and runs pair on (seed, sample) as
everywhere in the report: a group's effect is the mean of the per-seed differences arm −
baseline with a t interval, and its relative effect the mean of the per-seed ratios
(arm − baseline) / baseline. Synthetic territories (archetypes, no place) have no such groups.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.experiments.analysis import Paired
from sim.experiments.report_places import departement_name, epci_table, short_epci_name
from sim.experiments.stats import mean_ci, paired_difference

LEVELS = ("region", "departement", "epci")
COLUMNS = ["level", "group", "group_name", "arm", "outcome", "n_pairs", "diff", "diff_low",
           "diff_high", "relative", "relative_low", "relative_high", "base_mean", "base_low",
           "base_high", "population"]
LEVEL_COLUMNS = ["level", "group", "group_name", "arm", "outcome", "n", "mean", "low", "high",
                 "population", "per_100k", "per_100k_low", "per_100k_high"]


@dataclass(frozen=True)
class Grouping:
    """How a sweep's territories group: the level, each territory's group, each group's name
    and population."""

    level: str
    group_of: pd.Series  # territory_code → group key
    names: pd.Series  # group key → name
    population: pd.Series  # group key → inhabitants (the EPCI table's)


def grouping(meta: pd.DataFrame) -> Grouping | None:
    """The coarsest level at which the territories differ; None for synthetic territories or a
    single EPCI."""
    codes = meta.territory_code.astype(str)
    table = epci_table()
    if codes.empty or not codes.isin(table.index).all():
        return None
    rows = table.loc[codes]
    if rows.region_code.nunique() > 1:
        key, names = rows.region_code, rows.groupby("region_code").region.first()
        level = "region"
    elif rows.departement.nunique() > 1:
        key = rows.departement
        names = pd.Series({d: departement_name(d) for d in key.unique()})
        level = "departement"
    elif len(rows) > 1:
        key, level = pd.Series(rows.index, index=rows.index), "epci"
        names = rows.name.map(short_epci_name)
    else:
        return None
    group_of = pd.Series(key.to_numpy(), index=codes.to_numpy())
    population = rows.population.groupby(key.to_numpy()).sum()
    return Grouping(level, group_of, names.astype(str), population.astype(float))


def group_panel(territories: pd.DataFrame, groups: Grouping, outcomes: list[str]) -> pd.DataFrame:
    """Final values (or totals) of each run summed over the territories of each group."""
    keyed = territories.assign(group=territories.territory_code.astype(str).map(groups.group_of))
    return (keyed.groupby(["arm", "seed", "sample", "group"], dropna=False)[outcomes].sum()
            .reset_index())


def _relative(arm: pd.Series, base: pd.Series) -> pd.Series:
    """Per-pair (arm − base) / base; pairs with a zero baseline are left out."""
    if (arm.dtype == base.dtype == np.float64 and arm.index.is_unique
            and arm.index.equals(base.index)):
        # the same pairs in the same order as the join below gives them (no reordering when
        # the two indexes are equal), computed element by element without building a frame
        a, b = arm.to_numpy(), base.to_numpy()
        keep = ~np.isnan(a) & ~np.isnan(b) & (b != 0)
        with np.errstate(all="ignore"):  # silent on overflow, as pandas' arithmetic is
            return pd.Series((a[keep] - b[keep]) / b[keep], index=arm.index[keep])
    both = pd.concat([arm, base], axis=1, keys=["arm", "base"]).dropna()
    both = both[both.base != 0]
    return (both.arm - both.base) / both.base


def group_effects(panel: pd.DataFrame, groups: Grouping, levers: list[str], base: str,
                  outcomes: list[str]) -> pd.DataFrame:
    """Each lever's paired effect per group and outcome: absolute and relative, with the
    baseline's level; one row per (group, arm, outcome), groups in name order."""
    rows = []
    for group in sorted(panel.group.unique(), key=lambda g: groups.names.get(g, g)):
        p = Paired(panel[panel.group == group])
        for arm in levers:
            for key in outcomes:
                a, b = p.values(arm, key), p.values(base, key)
                d, r, level = paired_difference(a, b), mean_ci(_relative(a, b)), mean_ci(b)
                rows.append({"level": groups.level, "group": group,
                             "group_name": groups.names.get(group, group), "arm": arm,
                             "outcome": key, "n_pairs": d.n, "diff": d.value,
                             "diff_low": d.low, "diff_high": d.high, "relative": r.value,
                             "relative_low": r.low, "relative_high": r.high,
                             "base_mean": level.value, "base_low": level.low,
                             "base_high": level.high,
                             "population": groups.population.get(group, np.nan)})
    return pd.DataFrame(rows, columns=COLUMNS)


def group_levels(panel: pd.DataFrame, groups: Grouping, arms: list[str],
                 outcomes: list[str]) -> pd.DataFrame:
    """Each arm's level per group (mean over seeds, t interval), and per 100,000 inhabitants."""
    rows = []
    for group in sorted(panel.group.unique(), key=lambda g: groups.names.get(g, g)):
        p = Paired(panel[panel.group == group])
        people = groups.population.get(group, np.nan)
        for arm in arms:
            for key in outcomes:
                e = mean_ci(p.values(arm, key))
                scale = 1e5 / people if people else np.nan
                rows.append({"level": groups.level, "group": group,
                             "group_name": groups.names.get(group, group), "arm": arm,
                             "outcome": key, "n": e.n, "mean": e.value, "low": e.low,
                             "high": e.high, "population": people,
                             "per_100k": e.value * scale, "per_100k_low": e.low * scale,
                             "per_100k_high": e.high * scale})
    return pd.DataFrame(rows, columns=LEVEL_COLUMNS)


@dataclass(frozen=True)
class Contrast:
    """Where a lever's relative effect is largest and smallest, and the paired difference of
    the two (per seed: relative effect there − relative effect here), with its interval."""

    arm: str
    top: str
    bottom: str
    top_row: pd.Series
    bottom_row: pd.Series
    gap: float
    gap_low: float
    gap_high: float


def contrast(panel: pd.DataFrame, effects: pd.DataFrame, arm: str, base: str,
             outcome: str) -> Contrast | None:
    """The group where `arm`'s relative effect on `outcome` is surely largest (highest lower
    bound) and surely smallest (lowest upper bound): a small place with a wide interval is not
    picked for its noisy mean.

    Picking extremes still favours a gap: its interval says whether the two groups really
    differ, not which is truly first."""
    rows = effects[(effects.arm == arm) & (effects.outcome == outcome)].dropna(
        subset=["relative_low", "relative_high"])
    if len(rows) < 2:
        return None
    top = rows.loc[rows.relative_low.idxmax()]
    bottom = rows.loc[rows.drop(index=top.name).relative_high.idxmin()]

    def per_seed(group):
        p = Paired(panel[panel.group == group])
        return _relative(p.values(arm, outcome), p.values(base, outcome))

    gap = mean_ci(per_seed(top.group).sub(per_seed(bottom.group)).dropna())
    return Contrast(arm, str(top.group), str(bottom.group), top, bottom, gap.value, gap.low,
                    gap.high)
