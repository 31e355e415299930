"""`python -m sim` writes into the folder it claimed, however long composing takes.

The run folder's name holds ``${now:...}``: composed once to claim the folder and again by Hydra,
it could name two folders a second apart (a slow label or a loaded machine), leaving the outputs
in a folder nobody claimed and the claimed one empty.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import sys
from datetime import datetime, timedelta

import hydra.core.utils


class TickingClock:
    """``datetime`` whose ``now()`` is one second later at every call."""

    ticks = itertools.count()

    @classmethod
    def now(cls) -> datetime:
        return datetime(2030, 1, 1) + timedelta(seconds=next(cls.ticks))


def test_outputs_land_in_the_claimed_folder_even_if_the_clock_ticks(tmp_path, monkeypatch):
    from sim.__main__ import main

    monkeypatch.setattr(hydra.core.utils, "datetime", TickingClock)
    argv = ["sim", "territory=tiny", "horizon_months=1"]
    monkeypatch.setattr(sys, "argv", list(argv))
    monkeypatch.chdir(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        main()
    assert sys.argv == argv  # the claimed folder reaches Hydra without touching the command line
    folders = sorted((tmp_path / "outputs" / "runs").iterdir())
    assert len(folders) == 1, folders
    manifest = json.loads((folders[0] / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert os.path.exists(folders[0] / "timeseries.parquet")


def test_a_sweep_lands_in_its_claimed_folder_and_leaves_argv_alone(tmp_path, monkeypatch):
    from sim.__main__ import main

    monkeypatch.setattr(hydra.core.utils, "datetime", TickingClock)
    argv = ["sim", "-m", "territory=tiny", "horizon_months=1", "seed=1,2"]
    monkeypatch.setattr(sys, "argv", list(argv))
    monkeypatch.chdir(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        main()
    assert sys.argv == argv
    sweeps = sorted((tmp_path / "outputs" / "sweeps").iterdir())
    assert len(sweeps) == 1, sweeps
    manifests = sorted(sweeps[0].rglob("manifest.json"))
    assert [json.loads(m.read_text())["status"] for m in manifests] == ["complete"] * 2
