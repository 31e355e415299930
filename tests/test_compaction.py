"""Compaction of the growing tables (issue #20, item 1): outputs are unchanged, byte for byte,
whether tables are compacted every month or never, and compaction keeps rows in order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim import compaction
from sim.policies import REGISTRY
from sim.state import loan_table

ALL_LEVERS = f"policies=[{','.join(sorted(REGISTRY))}]"


def test_compact_keeps_order_serials_and_zeroes_the_freed_rows():
    table = loan_table(4)
    table.append(5, open=True, enterprise=[10, 11, 12, 13, 14], outstanding=1.0)
    table.compact(np.array([False, True, False, True, True]))
    assert table.enterprise.tolist() == [11, 13, 14]
    assert table.serial.tolist() == [1, 3, 4]
    table.append(1, enterprise=15)  # unspecified columns of a reused row start at zero
    assert table.open.tolist() == [True, True, True, False]
    assert table.outstanding.tolist() == [1.0, 1.0, 1.0, 0.0]
    assert table.appended == 6
    assert table.rows_since(4).tolist() == [2, 3]  # serials 4 and 5
    assert table.rows_since(6).size == 0


def _run(monkeypatch, min_dead: float, share: float) -> tuple[dict, object]:
    from sim.api import build_model

    monkeypatch.setattr(compaction, "MIN_DEAD", min_dead)
    monkeypatch.setattr(compaction, "DEAD_SHARE", share)
    model = build_model(["territory=classroom", "horizon_months=36", ALL_LEVERS]).run()
    frames = {"timeseries": model.timeseries_frame(), "territories": model.territory_frame(),
              "events": model.events_frame()}
    return frames, model


def test_outputs_are_the_same_compacted_every_month_or_never(monkeypatch):
    compacted, model = _run(monkeypatch, 0, 0.0)
    # the tables did shrink: fewer rows held than ever appended
    for table in (model.ties, model.world.contracts, model.loans):
        assert table.n < table.appended
    never, kept = _run(monkeypatch, np.inf, np.inf)
    assert kept.ties.n == kept.ties.appended
    for name, frame in compacted.items():
        pd.testing.assert_frame_equal(frame, never[name], check_exact=True)
    # levers that read the tables (impact_finance's new loans) reach the same enterprises
    assert ([(p.name, p.reached_total) for p in model.policies]
            == [(p.name, p.reached_total) for p in kept.policies])
