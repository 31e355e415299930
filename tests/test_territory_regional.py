"""Regional calibration table (issue 14, item 1) and the out-of-sample regional check (item 2)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.territories import load_territories
from sim.territories.regional import (
    GROUPS,
    INSERTION_SIZE,
    STRUCTURE_GROUPS,
    at_position,
    calibration_table,
    departement_multipliers,
    ess_jobs_by_region,
    ess_share_check,
    ess_share_check_over_seeds,
    form_multipliers,
    industry_multipliers,
    industry_region_multipliers,
    read_rows,
    region_populations,
    structure_multipliers,
    territory_multipliers,
)
from sim.vocabulary import LEGAL_FORMS

POPULATION = {"A": 50.0, "B": 30.0, "C": 20.0}


def _row(group, code, count, national=100, spread="0.1"):
    return {"group": group, "region_code": code, "count": str(count),
            "national_count": str(national), "rel_uncertainty": spread, "year": "2023",
            "source_url": "https://example.org", "table_or_page": "t1"}


def test_structure_multiplier_is_the_regional_over_the_population_share():
    rows = [_row("insertion", "A", 40), _row("insertion", "B", 45)]
    by = {(m.group, m.region_code): m for m in structure_multipliers(rows, POPULATION)}
    assert by["insertion", "A"].value == pytest.approx(0.4 / 0.5)
    assert by["insertion", "B"].value == pytest.approx(0.45 / 0.3)
    assert by["insertion", "B"].low == pytest.approx(1.5 * 0.9)
    # residual (1 - 0.5 x 0.8 - 0.3 x 1.5) / 0.2 = 0.75, under the observed range: clipped to 0.8
    assert by["insertion", "C"].value == pytest.approx(0.8)
    assert "clipped" in by["insertion", "C"].basis
    assert by["insertion", "C"].low == pytest.approx(0.72)  # the observed range, with spreads
    assert by["insertion", "C"].high == pytest.approx(1.65)
    # a group without any figure stays at the national density
    assert by["association", "A"].value == 1.0
    assert by["association", "A"].basis.startswith("fallback: no regional figure")


def test_residual_keeps_the_national_total_when_not_clipped():
    rows = [_row("cooperative", "A", 60), _row("cooperative", "B", 20)]  # C: residual 1.0
    table = structure_multipliers(rows, POPULATION)
    total = sum(POPULATION[m.region_code] * m.value for m in table if m.group == "cooperative")
    assert total == pytest.approx(sum(POPULATION.values()))


def test_one_figure_for_two_regions_applies_to_both():
    table = structure_multipliers([_row("cooperative", "B+C", 40)], POPULATION)
    by = {m.region_code: m.value for m in table if m.group == "cooperative"}
    assert by["B"] == by["C"] == pytest.approx(0.4 / 0.5)


def test_industry_multiplier_is_industrial_jobs_per_inhabitant_over_the_observed_regions():
    rows = [{"region_code": "A", "salaried_employment": "50", "industry_share_pct": "20",
             "source_url": "u", "table_or_page": "t", "year": "2019"},
            {"region_code": "B", "salaried_employment": "30", "industry_share_pct": "10",
             "source_url": "u", "table_or_page": "t", "year": "2019"}]
    by = {m.region_code: m for m in industry_region_multipliers(rows, POPULATION)}
    reference = (10 + 3) / 80
    assert by["A"].value == pytest.approx(10 / 50 / reference)
    assert by["B"].value == pytest.approx(3 / 30 / reference)
    assert by["B"].high == pytest.approx(by["B"].value * 1.05)  # 0.5 point on 10 %
    assert by["C"].value == 1.0 and by["C"].basis.startswith("fallback")


def test_shipped_table_covers_every_region_and_group_with_sources_or_fallbacks():
    table = calibration_table()
    regions = set(region_populations())
    assert len(regions) == 18
    for group in GROUPS:
        rows = [m for m in table if m.group == group and not m.departement]
        assert {m.region_code for m in rows} == regions, group
        for m in rows:
            assert 0 < m.low <= m.value <= m.high, m
            assert (m.basis == "observed") == m.source.startswith("http"), m
            assert m.basis == "observed" or m.basis.startswith("fallback"), m


@pytest.mark.parametrize("group", [g for g in GROUPS if g != INSERTION_SIZE])
def test_shipped_table_keeps_the_national_density(group):
    population = region_populations()
    weighted = sum(population[m.region_code] * m.value for m in calibration_table()
                   if m.group == group and not m.departement)
    assert weighted / sum(population.values()) == pytest.approx(1.0, abs=1e-9)


def test_shipped_table_keeps_the_national_insertion_size():
    population = region_populations()
    table = calibration_table()
    structures = {m.region_code: population[m.region_code] * m.value for m in table
                  if m.group == "insertion" and not m.departement}
    size = {m.region_code: m.value for m in table if m.group == INSERTION_SIZE}
    assert sum(structures[c] * size[c] for c in size) / sum(structures.values()) == (
        pytest.approx(1.0, abs=1e-9))
    assert size["94"] < 0.6  # Corse: 1,228 employees in 38 SIAE, half the national size


def test_corsican_figures_replace_the_figure_shared_with_provence():
    by = {(m.group, m.region_code): m for m in calibration_table() if not m.departement}
    assert by["cooperative", "94"].value < 1 < by["cooperative", "93"].value
    assert "corsenetinfos" in by["cooperative", "94"].source
    assert by["insertion", "94"].value > 1.4  # 38 SIAE for ~345,000 inhabitants


def test_a_position_moves_a_multiplier_within_its_range():
    m = next(m for m in calibration_table() if (m.group, m.region_code) == ("cooperative", "53"))
    assert at_position(m, 0.0) == m.value
    assert at_position(m, -1.0) == pytest.approx(m.low)
    assert at_position(m, 1.0) == pytest.approx(m.high)
    assert m.low < at_position(m, -0.5) < m.value < at_position(m, 0.5) < m.high
    with pytest.raises(ValueError, match="allowed values are -1 to 1"):
        at_position(m, 1.5)


def test_shipped_figures_carry_source_page_and_year():
    for name in ("regional_structures.csv", "regional_industry.csv", "regional_ess_share.csv",
                 "regional_insertion_people.csv"):
        for row in read_rows(name):
            assert row["source_url"].startswith("http") and row["table_or_page"], row
            assert 2000 <= int(row["year"]) <= 2026, row


def test_regional_differences_follow_the_published_counts():
    by = {(m.group, m.region_code): m.value for m in calibration_table()}
    # Ouest and South above Île-de-France for cooperatives; Île-de-France below in insertion
    assert by["cooperative", "53"] > 1 > by["cooperative", "11"]
    assert by["cooperative", "76"] > by["cooperative", "11"]
    assert by["insertion", "11"] < 1 < by["insertion", "75"]
    # industry: Pays de la Loire (17 %) far above Île-de-France (7 %) and Corse (6 %)
    assert by["industry", "52"] > 1.3 and by["industry", "11"] < 0.8 and by["industry", "94"] < 0.5


def test_territory_multipliers_follow_each_territory_region():
    territories = load_territories("region", ["53", "11"])
    forms = form_multipliers(territories)
    assert forms.shape == (len(LEGAL_FORMS), len(territories))
    scop = forms[LEGAL_FORMS.index("SCOP")]
    breton = territories.region_code == "53"
    assert np.allclose(scop[breton], scop[breton][0]) and scop[breton][0] > scop[~breton][0]
    assert np.array_equal(forms[LEGAL_FORMS.index("SCOP")], forms[LEGAL_FORMS.index("SCIC")])
    industry = industry_multipliers(territories)
    assert industry[breton].min() > industry[~breton].max()
    low = territory_multipliers(territories, "industry", bound="low")
    assert (low < industry).all()


def test_synthetic_territories_keep_the_national_density():
    territories = load_territories("synthetic", synthetic={"rural": 2, "metropolis": 1})
    assert (form_multipliers(territories) == 1.0).all()
    assert (industry_multipliers(territories) == 1.0).all()
    with pytest.raises(ValueError, match="allowed: insertion"):
        territory_multipliers(territories, "farms")
    assert set(STRUCTURE_GROUPS) < set(GROUPS)


EMPLOYMENT = [{"region_code": c, "salaried_employment": str(s)}
              for c, s in (("53", 1000), ("52", 1000), ("11", 2000), ("94", 100), ("84", 1000))]
OBSERVED = [{"region_code": c, "ess_share_of_salaried_jobs_pct": v}
            for c, v in (("FR", "10"), ("53", "14"), ("52", "13"), ("11", "7"), ("94", "8"))]


def test_ess_share_check_passes_when_the_model_is_on_the_right_side_of_france():
    jobs = {"53": 130.0, "52": 120.0, "11": 150.0, "94": 7.0, "84": 100.0}
    check = ess_share_check(jobs, OBSERVED, EMPLOYMENT)
    france = sum(jobs.values()) / 5100
    assert check.model_ratio["53"] == pytest.approx(0.13 / france)
    assert check.observed_ratio["11"] == pytest.approx(0.7)
    assert check.passed and set(check.agrees) == {"53", "52", "11", "94"}


def test_ess_share_check_fails_when_a_region_is_on_the_wrong_side():
    flat = {"53": 150.0, "52": 150.0, "11": 300.0, "94": 10.0, "84": 100.0}
    check = ess_share_check(flat, OBSERVED, EMPLOYMENT)
    assert not check.passed and check.agrees["11"] is False and check.agrees["53"] is True


def test_ess_share_check_skips_regions_outside_the_run_and_sums_by_region():
    territories = load_territories("region", ["53"])
    jobs = ess_jobs_by_region(territories, np.ones(len(territories)))
    assert jobs == {"53": float(len(territories))}
    check = ess_share_check(jobs)
    assert set(check.agrees) == {"53"}
    # one region alone is France for the model, so it cannot sit above it
    assert check.model_ratio["53"] == pytest.approx(1.0) and not check.passed


def test_industry_multipliers_net_out_the_archetype_mix_of_each_region():
    factors = {"industrial_basin": 1.6, "metropolis": 0.7}
    france = load_territories("france")
    plain = industry_multipliers(france)
    netted = industry_multipliers(france, factors)
    archetype = np.array([factors.get(a, 1.0) for a in france.archetype])
    firms = archetype * netted * france.population
    national_mean = np.average(archetype, weights=france.population)
    for code in ("11", "32", "53"):
        rows = france.region_code == code
        per_inhabitant = firms[rows].sum() / france.population[rows].sum()
        assert per_inhabitant == pytest.approx(national_mean * plain[rows][0])
    assert firms.sum() == pytest.approx(national_mean * france.population.sum())
    # the correction comes from France, not from the selection: a region alone gets the same
    brittany = load_territories("region", ["53"])
    assert industry_multipliers(brittany, factors)[0] == pytest.approx(
        netted[france.region_code == "53"][0])


def test_ess_share_check_over_seeds_averages_jobs_and_counts_passing_seeds():
    good = {"53": 130.0, "52": 120.0, "11": 150.0, "94": 7.0, "84": 100.0}
    bad = {"53": 150.0, "52": 150.0, "11": 300.0, "94": 10.0, "84": 100.0}
    check, passing = ess_share_check_over_seeds([good, good, bad], OBSERVED, EMPLOYMENT)
    assert passing == pytest.approx(2 / 3)
    mean = {c: (2 * good[c] + bad[c]) / 3 for c in good}
    assert check.model_ratio == ess_share_check(mean, OBSERVED, EMPLOYMENT).model_ratio


def test_departement_figures_refine_their_region_and_keep_its_total():
    regional = structure_multipliers([_row("insertion", "A", 50), _row("insertion", "B", 15)],
                                     POPULATION)  # A at 1.0, B at 0.5
    rows = [{"group": "insertion", "departement": "a1", "region_code": "A", "count": "20",
             "national_count": "100", "rel_uncertainty": "0.1", "year": "2024",
             "source_url": "https://example.org", "table_or_page": "t"}]
    out = departement_multipliers(rows, regional, {"a1": 10.0, "a2": 40.0, "B": 30.0,
                                                   "C": 20.0}, POPULATION)
    by = {m.departement: m for m in out}
    assert by["a1"].value == pytest.approx(0.2 / 0.1)
    # region A keeps 1.0 x 50 inhabitants: (50 - 2.0 x 10) / 40 = 0.75, in the observed range
    assert by["rest"].value == pytest.approx(0.75) and by["rest"].region_code == "A"
    assert by["rest"].basis.startswith("fallback: residual within the region")


def test_shipped_departements_sharpen_nouvelle_aquitaine_without_moving_it():
    na = load_territories("region", ["75"])
    insertion = territory_multipliers(na, "insertion")
    creuse, gironde = na.departement == "23", na.departement == "33"
    assert insertion[creuse].min() > 1.5 > 1.0 > insertion[gironde].max()
    region = next(m for m in calibration_table()
                  if (m.group, m.region_code, m.departement) == ("insertion", "75", ""))
    assert np.average(insertion, weights=na.population) == pytest.approx(region.value, rel=1e-3)
    # other groups are untouched by the insertion figures of départements
    assert len(set(territory_multipliers(na, "cooperative").tolist())) == 1
