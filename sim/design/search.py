"""Stage 1: NSGA-II (Optuna) over lever packages under a yearly public budget.

Objectives, on the mean of paired differences over the design's seeds: net ESS job-years and
durable insertion exits (maximised), public cost per year — lever money plus the aid the extra
posts draw — (minimised). A package over budget is infeasible (Optuna's constraint): NSGA-II
ranks feasible packages first; a cap per payer (State, Regions...) is one more constraint.
Each generation's sampler is seeded from the design seed and the generation's number, so the
same design gives the same packages; the study lives in the design folder (Optuna's journal
file), so a killed design resumes: the packages it was evaluating are asked again and their
finished runs are read from the store, not run again.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import optuna
import pandas as pd
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState

from sim.design.config import (
    TAX_MEASURE,
    Design,
    budget_excess,
    payer_measure,
    within_budget,
)
from sim.design.evaluate import CENTRAL, Evaluator, Package
from sim.design.targets import ALL_TERRITORIES
from sim.experiments.stats import mean_ci
from sim.outcomes import PAYERS
from sim.vocabulary import DENSITY_CLASSES

STUDY = "study.journal"
DIRECTIONS = ("maximize", "maximize", "minimize")
OBJECTIVES = ("job_years", "exits_durable", "public_cost_eur_per_year")
REPORTED = (*OBJECTIVES, "scaled_up", "lever_cost_eur", *(payer_measure(p) for p in PAYERS),
            TAX_MEASURE)

optuna.logging.set_verbosity(logging.WARNING)


def suggest(trial: optuna.Trial, design: Design) -> Package:
    """A package from the design's space (intensity 0 = lever off; a lever that takes no
    targeting, as the national VAT, acts everywhere; targets: `sim.design.targets`)."""
    space, levers = design.space, []
    for name in design.space.levers:
        dose = trial.suggest_categorical(f"{name}.intensity", space.intensity)
        start = trial.suggest_categorical(f"{name}.start_month", space.start_months)
        where = (trial.suggest_categorical(f"{name}.target", space.targets)
                 if targetable(name) else ALL_TERRITORIES)
        if dose > 0:
            levers.append((name, float(dose), int(start), str(where)))
    return Package(tuple(levers))


@cache
def targetable(lever: str) -> bool:
    """Whether the lever's parameters accept a territorial target."""
    from sim.config.errors import ConfigError
    from sim.policies import REGISTRY
    from sim.policies.base import Targeting

    try:
        REGISTRY[lever].Params(target=Targeting(density_classes=[DENSITY_CLASSES[0]]))
    except ConfigError:
        return False
    return True


def _study(folder: Path, design: Design, generation: int) -> optuna.Study:
    sampler = optuna.samplers.NSGAIISampler(
        population_size=design.search.population, seed=design.search.seed * 1000 + generation)
    storage = JournalStorage(JournalFileBackend(str(folder / STUDY)))
    return optuna.create_study(study_name=design.name, storage=storage, sampler=sampler,
                               directions=list(DIRECTIONS), load_if_exists=True)


def _complete(study: optuna.Study) -> int:
    return sum(t.state == TrialState.COMPLETE for t in study.get_trials(deepcopy=False))


def _requeue_interrupted(study: optuna.Study) -> None:
    """Trials asked before a kill and never told: failed, and their packages asked again (their
    runs are in the store, so this costs nothing)."""
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study.tell(trial.number, state=TrialState.FAIL)
        study.enqueue_trial(trial.params)


def run_search(folder: Path, design: Design, evaluator: Evaluator, log=print) -> pd.DataFrame:
    """Run the generations still missing; the table of every evaluated package."""
    target = design.search.population * design.search.generations
    _requeue_interrupted(_study(folder, design, 0))
    while (done := _complete(_study(folder, design, 0))) < target:
        study = _study(folder, design, generation=done // design.search.population)
        trials = [study.ask() for _ in range(min(design.search.population, target - done))]
        packages = [suggest(t, design) for t in trials]
        evaluator.ensure(packages, [CENTRAL], design.seeds)
        for trial, package in zip(trials, packages, strict=True):
            means = evaluator.paired(package, CENTRAL, design.seeds).mean()
            trial.set_user_attr("package", package.label)
            for name, excess in budget_excess(means, design).items():
                trial.set_constraint(name, float(excess))
            study.tell(trial, [float(means[o]) for o in OBJECTIVES])
        log(f"search: {done + len(trials)}/{target} packages evaluated")
    return candidates_table(_study(folder, design, 0), design, evaluator)


def package_of(params: dict, design: Design) -> Package:
    """The package a finished trial stands for."""
    trial = optuna.trial.FixedTrial(params)
    return suggest(trial, design)


def candidates_table(study: optuna.Study, design: Design, evaluator: Evaluator) -> pd.DataFrame:
    """One row per distinct package: objectives with 95 % intervals over the paired seeds,
    feasibility and whether it is on the Pareto front of the feasible packages."""
    rows, seen = [], set()
    # `trial`: the package's place in the order of evaluation (complete trials only), not
    # Optuna's trial number: a design killed mid-batch fails and asks again the trials it was
    # evaluating, which shifts their numbers but not that order (same tables as unkilled).
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    for order, trial in enumerate(complete):
        package = package_of(trial.params, design)
        if package in seen:
            continue
        seen.add(package)
        table = evaluator.paired(package, CENTRAL, design.seeds)
        row = {"package": package.label, "trial": order, "n_levers": len(package.levers)}
        for measure in REPORTED:
            est = mean_ci(table[measure])
            row |= {measure: est.value, f"{measure}_low": est.low, f"{measure}_high": est.high}
        row["feasible"] = bool(within_budget(row, design))
        rows.append(row | {"params": dict(trial.params)})
    frame = pd.DataFrame(rows)
    frame["pareto"] = pareto_front(frame)
    return frame.sort_values(["pareto", "job_years"], ascending=False, ignore_index=True)


def pareto_front(frame: pd.DataFrame) -> pd.Series:
    """Feasible packages no other feasible package beats on every objective (at least as good
    on all, better on one)."""
    signs = {"job_years": 1, "exits_durable": 1, "public_cost_eur_per_year": -1}
    feasible = frame[frame.feasible]
    values = {o: feasible[o] * s for o, s in signs.items()}
    front = pd.Series(False, index=frame.index)
    for i in feasible.index:
        better_eq = pd.concat([values[o] >= values[o][i] for o in signs], axis=1).all(axis=1)
        strictly = pd.concat([values[o] > values[o][i] for o in signs], axis=1).any(axis=1)
        front[i] = not (better_eq & strictly).any()
    return front
