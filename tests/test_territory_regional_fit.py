"""Month-0 regional fit of a national build (issue 14, "done when"): the check can fail."""

from __future__ import annotations

import pytest

from sim.config.schema import PopulationParams
from sim.territories.regional import STRUCTURE_GROUPS, Multiplier
from sim.territories.regional_fit import (
    _national_jobs_per_inhabitant,
    fit_rows,
    implied_jobs_factor,
    regional_markdown,
    regional_verdicts,
)

PARAMS = PopulationParams()


def _table(code: str, value: float) -> tuple[Multiplier, ...]:
    rows = [Multiplier(code, g, value, value * 0.9, value * 1.1, "observed", "http://x")
            for g in STRUCTURE_GROUPS]
    return (*rows, Multiplier(code, "insertion_size", 1.0, 0.9, 1.1, "observed", "http://x"))


def _seed(code: str, factor: float, population: float = 1e6) -> dict:
    density = {g: sum(PARAMS.forms[f].per_100k_inhabitants for f in PARAMS.forms
                      if f in _forms_of(g)) / 1e5 for g in STRUCTURE_GROUPS}
    return {"population": {code: population}, "names": {code: "Somewhere"},
            "national_density": density,
            "structures": {g: {code: density[g] * population * factor} for g in STRUCTURE_GROUPS},
            "jobs": {code: _national_jobs_per_inhabitant(PARAMS) * population * factor}}


def _forms_of(group: str) -> set[str]:
    from sim.territories.regional import FORM_GROUP

    return {f for f, g in FORM_GROUP.items() if g == group}


def test_a_build_that_follows_the_table_passes_and_one_that_does_not_fails():
    table = _table("53", 1.3)
    good = fit_rows([_seed("53", 1.3), _seed("53", 1.3)], table, PARAMS)
    assert len(good) == len(STRUCTURE_GROUPS) + 1 and all(r["pass"] for r in good)
    assert good[-1]["group"] == "ESS jobs" and good[-1]["model"] == pytest.approx(1.3)
    flat = fit_rows([_seed("53", 1.0), _seed("53", 1.0)], table, PARAMS)
    assert not any(r["pass"] for r in flat)


def test_overseas_regions_are_left_out_of_the_fit():
    assert fit_rows([_seed("03", 1.0)], _table("03", 1.0), PARAMS) == []


def test_implied_jobs_follow_the_group_multipliers_and_the_insertion_size():
    national = dict.fromkeys(STRUCTURE_GROUPS, 1.0)
    assert implied_jobs_factor(PARAMS, national, 1.0) == pytest.approx(1.0)
    assert implied_jobs_factor(PARAMS, national, 0.5) < 1.0
    assert implied_jobs_factor(PARAMS, {**national, "insertion": 1.5}, 1.0) > 1.0


def test_the_report_section_states_fitted_and_out_of_sample_and_counts_verdicts():
    fit = fit_rows([_seed("53", 1.3), _seed("53", 1.0)], _table("53", 1.3), PARAMS)
    report = {"seeds": 2, "fit": fit, "out_of_sample": {
        "model_ratio": {"53": 1.1}, "observed_ratio": {"53": 1.37}, "agrees": {"53": True},
        "pass": True, "share_of_seeds_passing": 0.5}}
    text = "\n".join(regional_markdown(report, {True: "PASS", False: "FAIL", None: "-"}))
    assert "**Fitted**" in text and "**Out of sample**" in text and "50%" in text
    assert len(regional_verdicts(report)) == len(fit) + 1
    assert regional_markdown({}, {}) == [] and regional_verdicts({}) == []


def test_a_national_build_follows_the_observed_counts_of_large_regions():
    from sim.territories.regional_fit import month0_figures

    figures = month0_figures(seed=0)
    rows = {(r["region_code"], r["group"]): r for r in fit_rows([figures])}
    # Île-de-France and Auvergne-Rhône-Alpes hold hundreds of structures: one seed suffices
    for key in [("11", "insertion"), ("11", "cooperative"), ("84", "cooperative"),
                ("11", "ESS jobs")]:
        assert rows[key]["pass"], rows[key]
    assert rows["94", "insertion"]["table"] > 1.4  # Corse: its own count, not a fallback


def test_each_region_holds_its_expected_count_in_every_seed():
    import numpy as np

    from sim.world import _counts_following_regions

    expected = np.array([[0.6, 1.5, 2.2, 0.0], [10.0, 0.0, 0.0, 3.0]])  # (forms, territories)
    region = np.array([0, 0, 1, 1])
    totals = []
    for seed in range(200):
        counts = _counts_following_regions(expected, region, np.random.default_rng(seed))
        assert counts[1, 0] == 10 and counts[1, 3] == 3 and counts[0, 3] == 0
        assert counts[0, :2].sum() in (2, 3) and counts[0, 2:].sum() in (2, 3)
        totals.append(counts[0, :2].sum())
    assert np.mean(totals) == pytest.approx(2.1, abs=0.1)  # the expectation is kept
