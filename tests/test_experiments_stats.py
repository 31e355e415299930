"""Paired statistics of the experiments against hand computations."""

import math

import numpy as np
import pandas as pd
import pytest

from sim.experiments.stats import factorial_effects, fieller_ratio, mean_ci, paired_difference

T_975_4 = 2.7764451051977987  # Student t quantile, 97.5 %, 4 degrees of freedom (tables: 2.776)


def test_mean_ci_matches_hand_computation():
    # x = 1,2,3,4,6: mean 3.2, sum of squared deviations 14.8, variance 3.7, se = sqrt(3.7/5)
    e = mean_ci([1, 2, 3, 4, 6])
    half = T_975_4 * math.sqrt(3.7 / 5)
    assert e.n == 5
    assert e.value == pytest.approx(3.2)
    assert (e.low, e.high) == pytest.approx((3.2 - half, 3.2 + half), rel=1e-12)
    assert (e.low, e.high) == pytest.approx((0.81161, 5.58839), abs=1e-5)


def test_mean_ci_degenerate_sizes():
    assert math.isnan(mean_ci([]).value)
    one = mean_ci([5.0])
    assert one.value == 5.0 and math.isnan(one.low) and one.n == 1


def test_paired_difference_pairs_by_seed_not_by_position():
    base = pd.Series([10.0, 20.0, 30.0, 40.0, 50.0, 60.0], index=[0, 1, 2, 3, 4, 5])
    # arm listed in another order, seed 5 missing: differences are 1,2,3,4,6 by seed
    arm = pd.Series([44.0, 11.0, 56.0, 22.0, 33.0], index=[3, 0, 4, 1, 2])
    e = paired_difference(arm, base)
    assert e.n == 5
    assert e.value == pytest.approx(3.2)
    assert e.low == pytest.approx(3.2 - T_975_4 * math.sqrt(3.7 / 5))


def test_pairing_removes_common_noise():
    rng = np.random.default_rng(1)
    common = rng.normal(0, 100, 20)  # what every arm shares under common random numbers
    base = pd.Series(common)
    arm = pd.Series(common + 5 + rng.normal(0, 1, 20))
    paired = paired_difference(arm, base)
    unpaired = mean_ci(arm).high - mean_ci(arm).low
    assert paired.low > 0
    assert paired.high - paired.low < unpaired / 20


def test_fieller_with_exact_denominator_is_the_t_interval_scaled():
    num = np.array([1.0, 2.0, 3.0, 4.0, 6.0]) * 1000
    den = np.full(5, 2.0)
    e = fieller_ratio(num, den)
    half = T_975_4 * math.sqrt(3.7 / 5) * 1000 / 2
    assert e.value == pytest.approx(1600)
    assert (e.low, e.high) == pytest.approx((1600 - half, 1600 + half))


def test_fieller_bounds_solve_the_defining_equation():
    rng = np.random.default_rng(3)
    den = rng.normal(10, 2, 20)
    num = 5000 * den + rng.normal(0, 3000, 20)
    e = fieller_ratio(num, den)
    a, b = num.mean(), den.mean()
    cov = np.cov(num, den, ddof=1) / 20
    t2 = 2.0930240544083096**2  # t quantile, 97.5 %, 19 degrees of freedom
    for r in (e.low, e.high):
        lhs = (a - r * b) ** 2
        rhs = t2 * (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1])
        assert lhs == pytest.approx(rhs, rel=1e-9)
    assert e.low < e.value < e.high


def test_fieller_is_unbounded_when_the_denominator_may_be_zero():
    den = np.array([-1.0, 2.0, -2.0, 1.5, 0.1])
    e = fieller_ratio(np.full(5, 100.0), den)
    assert math.isinf(e.low) and math.isinf(e.high)


def test_factorial_effects_recover_main_effects_and_interactions():
    factors = ["a", "b", "c"]
    cells = {}
    block = np.array([0.0, 7.0, -3.0, 11.0])  # seed effect shared by every cell of a seed
    for bits in range(8):
        on = frozenset(f for i, f in enumerate(factors) if bits >> i & 1)
        x = {f: 1 if f in on else -1 for f in factors}
        cells[on] = 10 + 2 * x["a"] + 3 * x["b"] + 1 * x["a"] * x["b"] + block
    result = dict(factorial_effects(pd.DataFrame(cells), factors))
    # effect = mean(high) − mean(low) = twice the ±1 coefficient
    assert result["a"].value == pytest.approx(4)
    assert result["b"].value == pytest.approx(6)
    assert result["c"].value == pytest.approx(0)
    assert result["a×b"].value == pytest.approx(2)
    assert result["a×c"].value == pytest.approx(0)
    assert result["a"].n == 4
    assert result["a"].high - result["a"].low == pytest.approx(0, abs=1e-9)
