"""`python -m sim.design [design=<name>] [key=value ...]`: search, robustness, discovery, report.

Re-running the same command on the same folder resumes: finished runs are read back, not run
again. Bad settings end in one line naming the field (exit 2)."""

from __future__ import annotations

import json
import shlex
import sys
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from sim.config.errors import ConfigError
from sim.design.batch import BatchFailed
from sim.design.config import Design, DesignError, load
from sim.extras import missing_extra_line

EXTRA = ("optuna", "ema_workbench")  # the design extra's libraries


def run_design(design: Design, log=print) -> Path:
    """Every stage, written into `design.out`; the folder."""
    from sim.design.discovery import failure_boxes
    from sim.design.evaluate import Evaluator
    from sim.design.report import write_reports, write_tables
    from sim.design.robust import chosen_packages, run_robustness
    from sim.design.search import run_search
    from sim.outputs import ensure_owned

    folder = Path(design.out)
    ensure_owned(folder, "out")
    _same_design(folder, design)
    evaluator = Evaluator(folder, design.model_overrides, design.n_jobs, design.launcher,
                          design.launcher_overrides)
    candidates = run_search(folder, design, evaluator, log)
    packages = chosen_packages(candidates, design)
    if packages:
        outcomes, scores = run_robustness(design, evaluator, packages, log)
        boxes = failure_boxes(outcomes, scores.package.iloc[0], design.robustness.parameters)
    else:  # nothing within budget: the report says so
        outcomes = scores = boxes = pd.DataFrame()
    write_tables(folder, {"candidates": candidates, "robustness": outcomes, "scores": scores,
                          "failure_boxes": boxes})
    for path in write_reports(folder, design):
        log(f"report: {path}")
    return folder


# How the runs are carried out, not what they are: a design may resume on another launcher.
HOW_TO_RUN = ("n_jobs", "launcher", "launcher_overrides")


def _same_design(folder: Path, design: Design) -> None:
    """A folder holds one design: resuming with other settings would mix their runs."""
    record = folder / "design.json"
    settings = {k: v for k, v in asdict(design).items() if k not in HOW_TO_RUN}
    if record.exists():
        recorded = json.loads(record.read_text())
        if {k: v for k, v in recorded.items() if k not in HOW_TO_RUN} != json.loads(
                json.dumps(settings)):
            raise DesignError(f"out={folder}: holds another design's runs; choose a new folder "
                              "or the same settings to resume")
    else:
        record.write_text(json.dumps(settings, indent=2, sort_keys=True) + "\n")


def main(argv: list[str]) -> int:
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    design = None
    try:
        design = load(argv)
        run_design(design)
    except (DesignError, ConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as error:
        print(missing_extra_line(error, EXTRA, "python -m sim.design", "design"), file=sys.stderr)
        return 2
    except BatchFailed as error:  # runs failed on the launcher: a rerun retries them
        print(f"error: {error}; resume the design (finished runs are read back, not run "
              f"again): {resume_command(argv, Path(design.out))}", file=sys.stderr)
        return 1
    return 0


def resume_command(argv: list[str], folder: Path) -> str:
    """The design's command again, its folder given in full (a relative `out=` or the
    default would not name it from elsewhere)."""
    args = [a for a in argv if not a.startswith("out=")]
    return shlex.join(["python", "-m", "sim.design", *args, f"out={folder.resolve()}"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
