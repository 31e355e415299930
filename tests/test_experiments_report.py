"""Aggregation and report on synthetic run outputs with known effects (no model, no Hydra)."""

import json
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from sim.experiments import analysis, synthetic
from sim.experiments.arms import policies_override, resolve_arm
from sim.experiments.reduce import COST_PARTS, HEADLINES, collect
from sim.experiments.report import build_report
from sim.experiments.runner import SWEEP_INFO, RunSpec, execute_run
from sim.experiments.texts import OUTCOMES, arm_label

ARMS = {"baseline": [], "land_trust": ["land_trust"], "conditional_aid": ["conditional_aid"],
        "all_four": ["land_trust", "reserved_markets", "impact_vat", "conditional_aid"]}
SEEDS = range(4)


def spec(arm: str, seed: int) -> RunSpec:
    a = resolve_arm(arm, ARMS)
    return RunSpec(a, seed, (policies_override(a.levers), f"seed={seed}"))


def make_sweep(root, broken=False):
    """A sweep directory as the Hydra runner leaves it; optionally with a failure and a gap."""
    planned = []
    for arm in ARMS:
        for seed in SEEDS:
            planned.append({"arm": arm, "seed": seed, "sample": None})
            if broken and (arm, seed) == ("conditional_aid", 3):
                continue  # never ran
            s = spec(arm, seed)
            if broken and (arm, seed) == ("land_trust", 2):
                s = RunSpec(s.arm, seed, ("policies=[not_a_lever]", f"seed={seed}"))
            execute_run(root / "runs" / arm / f"seed={seed}", s, synthetic.run, "synthetic")
    (root / SWEEP_INFO).write_text(json.dumps(
        {"experiment": "test", "command": "python -m sim.experiments", "total": len(planned),
         "expected": planned}))
    return root


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    return make_sweep(tmp_path_factory.mktemp("sweep"))


@pytest.fixture(scope="module")
def broken_sweep(tmp_path_factory):
    return make_sweep(tmp_path_factory.mktemp("broken"), broken=True)


def final_jobs(sweep, arm, seed):
    ts = pd.read_parquet(sweep / "runs" / arm / f"seed={seed}" / "timeseries.parquet")
    last = ts.iloc[-1]
    return last.ess_jobs_permanent + last.ess_jobs_insertion + last.ess_jobs_adapted


def test_collect_reduces_each_run_to_one_row(sweep):
    col = collect(sweep)
    assert len(col.runs) == len(ARMS) * len(SEEDS)
    assert set(col.runs.status) == {"complete"}
    # the headlines, then the public cost by payer (the synthetic backend splits it)
    assert list(col.outcomes.columns[3:]) == [o.key for o in HEADLINES] + list(COST_PARTS)
    assert col.outcomes.ess_jobs.iloc[0] == pytest.approx(final_jobs(sweep, "all_four", 0))
    assert len(col.series) == len(col.runs) * synthetic.MONTHS


def test_paired_effect_matches_a_hand_computation(sweep):
    col = collect(sweep)
    p = analysis.Paired(col.outcomes)
    table = analysis.effects(p, list(ARMS), "baseline").set_index(["arm", "outcome"])
    diffs = [final_jobs(sweep, "land_trust", k) - final_jobs(sweep, "baseline", k) for k in SEEDS]
    row = table.loc[("land_trust", "ess_jobs")]
    half = 3.182446305284263 * np.std(diffs, ddof=1) / 2  # t(97.5 %, 3 df) · sd / sqrt(4)
    assert row["diff"] == pytest.approx(np.mean(diffs))
    assert (row.diff_low, row.diff_high) == pytest.approx(
        (np.mean(diffs) - half, np.mean(diffs) + half))
    assert row.diff_low > 0


def test_cost_per_job_year_and_density_split(sweep):
    col = collect(sweep)
    p = analysis.Paired(col.outcomes)
    costs = analysis.cost_effectiveness(p, list(ARMS), "baseline").set_index("arm")
    cost = p.diff("land_trust", "baseline", "public_cost_eur").mean()
    years = p.diff("land_trust", "baseline", "ess_job_years").mean()
    assert costs.loc["land_trust", "cost_per_job_year"] == pytest.approx(cost / years)
    assert costs.loc["land_trust", "low"] < cost / years < costs.loc["land_trust", "high"]
    dens = analysis.density_effects(col.density, list(ARMS), "baseline").set_index(
        ["arm", "density_class", "outcome"])
    # the synthetic land trust acts in dense territories only, conditional aid not there at all
    assert dens.loc[("land_trust", "relaxed", "ess_jobs"), "diff"] == pytest.approx(0, abs=1e-9)
    assert dens.loc[("land_trust", "dense", "ess_jobs"), "diff_low"] > 0
    assert dens.loc[("conditional_aid", "dense", "ess_jobs"), "diff"] == pytest.approx(0, abs=1e-9)
    assert dens.loc[("conditional_aid", "relaxed", "ess_jobs"), "diff_low"] > 0


class _Checker(HTMLParser):
    VOID = frozenset({"meta", "img", "br", "hr", "link", "input"})

    def __init__(self):
        super().__init__()
        self.stack, self.images, self.errors = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs)["src"])
        elif tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_report_is_self_contained_and_complete(sweep, lang):
    path = build_report(sweep, lang)
    page = path.read_text(encoding="utf-8")
    checker = _Checker()
    checker.feed(page)
    assert not checker.errors and not checker.stack
    assert checker.images and all(s.startswith("data:image/png;base64,") for s in checker.images)
    assert "http://" not in page and "https://" not in page
    for arm in ARMS:
        assert arm_label(arm, lang) in page.replace("&#x27;", "'")
    for o in HEADLINES:
        assert OUTCOMES[o.key][0 if lang == "fr" else 1] in page.replace("&#x27;", "'")
    tables = sweep / "report" / "tables"
    for name in ("effects", "cost_effectiveness", "density_effects", "territory_effects"):
        assert (tables / f"{name}.csv").exists() and (tables / f"{name}.parquet").exists()
    figs = sweep / "report" / "figures" / lang
    for name in ("cost_effectiveness", "map_ess_jobs", "series_ess_jobs"):
        assert (figs / f"{name}.png").exists() and (figs / f"{name}.svg").exists()


def test_report_names_failed_and_missing_runs(broken_sweep):
    page = build_report(broken_sweep, "en").read_text(encoding="utf-8")
    runs = pd.read_csv(broken_sweep / "report" / "tables" / "runs.csv")
    failed = runs[runs.status == "failed"]
    assert list(zip(failed.arm, failed.seed, strict=True)) == [("land_trust", 2)]
    assert "unknown lever" in failed.error.iloc[0]
    missing = pd.read_csv(broken_sweep / "report" / "tables" / "missing_runs.csv")
    assert list(zip(missing.arm, missing.seed, strict=True)) == [("conditional_aid", 3)]
    assert "Failed runs (1)" in page and "Missing runs (1)" in page
    effects = pd.read_csv(broken_sweep / "report" / "tables" / "effects.csv")
    jobs = effects[(effects.arm == "land_trust") & (effects.outcome == "ess_jobs")]
    assert int(jobs.n_pairs.iloc[0]) == 3  # the failed seed drops its pair only


def test_factorial_detected_on_a_full_grid(tmp_path):
    levers = ["land_trust", "impact_vat"]
    for arm in ("baseline", "land_trust", "impact_vat", "impact_vat+land_trust"):
        for seed in range(3):
            a = resolve_arm(arm)
            execute_run(tmp_path / "runs" / arm / f"seed={seed}",
                        RunSpec(a, seed, (policies_override(a.levers), f"seed={seed}")),
                        synthetic.run, "synthetic")
    col = collect(tmp_path)
    table = analysis.factorial(analysis.Paired(col.outcomes), col.runs)
    jobs = table[table.outcome == "ess_jobs"].set_index("term")
    assert set(jobs.index) == {*levers, "impact_vat×land_trust"}
    assert jobs.loc["land_trust", "low"] > 0


def test_dose_response_section(tmp_path):
    declared = {"lt_half": {"policies": ["land_trust"], "dose": 0.5},
                "lt_full": {"policies": ["land_trust"], "dose": 1.0}}
    for arm in ("baseline", "lt_half", "lt_full"):
        a = resolve_arm(arm, declared)
        for seed in range(3):
            execute_run(tmp_path / "runs" / arm / f"seed={seed}",
                        RunSpec(a, seed, (policies_override(a.levers), f"seed={seed}")),
                        synthetic.run, "synthetic")
    page = build_report(tmp_path, "en").read_text(encoding="utf-8")
    assert "Dose-response" in page
    dose = pd.read_csv(tmp_path / "report" / "tables" / "dose_response.csv")
    assert list(dose[dose.outcome == "ess_jobs"].dose) == [0.5, 1.0]
