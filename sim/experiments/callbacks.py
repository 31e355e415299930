"""Hydra callback bracketing an experiment sweep: the plan before, the report after.

Before any job starts it writes `<sweep_dir>/sweep.json` (the exact command, and every run the
sweep plans, so that the progress counter knows N and the report can name missing runs); after
the last job it builds the report and prints "Report: <path>". Both happen in the launching
process, whatever launcher runs the jobs. After each job, where the job runs, it drops the
configs Hydra would otherwise send back and keep, so the launching process stays flat.
"""

import json
import shlex
import sys
from pathlib import Path

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.utils import JobReturn
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from hydra_plugins.ess_sim.first_job_sweeper import job_overrides
from sim.experiments.arms import arm_name
from sim.experiments.runner import PROGRESS, SWEEP_INFO


def planned_runs(config: DictConfig) -> list[dict]:
    """Expand the sweep as Hydra's basic sweeper does; one {arm, seed, sample} per job."""
    params = config.hydra.sweeper.get("params") or {}
    overrides = [f"{k}={v}" for k, v in params.items()] + list(config.hydra.overrides.task)
    parsed = OverridesParser.create().parse_overrides(overrides)
    runs = []
    for job in job_overrides(parsed):
        values = dict(o.lstrip("+~").partition("=")[::2] for o in job)
        if "arm" in values:
            arm = values["arm"]
        elif "policies" in values:
            arm = arm_name(v for v in values["policies"].strip("[]").split(",") if v)
        else:
            arm = str(config.arm)
        sample = values.get("sample", config.get("sample"))
        runs.append({"arm": arm, "seed": int(values.get("seed", config.seed)),
                     "sample": None if sample is None else int(sample)})
    return runs


def _command() -> str:
    main = Path(sys.argv[0])
    program = (["python", "-m", "sim.experiments"] if main.parent.name == "experiments"
               else ["python", str(main)])
    return shlex.join(program + sys.argv[1:])


class ExperimentCallback(Callback):
    """Writes the sweep plan at the start and the report (in `lang`) at the end."""

    def __init__(self, lang: str = "fr", report: bool = True) -> None:
        self.lang = lang
        self.report = report

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        runs = planned_runs(config)
        info = {"experiment": str(config.experiment.get("name", "")), "command": _command(),
                "total": len(runs), "expected": runs}
        (sweep_dir / SWEEP_INFO).write_text(json.dumps(info, indent=2))
        (sweep_dir / PROGRESS).write_text("")

    def on_job_end(self, config: DictConfig, job_return: JobReturn, **kwargs) -> None:
        """Slim what a job hands back to the launching process, which keeps every job's return
        until the sweep ends: with the job's config and Hydra's (about 300 KB per run once
        unpickled) a 10,000-run sweep would hold gigabytes. Runs where the job runs, before the
        return is sent; Hydra calls this callback after those declared later. Nothing in the
        launching process reads them: each run's config is in its manifest.json."""
        job_return.cfg = None
        job_return.hydra_cfg = None

    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        """Build the report; if that fails, say so in one line and end the sweep with exit
        status 1 (Hydra turns a callback's exception into a warning and exits 0)."""
        if not self.report:
            return
        from sim.experiments.report import ReportFailed, build_report_or_explain, figure_workers

        try:
            path = build_report_or_explain(Path(config.hydra.sweep.dir), self.lang,
                                           figure_workers())
        except ReportFailed as failure:
            print(f"error: {failure}", file=sys.stderr, flush=True)
            raise SystemExit(1) from None
        print(f"Report: {path}", flush=True)
