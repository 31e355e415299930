"""The README's and docs/experiments.md's experiment commands, executed as written, small.

Each `python -m sim.experiments ...` example runs for real, with its own overrides untouched,
on the synthetic backend (contract-shaped outputs in milliseconds) and with two seeds unless
the example sets the seeds itself. A command the docs show but Hydra refuses (as
`hydra.sweeper.params.seed=...` once was) fails here. Commands that need a cluster (Slurm, Ray,
submitit) are documented in the Launchers section and not run.
"""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli_help import EXPERIMENTS, MODEL, show_help_if_asked

ROOT = Path(__file__).resolve().parents[1]
DOCS = (ROOT / "README.md", ROOT / "docs" / "experiments.md")
# Small sizes added to a command unless it sets the key itself.
SMALL = {
    "experiment.backend": "synthetic",
    "seed": "range(0,2)",
    "hydra/launcher": "basic",
    "hydra.callbacks.experiment.report": "false",
}
SMALL_DESIGN = {  # the sensitivity experiment's design, when the example runs it
    "experiment.sensitivity.morris.trajectories": "2",
    "experiment.sensitivity.sobol.base_samples": "2",
}


def _commands() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        text = text.split("## Launchers")[0]  # cluster launchers: not runnable here
        for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
            for line in block.splitlines():
                command = line.split("  #")[0].strip()
                runs = command == "python -m sim.experiments" or command.startswith(
                    ("python -m sim.experiments ", "python -m sim.experiments.report "))
                if runs and "hydra.sweep.dir=/tmp/bench" not in command and command not in {
                        c for _, c in found}:
                    found.append((doc.name, command))
    return found


COMMANDS = _commands()


def test_the_docs_show_the_commands_this_test_runs():
    shown = [c for _, c in COMMANDS]
    assert "python -m sim.experiments 'seed=range(0,5)'" in shown  # fewer replications
    assert any(c.startswith("python -m sim.experiments.report ") for c in shown)
    readme = DOCS[0].read_text(encoding="utf-8")
    assert "python3.12 -m venv --clear .venv" in readme
    assert "report.fr.html" in readme and "report/report.html" not in readme
    assert 'pip install -e ".[test]" && bash .ci/install-browser.sh && python -m pytest' in readme


def _key(arg: str) -> str:
    return arg.lstrip("+~").partition("=")[0]


@pytest.mark.parametrize("doc,command", [c for c in COMMANDS if ".report " not in c[1]],
                         ids=lambda v: v if "/" not in v else None)
def test_documented_experiment_command_runs(doc, command, tmp_path):
    args = shlex.split(command)[3:]
    keys = {_key(a) for a in args}
    sizes = SMALL | (SMALL_DESIGN if "+experiment=sensitivity" in args else {})
    small = [f"{k}={v}" for k, v in sizes.items() if k not in keys]
    if "seed" in keys:  # the example sets the seeds: keep them, build its report
        small = [s for s in small if not s.startswith("hydra.callbacks")]
    sweep = tmp_path / "sweep"
    run = subprocess.run(
        [sys.executable, "-m", "sim.experiments", *args, *small, f"hydra.sweep.dir={sweep}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    statuses = list((sweep / "runs").rglob("status.json"))
    assert statuses and all('"complete"' in p.read_text() for p in statuses)
    if "seed" in keys:
        first, last = re.search(r"seed=range\((\d+),(\d+)\)", command).groups()
        assert len({p.parent.name for p in statuses}) == int(last) - int(first)
        assert (sweep / "report" / "report.fr.html").exists()
        assert "Building the report" in run.stdout and "Report: " in run.stdout
        assert "#0 :" not in run.stdout  # no list of every job before the progress


def test_documented_report_command_rebuilds_in_english(tmp_path):
    command = next(c for _, c in COMMANDS if ".report " in c)
    args = shlex.split(command)[3:]
    sweep = tmp_path / "sweep"
    subprocess.run([sys.executable, "-m", "sim.experiments", "territory=tiny",
                    "experiment.backend=synthetic", "seed=range(0,2)", "arm=baseline,land_trust",
                    "hydra/launcher=basic", "hydra.callbacks.experiment.report=false",
                    f"hydra.sweep.dir={sweep}"], cwd=tmp_path, check=True, capture_output=True)
    args = [str(sweep) if a.startswith("outputs/") else a for a in args]
    run = subprocess.run([sys.executable, "-m", "sim.experiments.report", *args],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (sweep / "report" / "report.en.html").exists()


@pytest.mark.parametrize("text", [MODEL, EXPERIMENTS], ids=["sim", "sim.experiments"])
def test_help_is_short_and_has_examples(text, capsys):
    with pytest.raises(SystemExit) as stop:
        show_help_if_asked(text, ["territory=tiny", "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m sim") and "Examples:" in out
    assert len(out.splitlines()) < 45
    show_help_if_asked(text, ["territory=tiny"])  # no flag: returns, prints nothing
    assert capsys.readouterr().out == ""


def test_experiments_help_from_the_command_line():
    run = subprocess.run([sys.executable, "-m", "sim.experiments", "--help"],
                         capture_output=True, text=True, timeout=120)
    # the fixed help, then what the selected experiment sweeps (arms, seeds, launchers)
    assert run.returncode == 0 and run.stdout.startswith(EXPERIMENTS)
