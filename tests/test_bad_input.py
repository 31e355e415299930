"""Bad input: each case ends with one line naming the field and what is allowed — never a
traceback, never an output directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.__main__ import USER_ERRORS, prevalidate

BROKEN_YAML = "name: bad\n  demand: [1,\n"
EVIL_TARGET = ("# @package _global_\nhydra:\n  callbacks:\n    evil:\n"
               "      _target_: numpy.savetxt\n")

CASES = [
    # (argv, field named in the message)
    (["territory=narnia"], "territory"),
    (["scenario=boom"], "scenario"),
    (["policies=[magic]"], "policies"),
    (["horizon_months=0"], "horizon_months"),
    (["horizon_months=-3"], "horizon_months"),
    (["horizon_months=1.5"], "horizon_months"),
    (["horizon_months=abc"], "horizon_months"),
    (["horizon_months=100000"], "horizon_months"),
    (["seed=-1"], "seed"),
    (["seed=nan"], "seed"),
    (["seed=1e400"], "seed"),
    (["foo=1"], "foo"),
    (["params.economy.nope=3"], "params.economy.nope"),
    (["params.economy.growth_step=abc"], "params.economy.growth_step"),
    (["params.economy.growth_step=-0.1"], "params.economy.growth_step"),
    (["params.economy.materials_share=nan"], "params.economy.materials_share"),
    (["params.economy.materials_share=inf"], "params.economy.materials_share"),
    (["params.premises.private_acceptance=1.5"], "params.premises.private_acceptance"),
    (["params.mutual_ignorance.enabled=maybe"], "params.mutual_ignorance.enabled"),
    (["scenario.interest_rate_yr=-0.5"], "scenario.interest_rate_yr"),
    (["scenario.demand_growth_yr=1e308"], "scenario.demand_growth_yr"),
    (["territory.kind=planet"], "territory.kind"),
    (["territory.kind=region", "territory.codes=[99]"], "territory.codes"),
    (["territory.kind=departement", "territory.codes=[999]"], "territory.codes"),
    (["territory.kind=epci", "territory.codes=[123]"], "territory.codes"),
    (["territory.kind=epci", "territory.codes=[]"], "territory"),
    (["territory.kind=synthetic", "territory.synthetic={metropolis:-1}"], "territory"),
    (["territory.kind=synthetic", "territory.synthetic={volcano:2}"], "territory"),
    (["territory.kind=synthetic", "territory.synthetic={}"], "territory"),
    (["progress=maybe"], "progress"),
    (["+hydra.callbacks.x._target_=numpy.savetxt"], "_target_"),
    (["hydra.job_logging.handlers.console.class=os.system"], "class"),
    (["territory.label=${oc.env:HOME}"], "territory.label"),
    (["territory.label=${oc.decode:'1'}"], "territory.label"),
    (["hydra.run.dir=/proc/nope"], "hydra.run.dir"),
    (["-m", "seed=1,2", "horizon_months=0"], "horizon_months"),
]


@pytest.mark.parametrize(("argv", "field"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_bad_input_is_refused_with_one_line_naming_the_field(argv, field):
    with pytest.raises(USER_ERRORS) as caught:
        prevalidate(argv)
    message = str(caught.value)
    assert "\n" not in message
    assert field in message
    assert any(word in message for word in ("allowed", "not a", "give", "expected")), message


def test_battery_is_large_enough():
    assert len(CASES) >= 30


def _scenario_dir(root: Path, name: str, text: str | bytes) -> Path:
    """A user's --config-dir holding one scenario file (every file in it is scanned)."""
    (root / name / "scenario").mkdir(parents=True)
    path = root / name / "scenario" / f"{name}.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return root / name


def test_scenario_files(tmp_path):
    for name, text, field in (("broken", BROKEN_YAML, "config file"),
                              ("evil", EVIL_TARGET, "hydra.callbacks")):
        with pytest.raises(USER_ERRORS) as caught:
            prevalidate(["--config-dir", str(_scenario_dir(tmp_path, name, text)),
                         f"scenario={name}"])
        assert field in str(caught.value) and "\n" not in str(caught.value)
    fine = _scenario_dir(tmp_path, "fine", "name: fine\ndemand_growth_yr: 0.02\n")
    prevalidate(["--config-dir", str(fine), "scenario=fine"])  # accepted
    with pytest.raises(USER_ERRORS):
        prevalidate(["--config-dir", str(tmp_path / "missing"), "scenario=fine"])


@pytest.mark.parametrize("argv", [["territory=narnia"], ["horizon_months=0"],
                                  ["territory.kind=region", "territory.codes=[99]"],
                                  ["+hydra.callbacks.x._target_=numpy.savetxt"]])
def test_command_line_exit_code_one_line_and_no_output(tmp_path, argv):
    env = {k: v for k, v in os.environ.items() if k != "ESS_SIM_DEBUG"}
    done = subprocess.run([sys.executable, "-m", "sim", *argv], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr
    assert not Path(tmp_path, "outputs").exists()
