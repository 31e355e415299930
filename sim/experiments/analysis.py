"""Tables of an experiment: effects, costs, density, territories, factorial, dose, sensitivity.

Pure functions of the reduced runs (`reduce.Collection`). Runs are paired on (seed, sample):
replication k of every arm ran with seed k, so each effect is a mean of per-seed differences to
the baseline with a t interval (`stats`). A pair is used only when both runs are complete; a
missing or failed run removes its pair, never shifts the others.
"""

from itertools import chain, combinations

import pandas as pd

from sim.experiments import sensitivity
from sim.experiments.arms import BASELINE
from sim.experiments.reduce import COST_PARTS, HEADLINES, TERRITORY_OUTCOMES
from sim.experiments.stats import factorial_effects, fieller_ratio, mean_ci, paired_difference

OUTCOME_KEYS = [o.key for o in HEADLINES]
DIFF_COLUMNS = ["n_pairs", "diff", "diff_low", "diff_high"]


class Paired:
    """Per-run values indexed by (arm, seed, sample) so that arms pair in one lookup."""

    def __init__(self, frame: pd.DataFrame):
        sample = frame["sample"].astype(float).fillna(-1).astype(int)
        self.frame = frame.assign(sample=sample).set_index(["arm", "seed", "sample"]).sort_index()
        self.arms = set(self.frame.index.get_level_values("arm"))
        self._by_arm: dict[str, pd.DataFrame] = {}

    def values(self, arm: str, key: str) -> pd.Series:
        """The arm's values of `key`, indexed by (seed, sample)."""
        if arm not in self.arms:
            return pd.Series(dtype=float)
        if arm not in self._by_arm:  # the arm's rows, selected once (`.loc[arm, key]` for each
            self._by_arm[arm] = self.frame.loc[arm]  # key selected them again)
        return self._by_arm[arm][key].astype(float)

    def diff(self, arm: str, base: str, key: str) -> pd.Series:
        """Per-pair differences arm − base (pairs where both exist)."""
        return self.values(arm, key).sub(self.values(base, key)).dropna()


def baseline_arm(runs: pd.DataFrame) -> str | None:
    """The arm without levers ('baseline' if several)."""
    bases = sorted(set(runs.arm[runs.levers == ""]))
    return BASELINE if BASELINE in bases else (bases[0] if bases else None)


def arm_order(runs: pd.DataFrame, planned: list[dict], base: str | None) -> list[str]:
    """Baseline first, then arms in the sweep's order (or by number of levers, then name)."""
    found = sorted(set(runs.arm), key=lambda a: (a.count("+"), a))
    order = list(dict.fromkeys([p["arm"] for p in planned] + found))
    return ([base] if base else []) + [a for a in order if a != base]


def _diff_row(d) -> dict:
    return {"n_pairs": d.n, "diff": d.value, "diff_low": d.low, "diff_high": d.high}


def effects(p: Paired, arms: list[str], base: str | None) -> pd.DataFrame:
    """Each arm's mean (t interval) and paired difference to baseline, per headline outcome."""
    rows = []
    for arm in arms:
        for key in OUTCOME_KEYS:
            level = mean_ci(p.values(arm, key))
            row = {"arm": arm, "outcome": key, "n": level.n, "arm_mean": level.value,
                   "arm_low": level.low, "arm_high": level.high}
            if base and arm != base:
                row |= _diff_row(paired_difference(p.values(arm, key), p.values(base, key)))
            rows.append(row)
    cols = ["arm", "outcome", "n", "arm_mean", "arm_low", "arm_high", *DIFF_COLUMNS]
    return pd.DataFrame(rows).reindex(columns=cols)


def cost_effectiveness(p: Paired, arms: list[str], base: str) -> pd.DataFrame:
    """Extra public cost, net job-years and cost per net job-year with Fieller's CI, paired.

    Net job-years of a pair = Σ_months (arm jobs − baseline jobs) / 12.
    """
    rows = []
    for arm in arms:
        if arm == base:
            continue
        both = pd.concat([p.diff(arm, base, "public_cost_eur"),
                          p.diff(arm, base, "ess_job_years")], axis=1,
                         keys=["cost", "jobs"]).dropna()
        ratio = fieller_ratio(both.cost, both.jobs)
        rows.append({"arm": arm, "n_pairs": ratio.n, "extra_cost_eur": both.cost.mean(),
                     "net_job_years": both.jobs.mean(), "cost_per_job_year": ratio.value,
                     "low": ratio.low, "high": ratio.high}
                    | {f"extra_{part}": p.diff(arm, base, part).reindex(both.index).mean()
                       for part in COST_PARTS if part in p.frame.columns})
    parts = [f"extra_{part}" for part in COST_PARTS if part in p.frame.columns]
    return pd.DataFrame(rows, columns=["arm", "n_pairs", "extra_cost_eur", "net_job_years",
                                       "cost_per_job_year", "low", "high", *parts])


SHARE_COLUMNS = ["share", "share_low", "share_high"]


def cost_by_payer(p: Paired, arms: list[str], base: str) -> pd.DataFrame | None:
    """The paired extra public cost of each arm split by part (`reduce.COST_PARTS`: the State's
    spending, its tax expenditure, every other payer), each with its t interval, and each
    part's share of the extra cost (ratio of paired means, Fieller's interval: unbounded when
    the extra cost is not told from zero); the parts' means add up to the extra cost. None when
    the runs carry no split (older outputs)."""
    if not all(part in p.frame.columns for part in COST_PARTS):
        return None
    rows = []
    for arm in (a for a in arms if a != base):
        diffs = pd.concat([p.diff(arm, base, part) for part in COST_PARTS], axis=1,
                          keys=COST_PARTS).dropna()
        total = diffs.sum(axis=1)
        for part in COST_PARTS:
            share = fieller_ratio(diffs[part], total)
            rows.append({"arm": arm, "part": part}
                        | _diff_row(paired_difference(p.values(arm, part), p.values(base, part)))
                        | dict(zip(SHARE_COLUMNS, (share.value, share.low, share.high),
                                   strict=True)))
    return pd.DataFrame(rows, columns=["arm", "part", *DIFF_COLUMNS, *SHARE_COLUMNS])


def density_effects(density: pd.DataFrame, arms: list[str], base: str) -> pd.DataFrame:
    """Paired effects summed over the territories of each density class."""
    rows = []
    for cls, part in density.groupby("density_class"):
        p = Paired(part)
        for arm in arms:
            if arm == base:
                continue
            for key in TERRITORY_OUTCOMES:
                d = paired_difference(p.values(arm, key), p.values(base, key))
                rows.append({"arm": arm, "density_class": cls, "outcome": key} | _diff_row(d))
    return pd.DataFrame(rows, columns=["arm", "density_class", "outcome", *DIFF_COLUMNS])


def territory_effects(terr: pd.DataFrame, meta: pd.DataFrame, arms: list[str], base: str):
    """Mean paired effect on final ESS jobs per territory and arm, with lon/lat (for the map)."""
    indexed = terr.assign(sample=terr["sample"].astype(float).fillna(-1)).set_index(
        ["arm", "territory_code", "seed", "sample"]).ess_jobs.sort_index()
    frames = []
    for arm in arms:
        if arm == base or arm not in indexed.index.get_level_values("arm"):
            continue
        diff = indexed.loc[arm].sub(indexed.loc[base]).dropna()
        stats = diff.groupby(level="territory_code").agg(["mean", "count"])
        frames.append(stats.rename(columns={"mean": "effect", "count": "n_pairs"})
                      .reset_index().assign(arm=arm))
    columns = ["arm", "territory_code", "effect", "n_pairs"]
    table = pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(
        columns=columns)
    return table.merge(meta, on="territory_code", how="left")


def factorial(p: Paired, runs: pd.DataFrame) -> pd.DataFrame | None:
    """Main effects and pairwise interactions when the arms form a full 2^k grid (k ≥ 2)."""
    lever_sets = {arm: frozenset(filter(None, levers.split(","))) for arm, levers in
                  runs[["arm", "levers"]].drop_duplicates().itertuples(index=False)}
    factors = sorted(set().union(*lever_sets.values())) if lever_sets else []
    grid = {frozenset(c) for c in chain.from_iterable(
        combinations(factors, r) for r in range(len(factors) + 1))}
    if len(factors) < 2 or len(lever_sets) != len(grid) or set(lever_sets.values()) != grid:
        return None
    rows = []
    for key in OUTCOME_KEYS:
        cells = pd.DataFrame({lever_sets[a]: p.values(a, key) for a in sorted(lever_sets)})
        for term, e in factorial_effects(cells, factors):
            rows.append({"outcome": key, "term": term, "estimate": e.value, "low": e.low,
                         "high": e.high, "n": e.n})
    return pd.DataFrame(rows)


def dose_response(effect_table: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame | None:
    """Paired effects of the arms that carry a dose, ordered by dose."""
    doses = runs[["arm", "dose"]].dropna().drop_duplicates()
    if doses.empty:
        return None
    table = effect_table.merge(doses, on="arm").dropna(subset=["diff"])
    return (table[["arm", "dose", "outcome", *DIFF_COLUMNS]]
            .sort_values(["outcome", "dose"]).reset_index(drop=True))


def sensitivity_indices(p: Paired, arms: list[str], base: str | None, cfg):
    """Morris or Sobol indices of `cfg.outcome`: the paired effect of the last non-baseline arm
    when the baseline is swept too, else the level of the only arm. None if samples are missing.
    """
    key = str(cfg.get("outcome", "ess_jobs"))
    others = [a for a in arms if a != base]
    target = others[-1] if others else base
    values = p.diff(target, base, key) if base and target != base else p.values(target, key)
    per_sample = values.groupby(level="sample").mean()
    _, x = sensitivity.design(cfg)
    if list(per_sample.index) != list(range(len(x))):
        return None, key, target
    return sensitivity.analyse(cfg, per_sample.to_numpy()), key, target


def missing_runs(runs: pd.DataFrame, planned: list[dict]) -> pd.DataFrame:
    """Planned runs with no final status (never started, or interrupted while running).

    Without a recorded plan the expected set is every arm found × every seed found.
    """
    done = runs[runs.status.isin(["complete", "failed"])]
    have = {(a, int(s), None if pd.isna(x) else int(x))
            for a, s, x in done[["arm", "seed", "sample"]].itertuples(index=False)}
    expected = [(e["arm"], e["seed"], e.get("sample")) for e in planned]
    if not expected:
        expected = [(a, int(s), None) for a in sorted(set(runs.arm))
                    for s in sorted(set(runs.seed))]
    return pd.DataFrame([e for e in expected if e not in have], columns=["arm", "seed", "sample"])
