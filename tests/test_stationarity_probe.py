"""The stationarity probe (benchmarks/stationarity.py) reads the same stocks as the run's
timeseries, and its sales by market add up to the enterprises' sales."""

from __future__ import annotations

import numpy as np

from benchmarks import stationarity
from sim.api import run
from sim.validation import ZERO_TRENDS


def test_the_probe_matches_the_runs_timeseries():
    overrides = ("territory=classroom",)
    rows = stationarity.monthly((2, 6, overrides))
    ts = run(["progress=false", "seed=2", "horizon_months=6", *ZERO_TRENDS, *overrides]).timeseries
    assert [r["month"] for r in rows] == list(range(6))
    for key, column in (("structures", "ess_enterprises"), ("permanent", "ess_jobs_permanent"),
                        ("insertion", "ess_jobs_insertion"), ("adapted", "ess_jobs_adapted"),
                        ("failures", "ess_failures"), ("feedstock_won", "ess_feedstock_won_t")):
        np.testing.assert_array_equal([r[key] for r in rows], ts[column].to_numpy(), key)
    sold = np.array([r["households"] + r["businesses"] + r["industry"] + r["public"] for r in rows])
    np.testing.assert_allclose(sold, ts["ess_sales_eur"].to_numpy(), rtol=1e-9)
    assert all(0.0 <= r["covered"] <= 1.0 for r in rows)
    assert rows[0]["unclaimed"] == 0.0  # at start every pool is some structures' clients
    assert all(r["unserved"] >= 0.0 and r["buyer_jobs"] > 0.0 for r in rows)
    assert all(0 < r["collectors"] < r["structures"] for r in rows)
