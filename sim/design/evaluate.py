"""Paired evaluation of lever packages: each candidate and the baseline run on the same seeds
under the same condition (common random numbers), and the differences are what is compared.

Runs go through `sim.api.run` in local joblib processes (`launcher=local`), or as sweeps of
`python -m sim.experiments` on one of the project's launchers (`sim.design.batch`); each result
is appended to the design folder's `evaluations.jsonl` as soon as its batch ends, keyed by the
run's overrides, so nothing is computed twice and a killed design resumes from the file (and,
on a launcher, from the sweep folders).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from joblib import Parallel, delayed

from sim.design.config import LOCAL, TAX_MEASURE, DesignError, payer_measure
from sim.design.targets import ALL_TERRITORIES, target_overrides
from sim.outcomes import PAYERS, TAX_EXPENDITURES, payer_cost

EVALUATIONS = "evaluations.jsonl"
# Per run: what the objectives and the budget need (public cost to date by payer included, and
# the part of the State's that is a tax expenditure, `sim.outcomes.TAX_EXPENDITURES`).
TAX = "tax_expenditure_eur"
MEASURES = ("job_years", "exits_durable", "scaled_up", "lever_cost_eur", "aid_cost_eur",
            *(payer_cost(p) for p in PAYERS), TAX)


@dataclass(frozen=True)
class Package:
    """A lever package: per lever (intensity, start month, target: `sim.design.targets`);
    levers at intensity 0 are off and left out."""

    levers: tuple[tuple[str, float, int, str], ...]

    @property
    def label(self) -> str:
        if not self.levers:
            return "baseline"
        return " + ".join(f"{name} {dose:g}" + (f" @{start}m" if start else "")
                          + ("" if where == ALL_TERRITORIES else f" [{where}]")
                          for name, dose, start, where in self.levers)

    def overrides(self) -> list[str]:
        names = ",".join(name for name, *_ in self.levers)
        out = [f"policies=[{names}]"]
        for name, dose, start, where in self.levers:
            out += [f"policies.{name}.intensity={dose}", f"policies.{name}.start_month={start}",
                    *target_overrides(name, where)]
        return out


BASELINE = Package(())


@dataclass(frozen=True)
class Condition:
    """Where a package is judged: a scenario and values of uncertain parameters."""

    scenario: str = "central"
    parameters: tuple[tuple[str, float], ...] = ()

    @property
    def key(self) -> str:
        return ";".join([self.scenario, *(f"{k}={v:.6g}" for k, v in self.parameters)])

    def overrides(self) -> list[str]:
        return [f"scenario={self.scenario}", *(f"{k}={v!r}" for k, v in self.parameters)]


CENTRAL = Condition()


def run_key(overrides: Sequence[str]) -> str:
    return " ".join(overrides)


def _measure(overrides: list[str]) -> dict:
    """One run's measures (in a worker process)."""
    from sim.api import run

    result = run(overrides)
    return measures(result.summary, result.timeseries)


def measures(summary: dict, timeseries: pd.DataFrame) -> dict:
    """What the design reads of a run: its summary and monthly series (in memory, or read back
    from a sweep's run folder)."""
    missing = sorted({payer_cost(p) for p in PAYERS} - set(timeseries.columns))
    if missing:  # a run folder written before that payer existed: its costs cannot be split
        raise DesignError(f"a run of this design has no {', '.join(missing)} (written by an "
                          "older version); run the design in a new out= folder")
    final = timeseries.iloc[-1]
    return {
        "job_years": float(summary["job_years_ess"]),
        "exits_durable": float(timeseries["insertion_exits_durable"].sum()),
        "scaled_up": float(final["ess_scaled_up"]),
        "lever_cost_eur": float(sum(summary["public_cost_by_lever_eur"].values())),
        "aid_cost_eur": float(summary["public_cost_baseline_eur"]),
        "months": int(summary["months"]),
        TAX: float(sum(v for k, v in summary["public_cost_by_lever_eur"].items()
                       if k in TAX_EXPENDITURES)),
    } | {payer_cost(p): float(final[payer_cost(p)]) for p in PAYERS}


class Store:
    """The design folder's record of every run: overrides -> measures."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / EVALUATIONS
        self.rows: dict[str, dict] = {}
        if self.path.exists():
            for line in self.path.read_text().splitlines():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:  # the last line of a killed design
                    continue
                if all(m in row for m in MEASURES):  # else recorded before a measure existed
                    self.rows[row["key"]] = row

    def missing(self, runs: Iterable[list[str]]) -> list[list[str]]:
        seen, out = set(self.rows), []
        for overrides in runs:
            key = run_key(overrides)
            if key not in seen:
                seen.add(key)
                out.append(overrides)
        return out

    def add(self, overrides: list[str], measured: dict) -> None:
        self.add_key(run_key(overrides), measured)

    def add_key(self, key: str, measured: dict) -> None:
        row = {"key": key} | measured
        self.rows[key] = row
        with self.path.open("a") as file:
            file.write(json.dumps(row, sort_keys=True) + "\n")


class Evaluator:
    """Runs what the store lacks, in parallel, and returns paired differences."""

    def __init__(self, folder: Path, model_overrides: Sequence[str], n_jobs: int,
                 launcher: str = LOCAL, launcher_overrides: Sequence[str] = ()):
        self.folder = Path(folder)
        self.store = Store(folder)
        self.model_overrides = list(model_overrides)
        self.n_jobs = n_jobs
        self.launcher = launcher
        self.launcher_overrides = list(launcher_overrides)

    def _overrides(self, package: Package, condition: Condition, seed: int) -> list[str]:
        return [*self.model_overrides, *condition.overrides(), *package.overrides(),
                f"seed={seed}"]

    def ensure(self, packages: Iterable[Package], conditions: Iterable[Condition],
               seeds: Sequence[int]) -> None:
        """Run every (package and baseline) × condition × seed not yet in the store."""
        runs = [self._overrides(p, c, s) for c in conditions
                for p in (BASELINE, *packages) for s in seeds]
        todo = self.store.missing(runs)
        if not todo:
            return
        if self.launcher == LOCAL:
            results = Parallel(n_jobs=self.n_jobs)(delayed(_measure)(o) for o in todo)
            for overrides, measured in zip(todo, results, strict=True):
                self.store.add(overrides, measured)
        else:
            self._on_launcher(todo)

    def _on_launcher(self, todo: list[list[str]]) -> None:
        """Read back what earlier sweeps finished, launch the rest as sweeps, read them back."""
        from sim.design import batch

        self._read_back(todo)
        todo = self.store.missing(todo)
        if todo:
            batch.launch(self.folder, self.model_overrides, todo, self.launcher,
                         self.launcher_overrides)
            self._read_back(todo)
        lost = self.store.missing(todo)
        if lost:
            raise batch.BatchFailed(
                f"launcher={self.launcher}: {len(lost)} of {len(todo)} runs did not complete "
                f"(see status.json under {self.folder / batch.SWEEPS}); run the design again "
                "to retry them")

    def _read_back(self, todo: list[list[str]]) -> None:
        from sim.design import batch

        wanted = {run_key(o) for o in todo} - set(self.store.rows)
        for key, measured in sorted(batch.harvest(self.folder, wanted, measures).items()):
            self.store.add_key(key, measured)

    def paired(self, package: Package, condition: Condition, seeds: Sequence[int]) -> pd.DataFrame:
        """Per seed: the package's measures minus the baseline's (lever cost is the package's
        own), and the yearly public cost (lever money plus induced aid), in total and by
        payer."""
        rows = []
        for seed in seeds:
            mine = self.store.rows[run_key(self._overrides(package, condition, seed))]
            base = self.store.rows[run_key(self._overrides(BASELINE, condition, seed))]
            diff = {m: mine[m] - base[m] for m in MEASURES}
            diff["lever_cost_eur"] = mine["lever_cost_eur"]
            years = mine["months"] / 12
            spent = diff["lever_cost_eur"] + diff["aid_cost_eur"]
            diff["public_cost_eur_per_year"] = spent / years
            for payer in PAYERS:  # the same paired euros, by who bears them
                diff[payer_measure(payer)] = diff.pop(payer_cost(payer)) / years
            diff[TAX_MEASURE] = diff.pop(TAX) / years  # of the State's, revenue forgone
            rows.append({"seed": seed} | diff)
        return pd.DataFrame(rows)
