"""Calibration with Optuna: find the parameter values that bring the baseline's validation figures
into their target bands (`sim.validation.CHECKS`), and say how well the data pin them down.

    python -m sim.calibrate --param params.labour.other_matching_efficiency=0.1:0.9 \\
        --target exit_employment --target exit_durable --seeds 3 --trials 20 \\
        --out outputs/calibration/labour territory=tiny horizon_months=24

Loss of a trial (a point of the parameters): over the chosen checks, the squared distance of the
mean across seeds to the centre of the check's band, in half-widths of the band,

    loss = Σ_checks ((mean − (low + high)/2) / ((high − low)/2))²,

so a check at the edge of its band adds 1 and the loss is ≤ the number of checks when all pass.
A check the runs cannot measure (too short a run, no observation) adds `UNMEASURED` (3 half
widths squared). Each seed is `sim.validation.observe` on the baseline with `seed=k` (k = 0 to
seeds − 1, the same seeds at every point: common random numbers make points comparable).

The study (Optuna's TPE sampler, seeded) is stored in `<out>/study.journal` (Optuna's journal
file, no database server): rerunning the same command resumes it up to `--trials` complete
trials: complete trials are kept, a trial cut short runs again at its point, the sampler goes on
from the trials stored (a resumed study samples other points than an uninterrupted one would,
never the same ones twice; each trial, given its point, is deterministic). It writes
`<out>/calibration/best.yaml` (the best point as a config file: `python -m sim --config-dir <out>
+calibration=best`), `<out>/report.md` and `<out>/report.json` (the fit at the best point per
check with its 95% interval over seeds; per parameter its best value, the range of the values
within 1 of the best loss and the rank correlation of value and loss: identifiability), and one
figure per parameter, `<out>/figures/loss_<parameter>.png` (loss against value, every trial).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

from sim.config import ConfigError, load_config
from sim.extras import missing_extra_line
from sim.validation import CHECKS, WEIGHT, observe, summarise

if TYPE_CHECKING:  # Optuna (the 'design' extra) is imported where used: without it, one line
    import optuna

UNMEASURED = 9.0  # (3 half-widths)²: a check without observation counts as well outside its band
STUDY = "calibration"
NEAR_BEST = 1.0  # trials within this loss of the best show how far a parameter may move


@dataclass(frozen=True)
class Parameter:
    """A model parameter searched between `low` and `high` (uniform)."""

    path: str
    low: float
    high: float

    @classmethod
    def parse(cls, text: str) -> Parameter:
        path, _, bounds = text.partition("=")
        low, _, high = bounds.partition(":")
        try:
            parameter = cls(path, float(low), float(high))
        except ValueError:
            raise ConfigError("--param", f"'{text}' is not PATH=LOW:HIGH; allowed: e.g. "
                              "params.labour.other_matching_efficiency=0.1:0.9") from None
        if not path or not parameter.low < parameter.high:
            raise ConfigError("--param", f"'{text}': the range must be LOW < HIGH")
        return parameter


def loss(rows: Sequence[dict]) -> float:
    """The documented loss of a point from its per-check rows (`fit`)."""
    total = 0.0
    for row in rows:
        if row["n"] == 0 or not math.isfinite(row["mean"]):
            total += UNMEASURED
            continue
        centre, half = (row["low"] + row["high"]) / 2, (row["high"] - row["low"]) / 2
        total += ((row["mean"] - centre) / half) ** 2
    return total


def fit(per_seed: Sequence[dict], targets: Sequence[str]) -> list[dict]:
    """Per chosen check: band, mean and 95% interval across seeds, and whether it passes."""
    rows = []
    for check in (c for c in CHECKS if c.key in targets):
        weights = [figures.get(f"{check.key}{WEIGHT}", 1.0) for figures in per_seed]
        summary = summarise([figures.get(check.key, np.nan) for figures in per_seed], weights)
        rows.append({"key": check.key, "target": check.target, "low": check.low,
                     "high": check.high, **summary,
                     "pass": summary["n"] > 0 and check.low <= summary["mean"] <= check.high})
    return rows


def evaluate(point: dict[str, float], seeds: int, overrides: Sequence[str],
             targets: Sequence[str]) -> list[dict]:
    """Run the baseline at `point` over seeds 0..seeds−1 and measure the chosen checks."""
    fixed = [*overrides, *(f"{path}={value!r}" for path, value in point.items())]
    return fit([observe([f"seed={seed}", *fixed]) for seed in range(seeds)], targets)


def check_setup(parameters: Sequence[Parameter], targets: Sequence[str],
                overrides: Sequence[str]) -> None:
    """Fail in one line before any run: an unknown target, or a parameter the model's config
    refuses at either end of its range."""
    known = [c.key for c in CHECKS]
    unknown = [t for t in targets if t not in known]
    if unknown or not targets:
        raise ConfigError("--target", f"{unknown or 'none given'}; allowed: {', '.join(known)}")
    for parameter in parameters:
        for value in (parameter.low, parameter.high):
            load_config([*overrides, f"{parameter.path}={value!r}"])


def open_study(out: Path, sampler_seed: int) -> optuna.Study:
    """The study stored in `out` (created, or resumed); trials an interruption left running are
    marked failed and their points queued again."""
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend
    from optuna.trial import TrialState

    out.mkdir(parents=True, exist_ok=True)
    storage = JournalStorage(JournalFileBackend(str(out / "study.journal")))
    study = optuna.create_study(study_name=STUDY, storage=storage, direction="minimize",
                                load_if_exists=True)
    # A resumed sampler seeded as the first would propose the first trials' points again.
    study.sampler = optuna.samplers.TPESampler(seed=sampler_seed + len(study.trials))
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study.tell(trial.number, state=TrialState.FAIL)
        study.enqueue_trial(trial.params)
    return study


def calibrate(parameters: Sequence[Parameter], targets: Sequence[str], out: Path,
              trials: int = 20, seeds: int = 3, overrides: Sequence[str] = (),
              sampler_seed: int = 0) -> dict:
    """Run the study up to `trials` complete trials, then write the calibrated config, the
    report and the figures. Returns the report's content."""
    import optuna

    check_setup(parameters, targets, overrides)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = open_study(out, sampler_seed)
    done = len(complete_trials(study))

    def objective(trial: optuna.Trial) -> float:
        point = {p.path: trial.suggest_float(p.path, p.low, p.high) for p in parameters}
        rows = evaluate(point, seeds, overrides, targets)
        trial.set_user_attr("fit", rows)
        value = loss(rows)
        print(f"[trial {trial.number}] loss {value:.3f} "
              + " ".join(f"{k}={v:.4g}" for k, v in point.items()), flush=True)
        return value

    if trials > done:
        study.optimize(objective, n_trials=trials - done)
    return write_outputs(study, parameters, out, seeds, overrides)


def complete_trials(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    from optuna.trial import TrialState

    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def identifiability(study: optuna.Study, parameter: Parameter) -> dict:
    """How well the loss pins a parameter: the range of its values among trials within
    NEAR_BEST of the best loss, as a share of the range the trials sampled, and Spearman's rank
    correlation of value and loss over all complete trials. A loss that does not change at all
    leaves the parameter unidentified whatever the values."""
    complete = complete_trials(study)
    values = np.array([t.params[parameter.path] for t in complete])
    losses = np.array([t.value for t in complete])
    near = values[losses <= losses.min() + NEAR_BEST]
    sampled = values.max() - values.min()
    share = float((near.max() - near.min()) / sampled) if sampled > 0 else 1.0
    flat = bool(np.ptp(losses) <= 1e-12)
    rho = math.nan if flat or sampled == 0 else float(stats.spearmanr(values, losses).statistic)
    if flat:
        verdict = "not identified: the loss does not change"
    else:
        verdict = "well identified" if share <= 0.25 else (
            "weakly identified" if share <= 0.6 else "not identified by these targets")
    return {"path": parameter.path, "low": parameter.low, "high": parameter.high,
            "best": float(study.best_params[parameter.path]),
            "near_best_min": float(near.min()), "near_best_max": float(near.max()),
            "near_best_share_of_sampled": share, "near_best_trials": int(near.size),
            "spearman_value_loss": rho, "verdict": verdict}


def write_outputs(study: optuna.Study, parameters: Sequence[Parameter], out: Path, seeds: int,
                  overrides: Sequence[str]) -> dict:
    best = study.best_trial
    report = {
        "trials": len(complete_trials(study)),
        "seeds": seeds, "overrides": list(overrides), "best_loss": best.value,
        "best_trial": best.number, "best_params": best.params,
        "fit": best.user_attrs["fit"],
        "identifiability": [identifiability(study, p) for p in parameters],
    }
    (out / "calibration").mkdir(exist_ok=True)
    (out / "calibration" / "best.yaml").write_text(_config_file(best.params, best.value))
    (out / "report.json").write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    (out / "report.md").write_text(_markdown(report))
    _figures(study, parameters, out / "figures")
    return report


def _config_file(params: dict[str, float], value: float) -> str:
    """The best point as a Hydra config file, nested as the model's config."""
    from omegaconf import OmegaConf

    tree = OmegaConf.create()
    for path, number in sorted(params.items()):
        OmegaConf.update(tree, path, float(number), force_add=True)
    return (f"# @package _global_\n# Calibrated by python -m sim.calibrate (loss {value:.4g}); "
            f"use: python -m sim --config-dir <this folder's parent> +calibration=best\n"
            + OmegaConf.to_yaml(tree))


def _markdown(report: dict) -> str:
    lines = [f"# Calibration: {report['trials']} trials × {report['seeds']} seeds",
             "", f"Best loss {report['best_loss']:.3f} (trial {report['best_trial']}); model "
             f"overrides: {' '.join(report['overrides']) or 'none'}.", "",
             "## Fit at the best point", "",
             "| check | target | band | model (95% CI over seeds) | in band |",
             "| --- | --- | --- | --- | --- |"]
    for row in report["fit"]:
        model = (f"{row['mean']:.3g} [{row['ci_low']:.3g} ; {row['ci_high']:.3g}]"
                 if row["n"] else "not measured")
        lines.append(f"| {row['key']} | {row['target']} | {row['low']:.3g}–{row['high']:.3g} "
                     f"| {model} | {'yes' if row['pass'] else 'no'} |")
    lines += ["", "## Identifiability", "",
              f"Values within {NEAR_BEST:g} of the best loss, as a share of the range the trials "
              "sampled, and Spearman's rank correlation of value and loss over all trials.", "",
              "| parameter | range | best | near-best values | share of sampled | ρ | verdict |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for row in report["identifiability"]:
        lines.append(f"| {row['path']} | {row['low']:.3g}–{row['high']:.3g} | {row['best']:.3g} "
                     f"| {row['near_best_min']:.3g}–{row['near_best_max']:.3g} "
                     f"({row['near_best_trials']} trials) "
                     f"| {row['near_best_share_of_sampled']:.0%} "
                     f"| {row['spearman_value_loss']:.2f} | {row['verdict']} |")
    return "\n".join(lines) + "\n"


def _figures(study: optuna.Study, parameters: Sequence[Parameter], folder: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(exist_ok=True)
    complete = complete_trials(study)
    for parameter in parameters:
        fig, ax = plt.subplots(figsize=(5, 3.2))
        ax.scatter([t.params[parameter.path] for t in complete], [t.value for t in complete],
                   s=14, color="#3465a4")
        ax.axvline(study.best_params[parameter.path], color="#cc0000", lw=1, label="best")
        ax.set_xlabel(parameter.path)
        ax.set_ylabel("loss (band half-widths²)")
        ax.set_xlim(parameter.low, parameter.high)
        ax.legend(frameon=False)
        fig.tight_layout()
        fig.savefig(folder / f"loss_{parameter.path.rsplit('.', 1)[-1]}.png", dpi=110,
                    metadata={"Software": None})
        plt.close(fig)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sim.calibrate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--param", action="append", required=True, metavar="PATH=LOW:HIGH",
                        help="a parameter and its search range (repeat for several)")
    parser.add_argument("--target", action="append", required=True, metavar="CHECK",
                        help="a validation check to fit (sim.validation.CHECKS; repeat)")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--sampler-seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True,
                        help="the study's folder; rerun with the same folder to resume")
    parser.add_argument("overrides", nargs="*", help="model overrides for every run")
    args = parser.parse_args(argv)
    try:
        if args.trials < 1 or args.seeds < 1:
            raise ConfigError("--trials/--seeds", "must be at least 1")
        report = calibrate([Parameter.parse(p) for p in args.param], args.target, args.out,
                           args.trials, args.seeds, args.overrides, args.sampler_seed)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    except ModuleNotFoundError as error:
        print(missing_extra_line(error, ("optuna",), "python -m sim.calibrate", "design"),
              file=sys.stderr)
        sys.exit(2)
    print(f"best loss {report['best_loss']:.3f}: {report['best_params']}")
    print(f"Report: {args.out / 'report.md'}")


if __name__ == "__main__":
    main()
