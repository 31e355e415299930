"""A cost per net job-year is a price only when the lever clearly adds jobs (issue 18).

A synthetic sweep is edited so that the land trust removes 10 % of the baseline's ESS jobs in
every seed (a clearly negative job effect) and conditional aid adds +5, −5, +5, −5 jobs by seed
(an interval holding zero): the report must say in words why neither has a cost per job-year,
in French and English, never print a negative or meaningless ratio, and keep the price of the
lever that does add jobs. ``benchmarks.lever_costs`` says it with the same rule and words.
"""

import html
import math
import re

import pandas as pd
import pytest

from benchmarks import lever_costs
from sim.experiments.report import build_report
from sim.experiments.stats import cost_per_job_undefined
from sim.experiments.texts import UNDEFINED_COST_PER_JOB, arm_label, cost_per_job_year
from tests.test_experiments_report import SEEDS, make_sweep
from tests.test_report_first_screen import Page

JOBS = ["ess_jobs_permanent", "ess_jobs_insertion", "ess_jobs_adapted"]
WORDS = {lang: {key: pair[i] for key, pair in UNDEFINED_COST_PER_JOB.items()}
         for i, lang in enumerate(("fr", "en"))}


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    root = make_sweep(tmp_path_factory.mktemp("cpj"))
    for seed in SEEDS:
        base = pd.read_parquet(root / "runs" / "baseline" / f"seed={seed}" / "timeseries.parquet")
        for arm, edit in (("land_trust", lambda x: 0.9 * x),
                          ("conditional_aid", lambda x, s=seed: x + (5 if s % 2 == 0 else -5))):
            path = root / "runs" / arm / f"seed={seed}" / "timeseries.parquet"
            ts = pd.read_parquet(path)
            ts[JOBS[0]] = edit(base[JOBS].sum(axis=1)) - base[JOBS[1:]].sum(axis=1)
            ts[JOBS[1:]] = base[JOBS[1:]].to_numpy()
            ts.to_parquet(path)
    return root


def test_the_rule():
    assert cost_per_job_undefined(-35.0, -50.0, -20.0) == "removes_jobs"
    assert cost_per_job_undefined(10.0, -5.0, 25.0) == "no_job_effect"
    assert cost_per_job_undefined(-10.0, -25.0, 0.0) == "no_job_effect"
    assert cost_per_job_undefined(10.0, 2.0, 18.0) is None
    # one pair: no interval, the mean decides
    assert cost_per_job_undefined(-3.0, math.nan, math.nan) == "removes_jobs"
    assert cost_per_job_undefined(3.0, math.nan, math.nan) is None


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_words_replace_a_meaningless_ratio(lang):
    text = cost_per_job_year(-1.7e5, -3.2e5, 1.3e6, -5.0, -10.0, 3.0, lang)
    assert text == WORDS[lang]["no_job_effect"]
    losing = cost_per_job_year(-2.9e3, -4e3, -2e3, -35.0, -50.0, -20.0, lang)
    assert losing == WORDS[lang]["removes_jobs"]
    priced = cost_per_job_year(1.7e4, 1.2e4, 2.3e4, 50.0, 10.0, 90.0, lang)
    assert priced == ("17,0\u202fk€ [12,0\u202fk€\u202f; 23,0\u202fk€]" if lang == "fr"
                      else "€17.0k [€12.0k; €23.0k]")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_report_says_why_a_lever_has_no_cost_per_job(sweep, lang):
    text = build_report(sweep, lang).read_text(encoding="utf-8")
    rows = _cost_table(text, lang)
    assert rows[arm_label("land_trust", lang)] == WORDS[lang]["removes_jobs"]
    assert rows[arm_label("conditional_aid", lang)] == WORDS[lang]["no_job_effect"]
    assert "€" in rows[arm_label("all_four", lang)]  # jobs clearly added: still priced
    items = Page(text).parts["li"]
    losing = [li for li in items if WORDS[lang]["removes_jobs"] in li]
    assert len(losing) == 1 and losing[0].startswith(arm_label("land_trust", lang))
    assert any(WORDS[lang]["no_job_effect"] in li for li in items)


def _cost_table(page: str, lang: str) -> dict[str, str]:
    """The cost table's last column by row label."""
    header = "Coût par année-emploi nette [IC 95 %]" if lang == "fr" else \
        "Cost per net job-year [95% CI]"
    table = next(t for t in re.findall(r"<table>.*?</table>", page, re.S)
                 if html.escape(header) in t)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c))
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[cells[0]] = cells[-1]
    return rows


def test_lever_costs_uses_the_same_words(tmp_path):
    pairs = pd.DataFrame({"lever": "land_trust", "seed": [0, 1, 2],
                          "net_job_years": [-30.0, -40.0, -35.0],
                          "lever_cost_eur": 1e5, "induced_aid_eur": 0.0})
    flat = pairs.assign(lever="brownfields", net_job_years=[-1.0, 0.5, 0.5])
    text = lever_costs.markdown(lever_costs.summarise(pd.concat([pairs, flat])), [0, 1, 2],
                                12, [])
    assert f"| {WORDS['en']['removes_jobs']} |" in text
    assert f"| {WORDS['en']['no_job_effect']} |" in text
    assert "-2,857" not in text
