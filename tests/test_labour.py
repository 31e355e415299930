"""The insertion leavers' labour market (sim/markets/labour.py): matching bounded by vacancies,
skill fit, a filled vacancy leaves the pool, and HR pooling acts only through them."""

from __future__ import annotations

import copy
import itertools

import numpy as np
import pytest

from sim.api import build_model
from sim.config import ConfigError, load_config
from sim.config.schema import LabourParams
from sim.markets.labour import (
    LabourMarket,
    cap_by_vacancies,
    match_leavers,
    poisson_urn_correction,
    urn_ball_probability,
)
from sim.model import EcosystemModel

LAB = LabourParams()
N_FORMS = 8


def _market(other_vacancies: float, n_territories: int = 1) -> LabourMarket:
    """Other employers' pool with no competing jobseekers and every form searching alike."""
    return LabourMarket(np.full(n_territories, other_vacancies / LAB.other_matching_efficiency),
                        np.zeros(n_territories), np.full(N_FORMS, 1.0), np.full(N_FORMS, 0.3))


def _match(seed, *, exits=50, structures=20, industrial=0.0, other=0.0, fit=1.0,
           efficiency=LAB.industrial_matching_efficiency):
    """Mean flows over many months of ``structures`` structures of one territory, each with
    ``exits`` leavers a month."""
    rng, rng_industry = np.random.default_rng(seed), np.random.default_rng(seed + 1)
    ex = np.full(structures, exits)
    zeros = np.zeros(structures, np.int64)
    flows = [match_leavers(rng, rng_industry, _market(other), LAB, ex, zeros, zeros,
                           np.full(structures, fit), np.full(structures, fit),
                           np.ones(structures), np.array([industrial]), np.array([efficiency]))
             for _ in range(50)]
    return (np.mean([f.industrial.sum() for f in flows]),
            np.mean([f.employed.sum() for f in flows]), flows)


# --- the matching rule against a naive reference -------------------------------------------------
def _urn_by_hand(rng, reach: int, weight: np.ndarray) -> np.ndarray:
    """Each of ``reach`` vacancies picks one seeker in proportion to weight; a seeker picked at
    least once is hired (Butters' urn-ball, person by person)."""
    picked = np.zeros(weight.size, dtype=bool)
    for _ in range(reach):
        picked[rng.choice(weight.size, p=weight / weight.sum())] = True
    return picked


def test_urn_ball_probability_matches_the_urn_drawn_by_hand():
    weight = np.repeat([1.0, 1.5], 200)        # 200 untied, 200 tied seekers
    reach = 300
    rng = np.random.default_rng(0)
    hired = np.mean([_urn_by_hand(rng, reach, weight) for _ in range(400)], axis=0)
    expected = urn_ball_probability(np.array(float(reach)), weight, np.array(weight.sum()))
    for group in (slice(0, 200), slice(200, 400)):
        assert hired[group].mean() == pytest.approx(expected[group].mean(), abs=0.01)
    assert expected[300] > expected[0]          # the tied are known better


def test_poisson_correction_matches_simulated_months():
    rng = np.random.default_rng(1)
    reach, mean_seekers = np.array([1.0, 5.0]), np.array([2.0, 40.0])
    for r, lam, corr in zip(reach, mean_seekers, poisson_urn_correction(reach, mean_seekers),
                            strict=True):
        n = rng.poisson(lam, 200_000)
        hires = np.where(n > 0, n * -np.expm1(-r / np.maximum(n, 1)), 0.0).mean()
        assert hires / (lam * -np.expm1(-r / lam)) == pytest.approx(corr, abs=0.005)


# --- behaviour: bounded by vacancies, by skills --------------------------------------------------
def test_no_vacancies_no_exits_whatever_the_efficiency():
    for efficiency in (LAB.industrial_matching_efficiency, 1.0):
        industrial, employed, _ = _match(0, industrial=0.0, other=0.0, efficiency=efficiency)
        assert industrial == 0 and employed == 0


def test_no_industrial_vacancies_means_raising_efficiency_adds_no_exits():
    low = _match(3, industrial=0.0, other=200.0)
    high = _match(3, industrial=0.0, other=200.0, efficiency=1.0)
    assert low[0] == high[0] == 0
    assert low[1] == high[1] > 0                 # same draws: not one exit more


def test_more_vacancies_more_hires_up_to_the_leavers():
    leavers = 20 * 50
    hires = [_match(4, industrial=v, efficiency=1.0)[0] for v in (0, 100, 400, 1600, 50_000)]
    assert hires[0] == 0
    assert all(a < b for a, b in itertools.pairwise(hires)), hires
    assert hires[1] <= 100 and hires[2] <= 400
    assert hires[-1] == pytest.approx(leavers, rel=0.01)   # saturates at the leavers
    assert max(f.industrial.sum() for f in _match(4, industrial=50_000, efficiency=1.0)[2]) \
        <= leavers


def test_skill_fit_zero_means_no_industrial_placement():
    industrial, employed, _ = _match(5, industrial=10_000.0, other=300.0, fit=0.0, efficiency=1.0)
    assert industrial == 0 and employed > 0


def test_hires_never_exceed_the_vacancies_open():
    rng = np.random.default_rng(6)
    for _ in range(200):
        hires = rng.integers(0, 5, 30)
        territory = rng.integers(0, 3, 30)
        vacancies = rng.uniform(0.0, 10.0, 3)
        capped = cap_by_vacancies(rng, hires, territory, vacancies)
        assert (capped <= hires).all()
        assert (np.bincount(territory, weights=capped, minlength=3) <= vacancies).all()


# --- in the model ---------------------------------------------------------------------------------
TINY = ["territory=classroom", "progress=false", "horizon_months=24"]


def _run(overrides, seed=0):
    return EcosystemModel(copy.deepcopy(load_config(overrides)), rng=seed).run()


def test_a_filled_vacancy_leaves_the_firms():
    model = build_model([*TINY, "seed=2"])
    firms, ind = model.world.firms, model.params.industry
    filled_total = 0.0
    for _ in range(12):
        before = firms.vacancies.sum()
        model.step()
        opened = before * (1 - 1 / ind.vacancy_months) + firms.jobs.sum() * \
            ind.hard_to_fill_rate_month
        filled = model.now.labour["filled"]
        assert firms.vacancies.sum() == pytest.approx(opened - filled, rel=1e-9, abs=1e-9)
        filled_total += filled
    assert filled_total > 0


def test_baseline_keeps_the_observed_exit_rates_by_form():
    model = build_model(["territory=drome", "progress=false", "horizon_months=36", "seed=1"])
    exits, employed = np.zeros(N_FORMS), np.zeros(N_FORMS)
    for _ in range(36):
        model.step()
        exits += model.now.labour["exits_by_form"]
        employed += model.now.labour["employed_by_form"]
    forms = model.world.forms
    insertion = exits > 0
    rates = employed[insertion] / exits[insertion]
    np.testing.assert_allclose(rates, forms.exit_employment[insertion], atol=0.08)


HR = ["policies=[hr_pooling]", "policies.hr_pooling.hiring_boost=3",
      "policies.hr_pooling.skill_boost=1"]


def test_hr_pooling_adds_no_exit_where_industry_has_no_vacancy():
    """Training and the platform alone (the employer group's support staff would change growth,
    hence the leavers): without industrial vacancies, not one exit more, draw for draw."""
    no_vacancy = [*TINY, "params.industry.hard_to_fill_rate_month=0"]
    base = _run(no_vacancy).timeseries_frame()
    lever = _run([*no_vacancy, *HR, "policies.hr_pooling.turnover_cut=0"]).timeseries_frame()
    assert lever["industrial_vacancies_filled_by_insertion"].sum() == 0
    for column in ("insertion_exits", "insertion_exits_employment"):
        np.testing.assert_array_equal(lever[column], base[column])


def test_hr_pooling_places_no_one_in_industry_without_the_trades():
    no_trade = [*TINY, "params.labour.industrial_trade_share_by_sector=[0,0,0,0]"]
    lever = _run([*no_trade, *HR]).timeseries_frame()
    assert lever["industrial_vacancies_filled_by_insertion"].sum() == 0
    assert lever["insertion_exits_employment"].sum() > 0


def test_hr_pooling_fills_vacancies_and_books_training_it_used():
    base = _run(TINY).timeseries_frame()
    lever = _run([*TINY, *HR]).timeseries_frame()
    filled = "industrial_vacancies_filled_by_insertion"
    assert lever[filled].sum() > base[filled].sum()
    assert lever["public_cost_hr_pooling_eur"].iloc[-1] > 0


@pytest.mark.parametrize(("value", "message"), [
    ("[2,0,0,0]", "2.0 is out of range; allowed: 0.0 <= value <= 1.0"),
    ("[0.2,0]", "2 values given; allowed: exactly 4"),
])
def test_trade_shares_are_checked_with_one_line(value, message):
    with pytest.raises(ConfigError) as error:
        load_config([f"params.labour.industrial_trade_share_by_sector={value}"])
    assert "params.labour.industrial_trade_share_by_sector" in str(error.value)
    assert message in str(error.value)
