"""Mesa's own tools on the model: `mesa.batch_run` gives the same headline outcomes as the
Parquet tables a run writes (`python -m sim`'s outputs), seed for seed."""

import mesa
import pandas as pd

from sim.api import run_to_directory
from sim.config import compose_config
from sim.experiments.reduce import HEADLINES
from sim.model import EcosystemModel

MONTHS = 4
SEEDS = (1, 2)


def test_batch_run_matches_the_parquet_tables(tmp_path):
    results = mesa.batch_run(EcosystemModel,
                             parameters={"territory": "tiny", "horizon_months": MONTHS,
                                         "policies": "[land_trust]"},
                             rng=list(SEEDS), max_steps=MONTHS, display_progress=False)
    assert len(results) == len(SEEDS)
    by_seed = {int(row["rng"]): row for row in results}
    assert set(by_seed) == set(SEEDS)
    headline_columns = sorted({c for o in HEADLINES for c in o.columns if o.how == "final"})
    for seed in SEEDS:
        cfg = compose_config(["territory=tiny", f"horizon_months={MONTHS}",
                              "policies=[land_trust]", f"seed={seed}", "progress=false"])
        run_to_directory(cfg, tmp_path / str(seed))
        last = pd.read_parquet(tmp_path / str(seed) / "timeseries.parquet").iloc[-1]
        row = by_seed[seed]
        assert row["Step"] == MONTHS and row["month"] == last["month"] == MONTHS - 1
        for column in [*headline_columns, "public_cost_land_trust_eur"]:
            assert row[column] == last[column], column
