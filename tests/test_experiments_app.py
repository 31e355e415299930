"""`python -m sim.experiments` behaves like a Hydra app: --cfg, --info, --help and shell
completion work; the project's plugins are found in an editable install; a launcher whose extra
is missing is refused in one line."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sim.config import ConfigError
from sim.plugins import check_launcher_installed

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args, env=None, cwd=ROOT, module="sim.experiments", timeout=300):
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, check=False,
                          env=os.environ | {"PYTHONPATH": str(ROOT)} | (env or {}))


@pytest.mark.parametrize(("args", "name"), [
    ((), "compare"),
    (("+experiment=dose_response",), "dose_response"),
    (("experiment=factorial",), "factorial"),
])
def test_cfg_prints_the_selected_experiment(args, name):
    done = _cli(*args, "--cfg", "job", "--package", "experiment.name")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == name


def test_cfg_hydra_shows_a_multirun_with_the_project_sweeper():
    done = _cli("--cfg", "hydra")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "mode: MULTIRUN" in done.stdout
    assert "hydra_plugins.ess_sim.first_job_sweeper.FirstJobSweeper" in done.stdout


def test_info_lists_the_defaults():
    done = _cli("--info", "defaults")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "experiment/compare" in done.stdout


def test_help_describes_the_selected_experiment():
    done = _cli("+experiment=dose_response", "--help")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "This experiment (dose_response):" in done.stdout
    assert "arm=baseline,land_trust_25,land_trust_50,land_trust_75,land_trust_100" in done.stdout
    assert "seed=range(0,20)" in done.stdout and "experiment.lang=fr" in done.stdout
    assert "launcher: ResilientJoblibLauncher" in done.stdout


@pytest.mark.parametrize(("module", "line", "expected"), [
    ("sim.experiments", "ess-sim-experiments territory=ti", "territory=tiny"),
    ("sim", "ess-sim scenario=rec", "scenario=recession"),
])
def test_shell_completion_answers(module, line, expected):
    done = _cli("-sc", "query=bash", module=module, env={"COMP_LINE": line})
    assert done.returncode == 0, done.stderr[-2000:]
    assert expected in done.stdout.split()


# The project's part of the `hydra_plugins` namespace importable, as an editable install makes
# it, through an import hook that Hydra's listing of the namespace does not see.
EDITABLE = textwrap.dedent("""
    import importlib.abc, importlib.machinery, runpy, sys
    root, module = sys.argv[1], sys.argv[2]
    sys.path[:] = [p for p in sys.path if p not in ("", root)]

    class Editable(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name == "sim":
                return importlib.machinery.PathFinder.find_spec(name, [root])
            if name == "hydra_plugins.ess_sim":
                return importlib.machinery.PathFinder.find_spec(name, [root + "/hydra_plugins"])
            return None

    sys.meta_path.insert(0, Editable())
    import hydra_plugins
    # the project's folder is not on the namespace's path (the venv may live inside the root)
    assert root + "/hydra_plugins" not in [str(p).rstrip("/") for p in hydra_plugins.__path__]
    sys.argv = [module, *sys.argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
""")


def test_project_launcher_from_python_m_sim_in_an_editable_install(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", EDITABLE, str(ROOT), "sim", "--multirun",
         "hydra/launcher=resilient_joblib", "hydra.launcher.n_jobs=1", "territory=tiny",
         "horizon_months=2", "progress=false", "seed=1", f"hydra.sweep.dir={tmp_path / 's'}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Unknown plugin class" not in done.stderr
    assert (tmp_path / "s" / "0" / "manifest.json").is_file()


# An install without the `cluster` extra: Hydra's plugin namespace without the submitit launcher
# (Hydra lists it folder by folder), and submitit not importable.
WITHOUT_SUBMITIT = textwrap.dedent("""
    import importlib.abc, os, runpy, sys, tempfile
    import hydra_plugins

    site = os.path.join(tempfile.mkdtemp(), "hydra_plugins")
    os.mkdir(site)
    for folder in [p for p in hydra_plugins.__path__ if os.path.isdir(p)]:
        for entry in os.listdir(folder):
            if entry != "hydra_submitit_launcher" and not os.path.exists(f"{site}/{entry}"):
                os.symlink(os.path.join(folder, entry), os.path.join(site, entry))
    hydra_plugins.__path__ = [site]

    class NoSubmitit(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name.startswith(("submitit", "hydra_plugins.hydra_submitit_launcher")):
                raise ModuleNotFoundError(f"No module named {name!r}")
            return None

    sys.meta_path.insert(0, NoSubmitit())
    sys.argv = ["sim.experiments", *sys.argv[1:]]
    runpy.run_module("sim.experiments", run_name="__main__", alter_sys=True)
""")


def test_a_launcher_without_its_extra_is_refused_with_the_extra_to_install(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_SUBMITIT, "hydra/launcher=resilient_submitit_local",
         "experiment.backend=synthetic", f"hydra.sweep.dir={tmp_path / 's'}"],
        cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=300, check=False)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.strip() == (
        "error: hydra/launcher: 'resilient_submitit_local' needs the 'cluster' extra, which is "
        "not installed: pip install 'ess-territories-sim[cluster]' (from a checkout: "
        "pip install -e '.[cluster]')")
    assert not (tmp_path / "s").exists()


def test_the_default_launcher_is_checked_too(monkeypatch):
    monkeypatch.setattr("sim.plugins.package_missing", lambda package: True)
    with pytest.raises(ConfigError, match="'resilient_joblib' needs the 'experiments' extra"):
        check_launcher_installed(["seed=0,1"], "resilient_joblib")
    check_launcher_installed(["hydra/launcher=basic"], "resilient_joblib")  # basic: always there
