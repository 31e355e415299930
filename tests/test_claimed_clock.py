"""A user's `hydra.run.dir=...${now:...}` (or `hydra.sweep.dir=`) names one folder, the claimed
one, however slowly Hydra composes (issue 17).

The folder is composed once to be checked and claimed, and again by Hydra; a command-line
override beats the config the claim hands Hydra, so before the claim's clock the user's
`${now:...}` was resolved anew and, a second boundary in between, Hydra wrote into a folder
nobody claimed. Hydra's clock here ticks one second at every call, so that any second reading
names another folder.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import sys
from datetime import datetime, timedelta

import hydra.core.utils
import pytest

PATTERN = "${now:%Y%m%d-%H%M%S}"


class TickingClock:
    """`datetime` whose `now()` is one second later at every call."""

    ticks = itertools.count()

    @classmethod
    def now(cls) -> datetime:
        return datetime(2030, 1, 1) + timedelta(seconds=next(cls.ticks))


@pytest.fixture(autouse=True)
def _process_state_restored():
    """These tests run a command's `main()` in the test process: the command leaves what it sets
    up for its own process (the experiments' schema under the model's schema name in Hydra's
    ConfigStore, the frozen `now` resolver); later tests must find what a fresh process has."""
    from sim.config.compose import register_schema

    yield
    register_schema()
    hydra.core.utils.setup_globals()  # Hydra's own `now` resolver again


def _main(module, argv, tmp_path, monkeypatch):
    monkeypatch.setattr(hydra.core.utils, "datetime", TickingClock)
    monkeypatch.setattr(sys, "argv", list(argv))
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            contextlib.suppress(SystemExit):
        module.main()
    assert sys.argv == argv  # the command line is left alone
    return out.getvalue() + err.getvalue()


def _one_folder(parent):
    folders = sorted(parent.iterdir())
    assert len(folders) == 1, folders  # one folder: the claimed one, where the outputs are
    assert folders[0].name.startswith("at-") and "$" not in folders[0].name
    return folders[0]


@pytest.mark.parametrize("multirun", [False, True])
def test_a_users_now_folder_is_the_claimed_one(tmp_path, monkeypatch, multirun):
    import sim.__main__ as app

    key = "sweep" if multirun else "run"
    argv = ["sim", *(["-m"] if multirun else []), "territory=tiny", "horizon_months=1",
            *(["seed=1,2"] if multirun else []), f"hydra.{key}.dir=mine/at-{PATTERN}"]
    said = _main(app, argv, tmp_path, monkeypatch)
    folder = _one_folder(tmp_path / "mine")
    manifests = sorted(folder.rglob("manifest.json"))
    assert [json.loads(m.read_text())["status"] for m in manifests] == (
        ["complete"] * (2 if multirun else 1)), said


def test_an_experiment_sweep_in_a_users_now_folder(tmp_path, monkeypatch):
    from sim.experiments import runner

    argv = ["sim.experiments", "+experiment=compare", "experiment.backend=synthetic",
            "hydra/launcher=basic", "arm=baseline", "seed=0,1",
            "hydra.callbacks.experiment.report=false", f"hydra.sweep.dir=mine/at-{PATTERN}"]
    said = _main(runner, argv, tmp_path, monkeypatch)
    folder = _one_folder(tmp_path / "mine")
    statuses = [json.loads(p.read_text())["status"] for p in folder.rglob("status.json")]
    assert statuses == ["complete"] * 2, said
    assert json.loads((folder / "sweep.json").read_text())["total"] == 2
