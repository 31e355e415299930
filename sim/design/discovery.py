"""Stage 3: scenario discovery — PRIM (EMA Workbench's implementation) over the conditions the
robust package was judged in, looking for a box of scenario and parameter values where it FAILS
to reach the target. Coverage: the share of all failures the box holds; density: the share of
conditions in the box that fail. The box kept is the one of PRIM's peeling trajectory with the
highest coverage among those at least `DENSITY_THRESHOLD` dense (else the densest). With few
sampled conditions boxes are coarse: `robustness.parameter_samples` sets how finely they can be
drawn. Scenarios enter as one 0/1 column each ("scenario=recession"), which PRIM can peel."""

from __future__ import annotations

import logging
import warnings

import pandas as pd

DENSITY_THRESHOLD = 0.8
COLUMNS = ["box", "dimension", "low", "high", "coverage", "density", "failures", "conditions"]


def failure_boxes(outcomes: pd.DataFrame, package: str, parameters: list[str]) -> pd.DataFrame:
    """One row per dimension the failure box restricts; empty when the package never fails or
    always fails (no box then separates failure from success)."""
    mine = outcomes[outcomes.package == package].reset_index(drop=True)
    fails = ~mine.meets_target.to_numpy(dtype=bool)
    if fails.all() or not fails.any():
        return pd.DataFrame(columns=COLUMNS)
    x = mine[[p for p in parameters if p in mine]].astype(float)
    for scenario in sorted(mine.scenario.unique()):
        x[f"scenario={scenario}"] = (mine.scenario == scenario).astype(float)
    box = _prim_box(x, fails)
    return _rows(box, x, fails)


def _prim_box(x: pd.DataFrame, fails):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("EMA").setLevel(logging.ERROR)
        from ema_workbench.analysis import prim

        box = prim.Prim(x, fails).find_box()
    trajectory = box.peeling_trajectory
    dense = trajectory[trajectory.density >= DENSITY_THRESHOLD]
    box.select(int(dense.coverage.idxmax() if len(dense) else trajectory.density.idxmax()))
    return box


def _rows(box, x: pd.DataFrame, fails) -> pd.DataFrame:
    limits = box.box_lims[box._cur_box]
    stats = {"box": 1, "coverage": float(box.coverage), "density": float(box.density),
             "failures": int(fails.sum()), "conditions": len(fails)}
    rows = [{"dimension": column, "low": float(limits[column].iloc[0]),
             "high": float(limits[column].iloc[1])} | stats
            for column in limits.columns
            if limits[column].iloc[0] > x[column].min() or limits[column].iloc[1] < x[column].max()]
    return pd.DataFrame(rows or [{"dimension": "(all conditions)", "low": None, "high": None}
                                 | stats], columns=COLUMNS)
