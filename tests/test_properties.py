"""Property-based tests over the config space: any accepted config runs without NaN, negative
stocks or broken conservation (the model asserts conservation every month)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.api import build_model

RANGES = {  # a sample of parameters across markets and brakes, within their declared ranges
    "params.economy.growth_step": (0.0, 2.0),
    "params.economy.growth_trigger": (0.5, 3.0),
    "params.economy.utilisation_at_start": (0.1, 1.0),
    "params.economy.price_elasticity": (0.0, 5.0),
    "params.premises.private_acceptance": (0.0, 1.0),
    "params.premises.max_rent_share": (0.0, 1.0),
    "params.mutual_ignorance.discovery_rate_month": (0.0, 1.0),
    "params.competition.unit_cost_premium": (0.0, 2.0),
    "params.feedstock.conventional_demand_ratio": (0.0, 100.0),
    "params.feedstock.price_elasticity": (0.0, 20.0),
    "params.finance.base_approval": (0.0, 1.0),
    "params.human_resources.support_turnover_month": (0.0, 1.0),
    "scenario.demand_growth_yr": (-0.2, 0.2),
    "scenario.interest_rate_yr": (0.0, 0.3),
    "scenario.rent_inflation_yr": (-0.1, 0.2),
}
BRAKES = ("mutual_ignorance", "competition", "finance", "premises", "human_resources")


@st.composite
def configs(draw):
    keys = draw(st.lists(st.sampled_from(sorted(RANGES)), min_size=1, max_size=5, unique=True))
    overrides = [f"{k}={draw(st.floats(*RANGES[k], allow_nan=False)):.6g}" for k in keys]
    for brake in draw(st.lists(st.sampled_from(BRAKES), max_size=2, unique=True)):
        overrides.append(f"params.{brake}.enabled=false")
    return [*overrides, f"seed={draw(st.integers(0, 2**31))}"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_any_accepted_config_runs_clean(overrides):
    model = build_model(["territory=tiny", "horizon_months=12", *overrides])
    while model.running:
        model.step()  # asserts money and floor conservation and non-negative cash each month
    frame = model.timeseries_frame().drop(columns=["levers"])
    assert np.isfinite(frame.to_numpy(dtype=float)).all()
    e = model.enterprises
    assert (e.permanent >= 0).all() and (e.insertion >= 0).all() and (e.adapted >= 0).all()
    assert (model.ledger.territory_floor >= -1e-6).all()
    assert (model.ledger.site_floor >= -1e-6).all()
