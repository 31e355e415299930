"""Cost per net job-year of each lever (benchmarks/lever_costs.py) and its place in docs/levers.md.

The computation runs on real baseline runs of the tiny territory; the "lever" arm is that run
with a known number of extra jobs, a known booked cost and known induced aid, so the expected
cost per job-year is known exactly.
"""

from __future__ import annotations

import math

import pytest

from benchmarks import lever_costs
from sim import docs
from sim.outcomes import lever_cost

MONTHS = 12
SEEDS = (0, 1, 2)
OWN_PER_JOB_YEAR = 3_000.0     # €, under half the insertion benchmark
INDUCED_PER_JOB_YEAR = 9_000.0


def _fake_run(seed, overrides):
    """The baseline of the tiny territory; with the fake lever, ``2 + seed`` extra jobs every
    month, booked cost and induced aid in proportion to the job-years added."""
    frame = lever_costs.run_timeseries(seed, ("territory=tiny", f"horizon_months={MONTHS}"))
    if not any(o.startswith("policies=") for o in overrides):
        return frame
    lever = next(o for o in overrides if o.startswith("policies=")).split("[")[1].rstrip("]")
    extra = 2.0 + seed
    job_years = (frame.month + 1) * extra / 12.0  # cumulative job-years added to date
    frame = frame.copy()
    frame[lever_costs.JOBS] += extra
    frame[lever_cost(lever)] = job_years * OWN_PER_JOB_YEAR
    frame[lever_costs.BASELINE_COST] += job_years * INDUCED_PER_JOB_YEAR
    return frame


@pytest.fixture(scope="module")
def pairs():
    return lever_costs.measure(["conditional_aid"], SEEDS, run=_fake_run, log=lambda _: None)


def test_pairs_add_up_the_lever_jobs_cost_and_induced_aid(pairs):
    assert list(pairs.seed) == list(SEEDS)
    expected_jobs = [(2.0 + s) * MONTHS / 12.0 for s in SEEDS]
    assert pairs.net_job_years.tolist() == pytest.approx(expected_jobs)
    assert pairs.lever_cost_eur.tolist() == pytest.approx(
        [j * OWN_PER_JOB_YEAR for j in expected_jobs])
    assert pairs.induced_aid_eur.tolist() == pytest.approx(
        [j * INDUCED_PER_JOB_YEAR for j in expected_jobs], rel=1e-9)


def test_cost_per_job_year_and_its_interval(pairs):
    row = lever_costs.summarise(pairs).iloc[0]
    assert row.own_cost_per_job_year == pytest.approx(OWN_PER_JOB_YEAR)
    assert row.own_low == pytest.approx(OWN_PER_JOB_YEAR)  # cost ∝ jobs in every pair
    assert row.own_high == pytest.approx(OWN_PER_JOB_YEAR)
    assert row.total_cost_per_job_year == pytest.approx(OWN_PER_JOB_YEAR + INDUCED_PER_JOB_YEAR)
    assert row.far_below_benchmarks
    assert "firms' own purchases" in row.why_cheap
    text = lever_costs.markdown(lever_costs.summarise(pairs), SEEDS, MONTHS, ["territory=tiny"])
    assert "| `conditional_aid` | 3 [" in text
    assert "3,000 [3,000; 3,000]" in text and "12,000 [12,000; 12,000]" in text
    assert "12,459" in text and "18,230" in text


def test_no_job_effect_gives_an_unbounded_ratio(pairs):
    flat = pairs.assign(net_job_years=[-1.0, 0.5, 0.5], lever_cost_eur=1e5)
    row = lever_costs.summarise(flat).iloc[0]
    assert math.isinf(row.own_low) and math.isinf(row.own_high)
    assert not row.far_below_benchmarks
    text = lever_costs.markdown(lever_costs.summarise(flat), SEEDS, MONTHS, [])
    assert "not defined: the job effect is not distinguishable from zero" in text


def test_a_cost_near_the_benchmarks_is_not_called_cheap(pairs):
    dear = pairs.assign(lever_cost_eur=pairs.net_job_years * 0.6 * 12_459.0)
    assert not lever_costs.summarise(dear).far_below_benchmarks.iloc[0]


def test_levers_page_includes_the_measured_table(tmp_path, monkeypatch):
    table = tmp_path / "lever_costs.md"
    monkeypatch.setattr(docs, "LEVER_COSTS", table)
    assert "python -m benchmarks.lever_costs" in docs._refresh_levers(docs.LEVERS.read_text())
    table.write_text("| lever | own cost |\n|---|---|\n| `marker_lever` | 42 |\n")
    page = docs._refresh_levers(docs.LEVERS.read_text())
    assert "| `marker_lever` | 42 |" in page
    assert page.count("<!-- generated:lever_costs -->") == 1
    assert docs._refresh_levers(page) == page  # refreshing again changes nothing


def test_unknown_lever_is_refused_in_one_line(capsys):
    assert lever_costs.main(["--levers", "nope", "--seeds", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --levers") and "land_trust" in err and "\n" not in err


def test_a_lever_that_removes_jobs_gets_no_cost_per_job(pairs):
    losing = pairs.assign(net_job_years=[-30.0, -40.0, -35.0], lever_cost_eur=1e5)
    text = lever_costs.markdown(lever_costs.summarise(losing), SEEDS, MONTHS, [])
    assert "not defined: the lever removes jobs" in text
    assert "| `conditional_aid` | -35 [" in text and "-2,857" not in text
