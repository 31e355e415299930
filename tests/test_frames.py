"""Output frames built through Arrow (sim.frames): the events frame takes its freshly built
columns as they are (issue 20: a national 50-year run's peak memory), yet is the frame the
plain Arrow conversion gives, writable; the model's series are copied, so a frame handed out
does not move with the run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.api import build_model
from sim.frames import strings, tagged_frame


def _columns() -> dict:
    return {"month": np.arange(6, dtype=np.int64), "kind": strings(["a", "b"] * 3),
            "share": np.linspace(0, 1, 6)}


def test_owned_columns_give_the_plain_conversions_frame():
    tags = {"seed": 7, "levers": "land_trust,matchmaking"}
    owned = tagged_frame(_columns(), tags, owned=True)
    plain = pa.table(_columns() | {"seed": np.full(6, 7), "levers": pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(6, np.int32)), pa.array(["land_trust,matchmaking"],
                                                  pa.large_string()))}).to_pandas()
    pd.testing.assert_frame_equal(owned, plain, check_exact=True)
    assert list(owned.columns) == ["month", "kind", "share", "seed", "levers"]


def test_every_column_of_the_events_frame_can_be_assigned():
    model = build_model(["territory=classroom", "horizon_months=12", "progress=false"]).run()
    events = model.events_frame()
    for column in events.columns:
        events.loc[0, column] = events[column].iloc[-1]
    assert (events.iloc[0] == events.iloc[-1]).all()


def test_a_frame_handed_out_does_not_move_with_the_run():
    model = build_model(["territory=classroom", "horizon_months=24", "progress=false"])
    for _ in range(12):
        model.step()
    series, events = model.timeseries_frame(), model.events_frame()
    kept_series, kept_events = series.copy(), events.copy()
    series.loc[0, "ess_jobs_total"] = -1.0  # and what a user changes stays in the frame
    kept_series.loc[0, "ess_jobs_total"] = -1.0
    for _ in range(12):
        model.step()
    pd.testing.assert_frame_equal(series, kept_series, check_exact=True)
    pd.testing.assert_frame_equal(events, kept_events, check_exact=True)
    assert model.timeseries_frame().loc[0, "ess_jobs_total"] > 0
