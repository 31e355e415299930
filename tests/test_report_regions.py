"""The report's "where it works" section by region, département or EPCI, and the territory named
in its title, on synthetic runs of real selections (their effects are known in advance).

The synthetic land trust acts in dense EPCIs only: a group without a dense EPCI must show no
effect, and a group's relative effect must equal the hand computation from the runs' panels.
One experiment runs the model itself on a list of EPCIs; the others use the synthetic backend,
which honours the same territory overrides.
"""

import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.experiments import report_regions, synthetic
from sim.experiments.arms import policies_override, resolve_arm
from sim.experiments.reduce import TERRITORY_OUTCOMES, collect
from sim.experiments.report import build_report
from sim.experiments.report_places import territory_name
from sim.experiments.runner import RunSpec, execute_run

SEEDS = range(3)


def _sweep(root, territory: list[str], arms=("baseline", "land_trust")):
    for arm in arms:
        a = resolve_arm(arm)
        for seed in SEEDS:
            overrides = (*territory, policies_override(a.levers), f"seed={seed}")
            execute_run(root / "runs" / arm / f"seed={seed}", RunSpec(a, seed, overrides),
                        synthetic.run, "synthetic")
    return root


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    return _sweep(tmp_path_factory.mktemp("national"), ["territory=france"])


def _final_jobs(root, arm, seed, codes):
    panel = pd.read_parquet(root / "runs" / arm / f"seed={seed}" / "territories.parquet")
    last = panel[panel.month == panel.month.max()]
    return last[last.territory_code.isin(codes)].ess_jobs_total.sum()


def test_national_run_groups_by_region_with_known_effects(national):
    col = collect(national)
    groups = report_regions.grouping(col.territory_meta)
    assert groups.level == "region" and groups.group_of.nunique() >= 13
    panel = report_regions.group_panel(col.territories, groups, list(TERRITORY_OUTCOMES))
    table = report_regions.group_effects(panel, groups, ["land_trust"], "baseline",
                                         list(TERRITORY_OUTCOMES))
    jobs = table[table.outcome == "ess_jobs"].set_index("group_name")
    breton = groups.group_of[groups.group_of == "53"].index
    ratios = [_final_jobs(national, "land_trust", k, breton)
              / _final_jobs(national, "baseline", k, breton) - 1 for k in SEEDS]
    half = 4.302652729911275 * np.std(ratios, ddof=1) / np.sqrt(3)  # t(97.5 %, 2 df)
    row = jobs.loc["Bretagne"]
    assert row.relative == pytest.approx(np.mean(ratios))
    assert (row.relative_low, row.relative_high) == pytest.approx(
        (np.mean(ratios) - half, np.mean(ratios) + half))
    # regions differ: some gain significantly, those without a dense EPCI not at all
    assert (jobs.relative_low > 0).sum() >= 5
    assert jobs.relative.min() == pytest.approx(0, abs=1e-12)
    gap = report_regions.contrast(panel, table, "land_trust", "baseline", "ess_jobs")
    assert gap.top_row.relative_low == jobs.relative_low.max() and gap.gap_low > 0
    assert gap.bottom_row.relative_high == jobs.relative_high.min()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_report_shows_regional_differences_with_intervals(national, lang):
    page = build_report(national, lang).read_text(encoding="utf-8")
    where = "Où chaque levier agit : par région" if lang == "fr" else (
        "Where each lever works: by region")
    assert where in page
    section = page.split(where)[1].split("<h2>")[0]
    rows = re.findall(r"<tr><td>([^<]+)</td>(.*?)</tr>", section)
    assert {"Bretagne", "Île-de-France", "Occitanie"} <= {name for name, _ in rows}
    for _, cells in rows:  # baseline level and the lever's relative effect: each an interval
        assert len(re.findall(r"\[[^\]]+\]", cells)) == 2
    assert (national / "report" / "tables" / "group_effects.parquet").exists()
    assert (national / "report" / "figures" / lang / "groups_ess_jobs.png").exists()


@pytest.mark.parametrize("territory,level", [
    (["territory.kind=region", "territory.codes=[84]"], "departement"),
    (["territory=drome"], "epci"),
    (["territory.kind=epci", "territory.codes=[200040715,200067106,200068120]"], "region"),
    (["territory.kind=epci", "territory.codes=[200040715]"], None),
    ([], "departement"),  # the default synthetic sample: EPCIs of Occitanie
])
def test_grouping_level_follows_the_selection(territory, level):
    meta = synthetic.run([*territory, "seed=0"]).territories.drop_duplicates("territory_code")
    groups = report_regions.grouping(meta)
    assert (groups.level if groups else None) == level


def test_synthetic_archetypes_have_no_places():
    meta = pd.DataFrame({"territory_code": ["metropolis_0", "rural_0"]})
    assert report_regions.grouping(meta) is None


@pytest.mark.parametrize("territory,fr", [
    ({"kind": "france", "codes": []}, "France"),
    ({"kind": "region", "codes": ["84"], "label": "Auvergne-Rhône-Alpes"},
     "Auvergne-Rhône-Alpes"),
    ({"kind": "departement", "codes": ["26"], "label": "Drome"}, "Drôme (26)"),
    ({"kind": "departement", "codes": ["2A"], "label": "departement_2A"}, "Corse-du-Sud (2A)"),
    ({"kind": "epci", "codes": ["200040715", "200040715"], "label": "x"},
     "Grenoble-Alpes-Métropole"),
    ({"kind": "epci", "codes": ["200040715", "200067106", "200068120", "200000172"]},
     "4 EPCI : Grenoble-Alpes-Métropole, "),
    ({"kind": "synthetic", "codes": [], "label": "Tiny"}, "Tiny (territoire synthétique)"),
])
def test_territory_named_from_its_selection(territory, fr):
    assert territory_name(territory, "fr").startswith(fr)


def test_national_experiment_names_france(tmp_path):
    """The experiment command on the dashboard's national choice: its report names France and
    compares regions (synthetic backend: the sweep machinery, not the model)."""
    sweep = tmp_path / "sweep"
    run = subprocess.run(
        [sys.executable, "-m", "sim.experiments", "territory=france",
         "experiment.backend=synthetic", "seed=range(0,2)", "arm=baseline,land_trust",
         "hydra/launcher=basic", "experiment.lang=en", f"hydra.sweep.dir={sweep}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    page = (sweep / "report" / "report.en.html").read_text(encoding="utf-8")
    assert re.search(r"<h1>[^<]*— France</h1>", page)
    assert "Where each lever works: by region" in page


@pytest.mark.parametrize("territory,title,where", [
    ({"kind": "region", "codes": ["11"], "label": "Ile-de-France"}, "Île-de-France",
     "by département"),
    ({"kind": "departement", "codes": ["26"], "label": "Drome"}, "Drôme (26)", "by EPCI"),
])
def test_regional_and_departemental_reports_name_their_territory(territory, title, where,
                                                                   tmp_path):
    overrides = [f"territory.kind={territory['kind']}",
                 f"territory.codes=[{','.join(territory['codes'])}]"]
    sweep = _sweep(tmp_path, overrides)
    (sweep / "multirun.yaml").write_text(OmegaConf.to_yaml({"territory": territory}))
    page = build_report(sweep, "en").read_text(encoding="utf-8")
    assert re.search(r"<h1>[^<]*— " + re.escape(title) + "</h1>", page)
    assert f"Where each lever works: {where}" in page


def test_model_experiment_on_a_list_of_epcis(tmp_path):
    """The model itself on two EPCIs of two regions, three months: it runs, the report names
    both and compares them."""
    sweep = tmp_path / "sweep"
    run = subprocess.run(
        [sys.executable, "-m", "sim.experiments", "territory.kind=epci",
         "territory.codes=[200040715,200067106]", "horizon_months=3", "seed=range(0,2)",
         "arm=baseline,land_trust", "hydra/launcher=basic", "experiment.lang=en",
         f"hydra.sweep.dir={sweep}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    page = (sweep / "report" / "report.en.html").read_text(encoding="utf-8")
    title = re.search(r"<h1>([^<]*)</h1>", page).group(1).replace("&#x27;", "'")
    assert "Grenoble-Alpes-Métropole" in title and "Pays Basque" in title
    groups = pd.read_parquet(sweep / "report" / "tables" / "group_effects.parquet")
    assert set(groups.group_name) == {"Auvergne-Rhône-Alpes", "Nouvelle-Aquitaine"}
