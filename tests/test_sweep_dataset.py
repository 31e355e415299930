"""A sweep is one dataset: one schema per table, every row carrying its run, and the pandas,
polars and DuckDB one-liners of docs/experiments.md reading a whole sweep."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.experiments import dataset
from sim.experiments.arms import policies_override, resolve_arm
from sim.experiments.runner import BACKENDS, RunSpec, execute_run

ROOT = Path(__file__).resolve().parents[1]
MODEL = ("territory=tiny", "horizon_months=3", "progress=false")
# Two doses of one lever: their rows must tell them apart (both run `levers='land_trust'`).
ARMS = {"land_trust_25": {"policies": ["land_trust"], "dose": 0.25,
                          "overrides": ["policies.land_trust.intensity=0.25"]},
        "land_trust_100": {"policies": ["land_trust"], "dose": 1.0,
                           "overrides": ["policies.land_trust.intensity=1.0"]}}


def _run(sweep: Path, arm_name: str, seed: int, run_fn=BACKENDS["model"]) -> dict:
    arm = resolve_arm(arm_name, ARMS)
    overrides = (*MODEL, *arm.overrides, policies_override(arm.levers), f"seed={seed}")
    return execute_run(sweep / "runs" / f"arm={arm_name}" / f"seed={seed}",
                       RunSpec(arm, seed, overrides), run_fn, "model", sweep)


def _broken(overrides):
    raise RuntimeError("this run fails")


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    """Three arms of the model on the tiny territory, and one failed run."""
    folder = tmp_path_factory.mktemp("sweeps") / "dose_sweep"
    for arm in ("baseline", "land_trust_25", "land_trust_100"):
        assert _run(folder, arm, 0)["status"] == "complete"
    assert _run(folder, "baseline", 1, _broken)["status"] == "failed"
    return folder


def test_every_run_writes_one_schema_per_table(sweep):
    for name in dataset.TABLES:
        schemas = {str(pq.read_schema(p)) for p in sweep.glob(f"runs/*/*/{name}.parquet")}
        assert len(schemas) == 1, name
    ts = pq.read_schema(next(sweep.glob("runs/arm=baseline/*/timeseries.parquet")))
    from sim.policies import REGISTRY

    assert {f"public_cost_{lever}_eur" for lever in REGISTRY} <= set(ts.names)
    assert ts.field("ess_jobs_total").type == pa.int64()
    assert ts.field("ess_enterprises").type == pa.int64()
    assert ts.field("industrial_jobs").type == pa.float64()  # a modelled stock, not a count
    assert ts.field("date").type == pa.date32()


def test_load_sweep_reads_complete_runs_with_their_identity(sweep):
    import sim.experiments

    tables = sim.experiments.load_sweep(sweep)
    ts, terr, events = tables["timeseries"], tables["territories"], tables["events"]
    assert sorted(ts.arm.unique()) == ["baseline", "land_trust_100", "land_trust_25"]
    assert (ts.sweep == "dose_sweep").all() and (ts.seed == 0).all()  # the failed run is out
    assert ts.groupby("arm").dose.first().fillna(-1).to_dict() == {
        "baseline": -1, "land_trust_25": 0.25, "land_trust_100": 1.0}
    assert ts["sample"].isna().all() and str(ts["sample"].dtype) == "Int64"
    assert (ts[ts.arm == "baseline"].public_cost_land_trust_eur == 0).all()
    assert (ts[ts.arm == "land_trust_100"].public_cost_land_trust_eur > 0).any()
    assert ts.date.tolist()[:3] == list(pd.to_datetime(["2025-01-01", "2025-02-01",
                                                        "2025-03-01"]))
    assert list(terr.density_class.cat.categories[:3]) == ["dense", "intermediate", "relaxed"]
    assert events.kind.dtype == "category"
    ties = events[events.kind == "new_tie"]
    assert len(ties) and ties.firm.notna().all() and ties.detail.isna().all()
    tenders = events[events.kind == "tender_won"]
    assert set(tenders.detail) <= {"open", "reserved"} and tenders.firm.isna().all()
    assert set(tenders.buyer) <= {"state", "regions", "departements", "intercommunalities"}
    assert events[events.kind != "tender_won"].buyer.isna().all()
    # the values are the run's own: final ESS jobs as the run's summary says
    summary = pd.read_json(sweep / "runs/arm=land_trust_25/seed=0/summary.json", typ="series")
    final = ts[ts.arm == "land_trust_25"].sort_values("month").ess_jobs_total.iloc[-1]
    assert final == summary["final"]["ess_jobs_total"]


def _one_liners() -> dict[str, str]:
    """The `ts = ...` lines of docs/experiments.md's one-liner block, by library."""
    text = (ROOT / "docs" / "experiments.md").read_text()
    block = re.search(r"<!-- one-liners -->\n```python\n(.*?)```", text, re.S).group(1)
    found = {}
    for line in block.splitlines():
        if line.startswith("ts = "):
            found[line.rsplit("# ", 1)[1].strip()] = line.split("  #")[0]
    return found


def test_the_documented_one_liners_read_the_whole_sweep(sweep):
    lines = _one_liners()
    assert set(lines) == {"pandas", "polars", "DuckDB"}
    want = dataset.load_sweep(sweep, ("timeseries",))["timeseries"]
    import glob

    import duckdb
    import polars as pl

    for library, line in lines.items():
        scope = {"pd": pd, "pl": pl, "duckdb": duckdb, "glob": glob, "sweep": str(sweep)}
        exec(line, scope)
        got = scope["ts"]
        got = got.to_pandas() if isinstance(got, pl.DataFrame) else got
        got = got.sort_values(["arm", "month"]).reset_index(drop=True)
        expected = want.sort_values(["arm", "month"]).reset_index(drop=True)
        assert list(got.columns) == list(expected.columns), library
        assert got.arm.tolist() == expected.arm.tolist(), library
        assert np.array_equal(got.ess_jobs_total.to_numpy(np.int64),
                              expected.ess_jobs_total.to_numpy(np.int64)), library
        assert str(got.ess_jobs_total.dtype).lower() in {"int64", "int64[pyarrow]"}, library


def test_conform_refuses_what_would_break_the_schema():
    run = dataset.RunIdentity("s", "baseline", 0)
    fractional = pd.DataFrame({"month": [0], "ess_jobs_total": [1.5]})
    with pytest.raises(ValueError, match="ess_jobs_total: a count with a fractional value"):
        dataset.conform({"timeseries": fractional}, run, 2025, ())
    events = pd.DataFrame({"month": [0], "kind": ["entry"], "details": ["colour=blue"]})
    with pytest.raises(ValueError, match="unknown keys \\['colour'\\]"):
        dataset.conform({"events": events}, run, 2025, ())


def test_the_sweep_id_names_what_the_runs_share():
    from omegaconf import OmegaConf

    from sim.experiments.runner import sweep_id

    cfg = OmegaConf.create({"experiment": {"name": "compare", "arms": {"a": ["land_trust"]}}})
    one = sweep_id(cfg, ["arm=baseline", "seed=0", "territory=tiny"])
    assert one.startswith("compare-") and len(one) == len("compare-") + 10
    assert sweep_id(cfg, ["seed=3", "arm=a", "territory=tiny"]) == one  # another run, same sweep
    assert sweep_id(cfg, ["arm=baseline", "seed=0", "territory=drome"]) != one
    other = OmegaConf.create({"experiment": {"name": "compare", "arms": {"a": ["impact_vat"]}}})
    assert sweep_id(other, ["arm=baseline", "seed=0", "territory=tiny"]) != one


def test_replay_reproduces_a_sweep_run_byte_for_byte(sweep, tmp_path):
    from sim.replay import replay

    matches = replay(sweep / "runs/arm=land_trust_25/seed=0/manifest.json", tmp_path / "again")
    assert set(matches) == {f"{t}.parquet" for t in dataset.TABLES} | {"summary.json"}
    assert all(matches.values()), matches


def _row_by_row_details(values: pd.Series) -> dict[str, pa.Array]:
    """The event details computed on every row (what `dataset._details` did before it computed
    each distinct value once): the reference its results must equal."""
    import pyarrow.compute as pc

    columns = {"detail": []} | {column: [] for column, _ in dataset.KEYED_DETAILS.values()}
    for text in values.astype(str):
        parts = text.split(";") if text else []
        label = parts[0] if parts and "=" not in parts[0] else None
        keyed = dict(part.split("=", 1) for part in parts if "=" in part)
        columns["detail"].append(label)
        for name, (column, _) in dataset.KEYED_DETAILS.items():
            columns[column].append(keyed.get(name))
    out = {"detail": pa.array(columns["detail"], pa.string())}
    for column, kind in dataset.KEYED_DETAILS.values():
        out[column] = pc.cast(pa.array(columns[column], pa.string()), kind)
    return out


@pytest.mark.parametrize("seed", range(5))
def test_details_and_classes_per_distinct_value_equal_row_by_row(seed):
    """Computing the event columns once per distinct value and taking them back to the rows
    gives the same arrays (values, nulls, types) and the same Parquet bytes as row by row."""
    import io

    import pyarrow.compute as pc

    rng = np.random.default_rng(seed)
    pool = ["", "open", "overdraft", "firm=12", "firm=7", "employed=3", "from=69123",
            "from=01001", "employed=0", "reserved;buyer=state", "open;buyer=regions",
            "open;buyer=intercommunalities"]
    n = int(rng.integers(0, 400))
    details = pd.Series(rng.choice(pool, n), dtype=str)
    kinds = pd.Series(rng.choice(["new_tie", "entry", "not_a_known_kind"], n), dtype=str)
    fast, slow = dataset._details(details), _row_by_row_details(details)
    assert list(fast) == list(slow)
    for column in slow:
        assert fast[column].type == slow[column].type
        assert fast[column].equals(slow[column]), column
    strings = pa.array(kinds.astype(str), pa.string())
    known = list(dataset.CATEGORIES["kind"])
    categories = pa.array(known + sorted(set(pc.unique(strings).to_pylist()) - set(known)))
    slow_kind = pa.DictionaryArray.from_arrays(pc.index_in(strings, value_set=categories),
                                               categories)
    fast_kind = dataset._categorical("kind", kinds)
    assert fast_kind.equals(slow_kind)

    def parquet(columns):
        buffer = io.BytesIO()
        pq.write_table(pa.table(columns), buffer, compression="zstd")
        return buffer.getvalue()

    assert parquet(fast | {"kind": fast_kind}) == parquet(slow | {"kind": slow_kind})
