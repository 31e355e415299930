"""The validation machinery on a short, small run: it measures every fact, and it can fail.

The full check (20 seeds, 120 months, default region) is ``python -m sim.validation``; here the
classroom territory over four years keeps the test fast while exercising every measurement.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim import validation as v
from sim.state import enterprise_table

SMOKE = dict(seeds=2, months=48, overrides=["territory=classroom"], workers=1, national=False,
             emergent=False)


@pytest.fixture(scope="module")
def report():
    return v.validate(**SMOKE)


def test_every_check_is_measured_on_a_short_run(report):
    measured = {c["key"]: c for c in report["checks"]}
    assert set(measured) == {c.key for c in v.CHECKS}
    assert {f["fact"] for f in report["facts"]} == set(v.FACTS)
    # facts whose figures exist in any four-year run (small-firm credit gaps may have no case)
    for key in ("survival5_cooperatives", "insertion_entries_to_stock", "exit_employment",
                "ei_productivity_ratio", "contract_growth_premium", "rent_densest",
                "approval_established", "cash_strain_share", "vat_pass_through"):
        assert measured[key]["n"] == SMOKE["seeds"] and np.isfinite(measured[key]["mean"]), key
    assert 0.4 < measured["exit_employment"]["mean"] < 0.5
    assert measured["vat_pass_through"]["mean"] == pytest.approx(0.3)  # the lever's default


def test_report_is_written_and_deterministic(report, tmp_path):
    v.write_report(report, tmp_path)
    saved = json.loads((tmp_path / "report.json").read_text())
    assert [c["key"] for c in saved["checks"]] == [c.key for c in v.CHECKS]
    assert "| fact | figure | model (95% CI) |" in (tmp_path / "report.md").read_text()
    again = v.observe(["seed=0", "horizon_months=48", "territory=classroom"])
    first = report["per_seed"][0]
    assert again == pytest.approx({k: first[k] for k in again}, nan_ok=True)


def test_a_figure_outside_its_band_fails_its_fact():
    inside = {c.key: (c.low + c.high) / 2 for c in v.CHECKS}
    rows = v.evaluate([inside, inside])
    assert all(r["pass"] for r in rows)
    outside = dict(inside, exit_employment=0.9)
    rows = v.evaluate([outside, outside])
    failed = [r for r in rows if r["pass"] is False]
    assert [r["key"] for r in failed] == ["exit_employment"]
    assert v._fact_verdict([r for r in rows if r["fact"] == 4]) is False
    assert v._fact_verdict([r for r in rows if r["fact"] == 5]) is True


def test_unmeasured_check_is_pending_not_passed():
    rows = v.evaluate([{c.key: np.nan for c in v.CHECKS}])
    assert all(r["pass"] is None for r in rows)
    assert v._fact_verdict(rows[:3]) is None


def test_summary_gives_a_t_interval():
    s = v.summarise([1.0, 2.0, 3.0, np.nan])
    assert s["mean"] == 2.0 and s["n"] == 3
    assert s["ci_low"] == pytest.approx(2.0 - 4.303 / np.sqrt(3), rel=1e-3)
    pooled = v.summarise([0.0, 1.0, 5.0], weights=[1, 3, 0])  # a seed without cases drops out
    assert pooled["mean"] == pytest.approx(0.75) and pooled["n"] == 2


@pytest.mark.parametrize("compacted", [False, True])
def test_survival_counts_only_failures_in_the_first_five_years(compacted):
    """Two cooperatives born at month 0: one fails at 24 months, one at 84 (too late); the
    same figures once the failed ones' rows are compacted away into the archive (events name
    enterprises by serial)."""
    enterprises, archive = enterprise_table(4), enterprise_table(4)
    enterprises.append(3, alive=[False, False, True], founded=0, form=[5, 5, 0])
    if compacted:
        dropped = np.array([0, 1])
        archive.append(2, **enterprises.rows_of(dropped))
        enterprises.compact(np.array([False, False, True]))
    model = SimpleNamespace(month=120, world=SimpleNamespace(enterprises=enterprises,
                                                             enterprise_archive=archive))
    events = pd.DataFrame({"kind": ["entry"] * 3 + ["failure"] * 2,
                           "agent": [0, 1, 2, 0, 1], "month": [0, 0, 0, 24, 84],
                           "details": [""] * 5})
    s = v._survival(model, events)
    hazard = 1 / (2 + 5)  # one failure over 2 + 5 years at risk
    assert s["survival5_cooperatives"] == pytest.approx(np.exp(-5 * hazard))
    assert s["survival5_others"] == pytest.approx(1.0)


def test_cash_strain_needs_two_months_short_in_a_year():
    jobs = np.ones((3, 24))
    agent = np.array([0, 0, 1, 2, 2])
    month = np.array([1, 5, 3, 13, 14])
    assert v._cash_strain(jobs, agent, month) == pytest.approx((1 / 3 + 1 / 3) / 2)


def test_every_check_says_what_sets_it():
    bases = {c.basis for c in v.CHECKS}
    assert bases <= {v.INPUT, v.CALIBRATED, v.PARTLY, v.EMERGENT}
    assert all(c.why for c in v.CHECKS if c.basis != v.EMERGENT)
    by_key = {c.key: c.basis for c in v.CHECKS}
    # set by parameters, so they cannot validate anything (exit rates, pass-through, base rent)
    assert {by_key[k] for k in ("vat_pass_through", "rent_densest",
                                "social_clause_share")} == {v.INPUT}
    assert by_key["exit_employment"] == v.CALIBRATED


def _stocks(first: float, last: float, scale_ups: float = 0.0) -> dict[str, float]:
    figures = {f"{key}:first": first for key in v.STATIONARY_SERIES}
    figures.update({f"{key}:last": last for key in v.STATIONARY_SERIES})
    figures[f"{v.SCALE_UPS}:last"] = scale_ups
    return figures


def test_a_drifting_baseline_fails_the_stationarity_check():
    steady = v.stationarity_rows([_stocks(100, 103), _stocks(100, 98)], "test")
    assert all(r["pass"] for r in steady)
    drifting = v.stationarity_rows([_stocks(100, 127), _stocks(100, 126)], "test")
    assert not any(r["pass"] for r in drifting)
    assert drifting[0]["mean"] == pytest.approx(0.265)


def test_a_drifting_mix_of_forms_fails_the_per_form_check():
    """Totals may hold while one form replaces another: the per-form rows catch it."""
    def seed(aci: float, scop: float) -> dict[str, float]:
        figures = {f"{key}:first": 100.0 for key in v.FORM_STOCKS}
        figures.update({f"{key}:last": 100.0 for key in v.FORM_STOCKS})
        figures["structures_ACI:last"], figures["structures_SCOP:last"] = aci, scop
        return figures

    rows = v.stationarity_rows([seed(63, 137), seed(65, 135)], "test", v.FORM_STOCKS,
                               v.FORM_STATIONARY_BAND)
    failed = {r["key"] for r in rows if r["pass"] is False}
    assert failed == {"structures_ACI", "structures_SCOP"}
    steady = v.stationarity_rows([seed(96, 104), seed(103, 98)], "test", v.FORM_STOCKS,
                                 v.FORM_STATIONARY_BAND)
    assert all(r["pass"] for r in steady)


def test_composition_rows_show_a_market_holding_up_the_totals_without_a_verdict():
    """Totals can hold while sales to industry triple and the other markets shrink: the
    composition rows show it, and are never counted as a pass or a failure."""
    def seed(industry: float) -> dict[str, float]:
        figures = {f"{key}:first": 100.0 for key in v.SALES_SOURCES}
        figures.update({f"{key}:last": 94.0 for key in v.SALES_SOURCES})
        figures["sales_industry:last"] = industry
        return figures

    rows = v.composition_rows([seed(280.0), seed(300.0)], "test")
    assert [r["key"] for r in rows] == list(v.SALES_SOURCES)
    assert all(r["pass"] is None and r["check"] == "composition" for r in rows)
    assert rows[2]["mean"] == pytest.approx(1.9)
    assert rows[0]["mean"] == pytest.approx(-0.06)
    table = v.markdown({**_minimal_report(), "emergent": rows})
    assert "| not checked | — |" in table and "pending" not in table


def test_sales_sources_add_up_to_what_the_ess_sold():
    from sim.api import build_model

    model = build_model(["progress=false", "territory=tiny", "seed=3", "horizon_months=3"])
    model.step()
    model.step()
    figures = v.sales_sources(model)
    e = model.world.enterprises
    sold = sum(figures[k] for k in v.SALES_SOURCES if k.startswith("sales_"))
    assert sold == pytest.approx(float(e.sales[e.alive].sum()), rel=1e-9)
    assert 0.0 <= figures["buyers_needs_covered"] <= 1.0


def test_a_brake_whose_lifting_lowers_scale_ups_or_jobs_fails():
    baseline = [_stocks(1, 100, scale_ups=s) for s in (10, 12, 11, 9)]
    backwards = [_stocks(1, 100, scale_ups=s) for s in (2, 3, 1, 2)]
    forwards = [_stocks(1, 100, scale_ups=s) for s in (12, 12, 13, 9)]
    fewer_jobs = [_stocks(1, jobs, scale_ups=10) for jobs in (90, 95, 92, 91)]
    rows = v.brake_rows(baseline, {"premises": backwards, "finance": forwards,
                                   "competition": fewer_jobs})
    assert [(r["key"], r["pass"]) for r in rows] == [
        ("scale_ups_premises", False), ("scale_ups_finance", True),
        ("scale_ups_competition", True), ("ess_jobs_premises", True),
        ("ess_jobs_finance", True), ("ess_jobs_competition", False)]
    assert rows[-1]["mean"] == pytest.approx(-3 * 8.0)  # three kinds of job, 8 fewer each


def test_the_emergent_checks_run_on_a_short_run():
    rows = v.emergent_checks(seeds=2, months=6, overrides=["territory=tiny"], workers=1,
                             national=False)
    n_forms = len(v.FORM_STOCKS)
    assert [r["check"] for r in rows] == (["stationary"] * (4 + n_forms)
                                          + ["composition"] * len(v.SALES_SOURCES)
                                          + ["brake_lifted"] * 10)
    assert all(r["pass"] is None for r in rows if r["check"] == "composition")
    by_form = [r for r in rows if r["scope"] == "run territory, by legal form"]
    assert [r["key"] for r in by_form] == list(v.FORM_STOCKS)
    # a form absent from the tiny territory has no figure; the others have one per seed
    assert all((r["n"] == 2 and np.isfinite(r["mean"])) or r["n"] == 0 for r in by_form)
    totals = [r for r in rows if r["check"] != "composition"
              and r["scope"] != "run territory, by legal form"]
    assert all(r["n"] == 2 and np.isfinite(r["mean"]) for r in totals)
    assert "Emergent behaviour" in v.markdown({**_minimal_report(), "emergent": rows})


def _minimal_report() -> dict:
    return {"seeds": 2, "months": 6, "overrides": [], "wall_time_s": 0.0, "facts": [],
            "checks": [], "notes": {}, "national": []}
