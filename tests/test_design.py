"""Policy design (`python -m sim.design`): budget-constrained search, robustness, PRIM, report."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.design import evaluate
from sim.design.__main__ import run_design
from sim.design.config import DesignError, load
from sim.design.discovery import failure_boxes
from sim.design.report import describe
from sim.design.robust import scores

SMALL = ["model_overrides=[territory=tiny,horizon_months=12]", "search.population=3",
         "search.generations=2", "seeds=[0,1]", "n_jobs=1", "robustness.candidates=2",
         "robustness.scenarios=[central,recession]", "robustness.parameter_samples=1",
         "robustness.seeds=[0]", "robustness.target_job_years=0"]


def _fake_measure(overrides):
    """A known economy: each lever's full dose buys 100 job-years (land trust) or 40 (VAT)
    for 1 M€ (land trust) or 0.2 M€ (VAT); a recession halves the jobs."""
    doses = {o.split(".")[1]: float(o.split("=")[1]) for o in overrides
             if o.endswith(tuple("0123456789")) and ".intensity=" in o}
    active = next(o for o in overrides if o.startswith("policies=")).split("=")[1]
    dose = {lever: doses.get(lever, 0.0) if lever in active else 0.0
            for lever in ("land_trust", "impact_vat")}
    scale = 0.5 if "scenario=recession" in overrides else 1.0
    return {"job_years": scale * (100 * dose["land_trust"] + 40 * dose["impact_vat"]),
            "exits_durable": 0.0, "scaled_up": 0.0,
            "lever_cost_eur": 1e6 * dose["land_trust"] + 2e5 * dose["impact_vat"],
            "aid_cost_eur": 0.0, "months": 12,
            # who pays: the land trust's public capital, the VAT forgone
            "cost_to_public_investment_bank_eur": 1e6 * dose["land_trust"],
            "cost_to_state_eur": 2e5 * dose["impact_vat"],
            "cost_to_regions_eur": 0.0, "cost_to_departements_eur": 0.0,
            "cost_to_intercommunalities_eur": 0.0,
            "tax_expenditure_eur": 2e5 * dose["impact_vat"]}  # the VAT: revenue forgone


def test_the_search_keeps_to_the_budget_and_finds_the_known_best_package(tmp_path, monkeypatch):
    monkeypatch.setattr(evaluate, "_measure", _fake_measure)
    settings = ["space.levers=[land_trust,impact_vat]", "space.intensity=[0,0.5,1]",
                "space.start_months=[0]", "space.targets=[all]",
                "budget_eur_per_year=7e5", "search.population=6", "search.generations=4",
                "seeds=[0,1]", "n_jobs=1", "robustness.scenarios=[central,recession]",
                "robustness.parameter_samples=0", "robustness.target_job_years=60"]
    folder = run_design(load([*settings, f"out={tmp_path / 'd'}"]), log=lambda _: None)
    again = run_design(load([*settings, f"out={tmp_path / 'again'}"]), log=lambda _: None)
    for table in ("candidates", "scores"):  # the same settings, the same packages
        path = Path("tables") / f"{table}.parquet"
        assert (folder / path).read_bytes() == (again / path).read_bytes()
    cand = pd.read_parquet(folder / "tables/candidates.parquet")
    front = cand[cand.pareto]
    assert front.feasible.all() and (front.public_cost_eur_per_year <= 7e5).all()
    # within 0.7 M€ a year the best is half a land trust (50) plus the full VAT (40)
    assert front.job_years.max() == pytest.approx(90.0)
    assert cand[~cand.feasible].public_cost_eur_per_year.min() > 7e5
    robust = pd.read_parquet(folder / "tables/scores.parquet")
    # 90 job-years centrally, 45 in recession: the target of 60 is met in half the conditions
    best = robust[robust.package == front.loc[front.job_years.idxmax(), "package"]].iloc[0]
    assert best.satisficing == pytest.approx(0.5)
    boxes = pd.read_parquet(folder / "tables/failure_boxes.parquet")
    assert set(boxes.dimension) == {"scenario=central"} or set(boxes.dimension) == {
        "scenario=recession"}


def test_a_cap_per_payer_binds_where_the_total_budget_does_not(tmp_path, monkeypatch):
    """Under 2 M€ a year in total both levers at full dose fit (1.2 M€, 140 job-years); capping
    the public investment bank at 0.5 M€ leaves half a land trust: 90 job-years."""
    monkeypatch.setattr(evaluate, "_measure", _fake_measure)
    settings = ["space.levers=[land_trust,impact_vat]", "space.intensity=[0,0.5,1]",
                "space.start_months=[0]", "space.targets=[all]",
                "budget_eur_per_year=2e6", "search.population=6", "search.generations=4",
                "seeds=[0,1]", "n_jobs=1", "robustness.scenarios=[central]",
                "robustness.parameter_samples=0", "robustness.target_job_years=60"]
    free = run_design(load([*settings, f"out={tmp_path / 'free'}"]), log=lambda _: None)
    capped = run_design(load([*settings, "budget_by_payer_eur_per_year.public_investment_bank=5e5",
                              f"out={tmp_path / 'capped'}"]), log=lambda _: None)
    uncapped = pd.read_parquet(free / "tables/candidates.parquet")
    assert uncapped[uncapped.pareto].job_years.max() == pytest.approx(140.0)
    cand = pd.read_parquet(capped / "tables/candidates.parquet")
    front = cand[cand.pareto]
    assert front.job_years.max() == pytest.approx(90.0)
    assert (front.cost_to_public_investment_bank_eur_per_year <= 5e5).all()
    assert (cand.public_cost_eur_per_year <= 2e6).all()  # the total never binds here
    refused = cand[~cand.feasible]
    assert len(refused) and (refused.cost_to_public_investment_bank_eur_per_year > 5e5).all()
    report = (capped / "report.en.md").read_text()
    assert "Caps per payer a year: public investment bank €500k." in report
    assert "public investment bank €500k" in report.split("## Pareto front")[1]
    assert "Plafonds par payeur et par an : banque publique d'investissement 500" in (
        capped / "report.fr.md").read_text()
    page = (capped / "report.en.html").read_text(encoding="utf-8")  # the same, as HTML
    assert page.startswith("<!DOCTYPE html>") and "<table>" in page and "<strong>" in page
    assert "Caps per payer a year: public investment bank €500k." in page
    assert 'alt="Net ESS job-years of each package' in page
    assert 'src="data:image/png;base64,' in page and 'src="pareto' not in page
    # the yearly costs by payer add up to the total
    payers = [c for c in cand.columns if c.startswith("cost_to_") and c.endswith("_per_year")]
    assert cand[payers].sum(axis=1).to_numpy() == pytest.approx(
        cand.public_cost_eur_per_year.to_numpy())


def test_a_package_reads_as_levers_doses_starts_and_targets():
    params = ("land_trust.intensity=0.5;land_trust.start_month=24;land_trust.target=dense;"
              "impact_vat.intensity=0.0;impact_vat.start_month=0")
    french = "Foncière solidaire 50\u202f% dès le mois 24 (en territoires denses)"
    assert describe(params, "fr") == french  # a narrow no-break space before %
    assert describe(params, "en") == "Land trust 50% from month 24 (in dense territories)"
    assert describe("impact_vat.intensity=0.0;impact_vat.start_month=0", "en") == "no lever"


def test_regret_and_satisficing_follow_their_definitions():
    outcomes = pd.DataFrame({
        "package": ["a", "a", "b", "b"], "condition": ["x", "y", "x", "y"],
        "job_years": [10.0, 2.0, 6.0, 5.0], "meets_target": [True, False, True, True]})
    outcomes["regret_job_years"] = (outcomes.groupby("condition").job_years.transform("max")
                                    - outcomes.job_years)
    table = scores(outcomes).set_index("package")
    assert table.loc["a", "max_regret_job_years"] == 3.0
    assert table.loc["b", "max_regret_job_years"] == 4.0
    assert table.loc["b", "satisficing"] == 1.0 and table.loc["a", "satisficing"] == 0.5
    assert table.robust_choice.loc["b"] and not table.robust_choice.loc["a"]


def test_prim_finds_the_box_where_a_package_fails():
    rng = np.random.default_rng(1)
    n = 80
    outcomes = pd.DataFrame({"package": "p", "scenario": rng.choice(["central", "recession"], n),
                             "params.x": rng.random(n), "params.y": rng.random(n)})
    outcomes["meets_target"] = ~((outcomes["params.x"] > 0.6)
                                 & (outcomes.scenario == "recession"))
    boxes = failure_boxes(outcomes, "p", ["params.x", "params.y"])
    limits = boxes.set_index("dimension")
    assert 0.3 < limits.loc["params.x", "low"] <= 0.6
    # the box keeps the recession: "scenario=recession" at 1, or "scenario=central" at 0
    kept = {(d, limits.loc[d, "low"] > 0) for d in limits.index if d.startswith("scenario=")
            and (limits.loc[d, "low"] > 0 or limits.loc[d, "high"] < 1)}
    assert kept in ({("scenario=recession", True)}, {("scenario=central", False)})
    assert "params.y" not in limits.index
    assert boxes.density.iloc[0] >= 0.8 and boxes.coverage.iloc[0] >= 0.5
    never = outcomes.assign(meets_target=True)
    assert failure_boxes(never, "p", ["params.x", "params.y"]).empty


def test_the_small_design_runs_end_to_end_and_resumes_without_running_again(tmp_path):
    folder = run_design(load([*SMALL, f"out={tmp_path / 'd'}"]), log=lambda _: None)
    store = (folder / "evaluations.jsonl").read_text().splitlines()
    cand = pd.read_parquet(folder / "tables/candidates.parquet")
    assert len(cand) >= 1 and cand.pareto.any()
    robust = pd.read_parquet(folder / "tables/scores.parquet")
    chosen = cand.set_index("package").loc[robust.package.iloc[0], "params"]
    for lang, words in (("fr", "Choix robuste"), ("en", "Robust choice")):
        report = (folder / f"report.{lang}.md").read_text()
        assert f"{words}** : {describe(chosen, lang)}." in report or \
            f"{words}**: {describe(chosen, lang)}." in report
    tables = {p.name: p.read_bytes() for p in (folder / "tables").iterdir()}
    run_design(load([*SMALL, f"out={tmp_path / 'd'}"]), log=lambda _: None)
    assert (folder / "evaluations.jsonl").read_text().splitlines() == store
    assert {p.name: p.read_bytes() for p in (folder / "tables").iterdir()} == tables
    rows = [json.loads(line) for line in store]
    assert all(row["months"] == 12 for row in rows)


@pytest.mark.parametrize("setting, field", [
    ("space.levers=[land_trust,teleport]", "space.levers"),
    ("space.intensity=[0,3]", "space.intensity"),
    ("robustness.scenarios=[boom]", "robustness.scenarios"),
    ("budget_eur_per_year=-1", "budget_eur_per_year"),
    ("budget_by_payer_eur_per_year.departments=1e6", "budget_by_payer_eur_per_year.departments"),
    ("budget_by_payer_eur_per_year.state=-5", "budget_by_payer_eur_per_year.state"),
    ("search.population=zero", "search.population"),
    ("design=nowhere", "design"),
])
def test_bad_settings_are_refused_in_one_line_before_anything_is_written(tmp_path, setting, field):
    with pytest.raises(DesignError, match=field.replace(".", r"\.")):
        load([setting, f"out={tmp_path / 'd'}"])
    done = subprocess.run([sys.executable, "-m", "sim.design", setting, f"out={tmp_path / 'd'}"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and field in done.stderr
    assert not (tmp_path / "d").exists()


def test_a_folder_holding_another_design_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(evaluate, "_measure", _fake_measure)
    base = ["space.levers=[land_trust]", "space.intensity=[0,1]", "seeds=[0]", "n_jobs=1",
            "search.population=2", "search.generations=1", "robustness.parameter_samples=0",
            f"out={tmp_path / 'd'}"]
    run_design(load(base), log=lambda _: None)
    with pytest.raises(DesignError, match="out="):
        run_design(load([*base, "budget_eur_per_year=1"]), log=lambda _: None)


def test_without_the_design_extra_the_command_says_what_to_install(tmp_path, monkeypatch, capsys):
    from sim.design.__main__ import main

    monkeypatch.setitem(sys.modules, "optuna", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "sim.design.search", raising=False)
    assert main([f"out={tmp_path / 'd'}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install -e '.[design]'" in err
    assert not (tmp_path / "d").exists()


SEARCH = ["space.levers=[land_trust,impact_vat]", "space.intensity=[0,0.5,1]",
          "space.start_months=[0]", "space.targets=[all]", "budget_eur_per_year=7e5",
          "search.population=4", "search.generations=3", "seeds=[0,1]", "n_jobs=1",
          "robustness.scenarios=[central,recession]", "robustness.parameter_samples=0",
          "robustness.target_job_years=60"]


@pytest.mark.parametrize("killed_at", [3, 12])  # in the first generation's batch; the second's
def test_a_design_killed_mid_batch_resumes_to_the_same_tables(tmp_path, monkeypatch, killed_at):
    """A run dies under a batch (the design process with it): the trials being evaluated stay
    asked and never told in the study. Resumed, the design gives byte for byte the tables of
    a design never killed (the trials' order, not Optuna's renumbered trials)."""
    monkeypatch.setattr(evaluate, "_measure", _fake_measure)
    reference = run_design(load([*SEARCH, f"out={tmp_path / 'ref'}"]), log=lambda _: None)
    calls = []

    def dies(overrides):
        calls.append(overrides)
        if len(calls) == killed_at:
            raise KeyboardInterrupt  # as a kill: nothing after it in this process
        return _fake_measure(overrides)

    monkeypatch.setattr(evaluate, "_measure", dies)
    with pytest.raises(KeyboardInterrupt):
        run_design(load([*SEARCH, f"out={tmp_path / 'd'}"]), log=lambda _: None)
    assert not (tmp_path / "d" / "tables").exists()
    monkeypatch.setattr(evaluate, "_measure", _fake_measure)
    folder = run_design(load([*SEARCH, f"out={tmp_path / 'd'}"]), log=lambda _: None)
    for table in ("candidates", "robustness", "scores", "failure_boxes"):
        path = Path("tables") / f"{table}.parquet"
        assert (folder / path).read_bytes() == (reference / path).read_bytes(), table


def test_the_cost_by_payer_is_complete_and_puts_the_tax_expenditure_apart(tmp_path, monkeypatch):
    """Every payer in the tables and the report, 0 where it bears nothing; the VAT forgone apart
    inside the State's share; the parts add up to the public cost a year."""
    from sim.design.report import by_payer
    from sim.outcomes import PAYERS

    monkeypatch.setattr(evaluate, "_measure", _fake_measure)
    settings = ["space.levers=[land_trust,impact_vat]", "space.intensity=[0,1]",
                "space.start_months=[0]", "space.targets=[all]", "budget_eur_per_year=2e6",
                "search.population=4", "search.generations=2", "seeds=[0]", "n_jobs=1",
                "robustness.scenarios=[central]", "robustness.parameter_samples=0"]
    folder = run_design(load([*settings, f"out={tmp_path / 'd'}"]), log=lambda _: None)
    cand = pd.read_parquet(folder / "tables/candidates.parquet").set_index("package")
    both = cand.loc["land_trust 1 + impact_vat 1"]
    assert both.tax_expenditure_eur_per_year == pytest.approx(2e5)
    assert both.cost_to_state_eur_per_year == pytest.approx(2e5)
    parts = by_payer(both)
    assert [(p, kind) for p, kind, _ in parts] == [
        ("state", "spent"), ("state", "tax"), *((p, None) for p in list(PAYERS)[1:])]
    assert sum(v for *_, v in parts) == pytest.approx(both.public_cost_eur_per_year)
    robust = pd.read_parquet(folder / "tables/robustness.parquet")
    assert "tax_expenditure_eur_per_year" in robust
    front = (folder / "report.en.md").read_text().split("## Pareto front")[1]
    row = next(line for line in front.splitlines()
               if "| Reduced impact VAT 100% + Land trust 100% |" in line)
    assert ("| public investment bank €1m, State (spending) €0, State (tax expenditure: VAT "
            "forgone) €200k, Regions €0, départements €0, intercommunalities and communes €0 |"
            ) in row, row
    fr = (folder / "report.fr.md").read_text()
    assert "État (dépense fiscale : TVA non perçue) 200" in fr and "Régions 0" in fr


def test_the_design_splits_a_real_package_cost_as_the_dashboard_and_lever_report_do():
    """On real runs (tiny territory, 12 months): the design's yearly public cost times the
    years is the lever report's extra public cost (with − without, whole horizon) and the
    dashboard's; its payers add up to it; its tax expenditure is the dashboard's."""
    from sim.api import run
    from sim.dashboard.costs import cost_per_job
    from sim.design.evaluate import BASELINE, CENTRAL, Evaluator, Package, measures
    from sim.outcomes import PAYERS, payer_cost

    package = Package((("impact_vat", 1.0, 0, "all"), ("land_trust", 1.0, 0, "all"),
                       ("reserved_markets", 1.0, 0, "all")))
    evaluator = Evaluator(Path("/nonexistent"), ["territory=tiny", "horizon_months=12"], 1)
    evaluator.store.path = Path("/dev/null")
    series = {}
    for name, p in (("with", package), ("without", BASELINE)):
        overrides = evaluator._overrides(p, CENTRAL, 0)
        result = run(["progress=false", *overrides])
        evaluator.store.add(overrides, measures(result.summary, result.timeseries))
        series[name] = result.timeseries
    paired = evaluator.paired(package, CENTRAL, [0]).iloc[0]
    dashboard = cost_per_job(series["with"], series["without"])
    report_extra = (series["with"].public_cost_eur.iloc[-1]
                    - series["without"].public_cost_eur.iloc[-1])  # analysis.effects' diff
    years = 12 / 12
    assert paired.public_cost_eur_per_year * years == pytest.approx(report_extra, rel=1e-9)
    assert dashboard.extra_cost_eur == pytest.approx(report_extra, rel=1e-9)
    assert paired.tax_expenditure_eur_per_year * years == pytest.approx(
        dashboard.tax_expenditure_eur, rel=1e-9)
    assert paired.tax_expenditure_eur_per_year > 0
    for payer in PAYERS:
        column = payer_cost(payer)
        assert paired[f"cost_to_{payer}_eur_per_year"] * years == pytest.approx(
            series["with"][column].iloc[-1] - series["without"][column].iloc[-1], abs=1e-6)
    assert sum(paired[f"cost_to_{p}_eur_per_year"] for p in PAYERS) == pytest.approx(
        paired.public_cost_eur_per_year, rel=1e-9)
    assert paired.cost_to_state_eur_per_year >= paired.tax_expenditure_eur_per_year
    # the reserved lots' premium falls on their buyers, the départements among them
    assert paired.cost_to_departements_eur_per_year > 0


def test_a_run_written_before_a_payer_existed_is_refused_in_one_line():
    """A sweep folder from an older version has no column for a newer payer: its costs cannot
    be split, so the design says so instead of failing with a KeyError."""
    timeseries = pd.DataFrame({"insertion_exits_durable": [1.0], "ess_scaled_up": [0.0]})
    summary = {"job_years_ess": 1.0, "public_cost_by_lever_eur": {}, "public_cost_baseline_eur": 0,
               "months": 1}
    with pytest.raises(DesignError, match=r"cost_to_.*older version"):
        evaluate.measures(summary, timeseries)
