"""A sweep is one dataset: every run's tables share one schema per table and carry their run.

A run of the model writes its tables for itself (`sim.outputs`): the lever cost columns of the
levers it ran, counts as floats, classes as plain strings, event details as text. A sweep writes
them conformed (`conform`), so that the files of every run of a sweep read as one table with
pandas, polars, DuckDB or Arrow without a schema option:

- every row carries its run: `sweep` (`sim.experiments.runner.sweep_id`: the experiment's name
  and a digest of what its runs share), `arm`, `dose` (null when the arm has none), `sample`
  (null outside sensitivity sweeps), `seed`, and `levers`;
- the time series has a `public_cost_<lever>_eur` column for every lever the model knows, 0 when
  the lever is off;
- counts (jobs, enterprises, persons, ties, posts) are 64-bit integers, refused if not whole;
- classes (`density_class`, `archetype`, event `kind`) are categoricals over the full list of
  classes, so that pandas keeps them categorical when runs are concatenated;
- `date` is the first day of the simulated month;
- an event's details are columns: `detail` (a label: "open", "overdraft", ...), `firm`,
  `employed`, `from_territory` and `buyer` (who tendered a lot won: "state", "regions",
  "departements", "intercommunalities"), null where the event has none.

Run folders are hive-style, `runs/arm=<arm>/[sample=<s>/]seed=<k>/`, each holding one file per
table; `load_sweep` reads a sweep's complete runs back, docs/experiments.md shows the one-liners.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from sim import outcomes
from sim.events import EventKind
from sim.territories import ARCHETYPES, DENSITY_CLASSES

TABLES = ("timeseries", "territories", "events")
STATUS = "status.json"
IDENTITY = ("sweep", "arm", "dose", "sample", "seed", "levers")
# Units of whole numbers; the model's `industrial_jobs` is a modelled stock (fractional).
COUNT_UNITS = {"jobs", "enterprises", "enterprises/month", "persons/month", "posts/month", "ties"}
FRACTIONAL = {"industrial_jobs"}
COUNTS = frozenset(o.key for o in outcomes.OUTCOMES
                   if o.unit in COUNT_UNITS and o.key not in FRACTIONAL)
CATEGORIES = {"density_class": DENSITY_CLASSES, "archetype": ARCHETYPES,
              "kind": tuple(k.value for k in EventKind)}
# "key=value" event details and the typed column each key becomes (``buyer``: the ledger sector
# that tendered a lot won, ``sim.markets.procurement``).
KEYED_DETAILS = {"firm": ("firm", pa.int64()), "employed": ("employed", pa.int64()),
                 "from": ("from_territory", pa.string()), "buyer": ("buyer", pa.string())}
# Integer columns null on some rows, read as pandas' nullable Int64 rather than float.
NULLABLE_INTEGERS = ("sample", "firm", "employed")


@dataclass(frozen=True)
class RunIdentity:
    """What every row of a run's conformed tables says about the run."""

    sweep: str
    arm: str
    seed: int
    levers: tuple[str, ...] = ()
    dose: float | None = None
    sample: int | None = None

    def columns(self, rows: int) -> dict[str, pa.Array]:
        return {
            "sweep": _repeated(self.sweep, pa.string(), rows),
            "arm": _repeated(self.arm, pa.string(), rows),
            "dose": _repeated(self.dose, pa.float64(), rows),
            "sample": _repeated(self.sample, pa.int64(), rows),
            "seed": _repeated(self.seed, pa.int64(), rows),
            "levers": _repeated(",".join(self.levers), pa.string(), rows),
        }


def _repeated(value, kind: pa.DataType, rows: int) -> pa.Array:
    """`value` on every row, built in Arrow (a Python list of 100,000 rows costs 10 ms)."""
    return pa.repeat(pa.scalar(value, kind), rows)


def conform(tables: dict[str, pd.DataFrame], run: RunIdentity, start_year: int,
            levers: tuple[str, ...], counts: bool = True) -> dict[str, pa.Table]:
    """A run's tables in the sweep's schemas. `levers`: every lever the model knows (each gets
    its cost column); `counts`: cast the count columns to integers (the synthetic backend's
    stand-in counts are not whole numbers)."""
    return {name: _conform_table(name, frame, run, start_year, levers, counts)
            for name, frame in tables.items()}


def _conform_table(name: str, frame: pd.DataFrame, run: RunIdentity, start_year: int,
                   levers: tuple[str, ...], counts: bool) -> pa.Table:
    frame = frame.drop(columns=[c for c in IDENTITY if c in frame.columns])
    if name == "timeseries":
        frame = _all_lever_costs(frame, levers)
    columns: dict[str, pa.Array] = run.columns(len(frame))
    for column in frame.columns:
        values = frame[column]
        if column == "month":
            columns["month"] = pa.array(values.to_numpy(np.int64))
            columns["date"] = _dates(values.to_numpy(np.int64), start_year)
        elif column == "details":
            columns |= _details(values)
        elif column in CATEGORIES:
            columns[column] = _categorical(column, values)
        elif counts and column in COUNTS:
            columns[column] = pa.array(_whole(column, values.to_numpy()))
        else:
            columns[column] = pa.array(values, from_pandas=True)
    return pa.table(columns)


def _all_lever_costs(frame: pd.DataFrame, levers: tuple[str, ...]) -> pd.DataFrame:
    """Every lever's cost column, 0 for a lever off, sorted by lever, before the total."""
    costs = {outcomes.lever_cost(lever) for lever in levers} | {
        c for c in frame.columns if c.startswith("public_cost_") and c != outcomes.TOTAL
        and c != "public_cost_baseline_eur"}
    ordered = [c for c in frame.columns if c not in costs and c != outcomes.TOTAL]
    frame = frame.reindex(columns=[*ordered, *sorted(costs),
                                   *([outcomes.TOTAL] if outcomes.TOTAL in frame else [])])
    return frame.fillna(dict.fromkeys(costs, 0.0))


def _dates(months: np.ndarray, start_year: int) -> pa.Array:
    """The first day of each simulated month (month 0 is January of `start_year`)."""
    stamps = (np.datetime64(f"{start_year:04d}-01", "M") + months).astype("datetime64[D]")
    return pa.array(stamps, pa.date32())


def _categorical(column: str, values: pd.Series) -> pa.DictionaryArray:
    """Dictionary-encoded over the known classes (then any others, sorted): every run of a
    sweep then has the same categories."""
    distinct, rows = _distinct(values)
    known = list(CATEGORIES[column])
    others = set(distinct.to_pylist()) - set(known)
    categories = pa.array(known + sorted(others), pa.string())
    return pa.DictionaryArray.from_arrays(
        pc.index_in(distinct, value_set=categories).take(rows), categories)


def _distinct(values: pd.Series) -> tuple[pa.StringArray, pa.Array]:
    """A text column as its distinct values and each row's index into them: a sweep's event
    columns repeat a few thousand values over 100,000 rows or more, so what is computed per
    value is computed once per distinct value and taken back to the rows (the same values)."""
    encoded = pc.dictionary_encode(pa.array(values.astype(str), pa.string()))
    return encoded.dictionary, encoded.indices


def _whole(column: str, values: np.ndarray) -> np.ndarray:
    rounded = np.rint(values)
    if not np.array_equal(rounded, values):
        fraction = values[rounded != values][0]
        raise ValueError(f"{column}: a count with a fractional value ({fraction})")
    return rounded.astype(np.int64)


def _details(values: pd.Series) -> dict[str, pa.Array]:
    """`detail` (a label, null when the event has none) and one typed column per key of
    "key=value" details. A detail is parts separated by ";": the label first if there is one,
    then keyed values (a tender won: "reserved;buyer=state")."""
    text, rows = _distinct(values)
    parts = pc.list_flatten(pc.split_pattern(text, ";"))
    keys = pc.list_element(pc.split_pattern(pc.filter(parts, pc.match_substring(parts, "=")),
                                            "=", max_splits=1), 0)
    unknown = set(pc.unique(keys).to_pylist()) - set(KEYED_DETAILS)
    if unknown:
        raise ValueError(f"events.details: unknown keys {sorted(unknown)}; "
                         f"known: {sorted(KEYED_DETAILS)}")
    out = {"detail": _part(text, r"^(?P<v>[^;=]+)(?:;|$)")}
    for name, (column, kind) in KEYED_DETAILS.items():
        out[column] = pc.cast(_part(text, f"(?:^|;){name}=(?P<v>[^;]*)"), kind)
    return {column: values.take(rows) for column, values in out.items()}


def _part(text: pa.StringArray, pattern: str) -> pa.Array:
    """The group ``v`` of ``pattern`` in each text, null where it does not match."""
    found = pc.extract_regex(text, pattern)
    return pc.if_else(pc.is_valid(found), pc.struct_field(found, [0]),
                      pa.scalar(None, pa.string()))


def sweep_tables(result, run: RunIdentity, levers: tuple[str, ...],
                 counts: bool) -> tuple[dict[str, pa.Table], dict]:
    """A run result's tables conformed, and the record of how (kept in the run's manifest as
    `sweep_run`, so that `python -m sim.replay` conforms its rerun the same way)."""
    from sim.config import SimConfig

    start_year = result.manifest.get("config", {}).get("start_year", SimConfig.start_year)
    tables = conform({name: getattr(result, name) for name in TABLES}, run, start_year,
                     levers, counts)
    record = {"identity": asdict(run), "levers": list(levers), "counts": counts}
    return tables, record


def replayed_tables(result, record: dict) -> dict[str, pa.Table]:
    """A rerun's tables conformed as the manifest's `sweep_run` record says."""
    identity = dict(record["identity"], levers=tuple(record["identity"]["levers"]))
    tables, _ = sweep_tables(result, RunIdentity(**identity), tuple(record["levers"]),
                             bool(record["counts"]))
    return tables


# --- reading a sweep ----------------------------------------------------------------------------

def complete_runs(sweep_dir: Path) -> list[Path]:
    """The folders of a sweep's complete runs, in a fixed order."""
    found = []
    for status in sorted(Path(sweep_dir, "runs").rglob(STATUS)):
        if json.loads(status.read_text()).get("status") == "complete":
            found.append(status.parent)
    return found


def load_sweep(sweep_dir: str | Path, tables: tuple[str, ...] = TABLES) -> dict[str, pd.DataFrame]:
    """Every complete run's tables, one DataFrame per table (counts as integers, classes as
    categoricals, `date` as datetime64, `sample`, `firm` and `employed` as pandas' nullable
    Int64). Runs that failed or did not finish are left out: their status is in
    `runs/.../status.json` and in the report."""
    runs = complete_runs(Path(sweep_dir))
    loaded = {}
    for name in tables:
        files = [str(run / f"{name}.parquet") for run in runs]
        if not files:
            loaded[name] = pd.DataFrame()
            continue
        frame = ds.dataset(files, format="parquet").to_table().to_pandas(date_as_object=False)
        nullable = [c for c in NULLABLE_INTEGERS if c in frame.columns]
        loaded[name] = frame.astype(dict.fromkeys(nullable, "Int64"))
    return loaded
