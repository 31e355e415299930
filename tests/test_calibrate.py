"""Calibration: the documented loss, a study that finds a known optimum, resumes from its
storage, and writes a config the model reads; one real model trial end to end."""

import json
import re
import subprocess
import sys

import optuna
import pytest

from sim import calibrate
from sim.config import ConfigError, compose_config

PATH = "params.labour.other_matching_efficiency"


def test_loss_counts_band_half_widths():
    row = {"low": 0.4, "high": 0.5, "n": 3}
    assert calibrate.loss([row | {"mean": 0.45}]) == pytest.approx(0.0)
    assert calibrate.loss([row | {"mean": 0.5}]) == pytest.approx(1.0)
    assert calibrate.loss([row | {"mean": 0.55}]) == pytest.approx(4.0)
    assert calibrate.loss([row | {"mean": float("nan"), "n": 0}]) == calibrate.UNMEASURED
    assert calibrate.loss([row | {"mean": 0.5}, row | {"mean": 0.45}]) == pytest.approx(1.0)


def _fake_observe(overrides):
    """exit_employment = 0.3 + 0.3·x: in its 0.40–0.50 band for x in [1/3, 2/3], best at 0.5;
    a little noise by seed, so that seeds matter."""
    x = float(next(o for o in overrides if o.startswith(PATH)).partition("=")[2])
    seed = int(next(o for o in overrides if o.startswith("seed=")).partition("=")[2])
    return {"exit_employment": 0.3 + 0.3 * x + 0.002 * (seed - 1)}


def _trials(out):
    study = calibrate.open_study(out, 0)
    return [(t.number, t.state.name, t.params.get(PATH)) for t in study.trials]


def test_study_finds_the_optimum_resumes_and_writes_a_config(tmp_path, monkeypatch):
    monkeypatch.setattr(calibrate, "observe", _fake_observe)
    parameters = [calibrate.Parameter.parse(f"{PATH}=0.1:0.9")]
    out = tmp_path / "study"
    calibrate.calibrate(parameters, ["exit_employment"], out, trials=6, seeds=3)
    first = _trials(out)
    assert [state for _, state, _ in first] == ["COMPLETE"] * 6

    # An interrupted trial (asked, never told) is failed on resume and its point runs again.
    study = calibrate.open_study(out, 0)
    cut = study.ask({PATH: optuna.distributions.FloatDistribution(0.1, 0.9)})
    report = calibrate.calibrate(parameters, ["exit_employment"], out, trials=24, seeds=3)
    after = _trials(out)
    assert after[:6] == first  # complete trials kept
    assert after[cut.number][1] == "FAIL"
    assert after[cut.number + 1][2] == after[cut.number][2]  # its point, run again
    assert sum(state == "COMPLETE" for _, state, _ in after) == 24

    assert report["best_loss"] < 0.05  # x within 0.04 of 0.5
    assert abs(report["best_params"][PATH] - 0.5) < 0.04
    assert report["fit"][0]["pass"] and report["fit"][0]["n"] == 3
    ident = report["identifiability"][0]
    assert ident["verdict"] in {"well identified", "weakly identified"}
    assert ident["spearman_value_loss"] == ident["spearman_value_loss"]  # defined (not NaN)
    assert (out / "figures" / "loss_other_matching_efficiency.png").stat().st_size > 1000
    assert "| exit_employment |" in (out / "report.md").read_text()
    assert json.loads((out / "report.json").read_text())["trials"] == 24

    cfg = compose_config(["+calibration=best"], user_dirs=[out])
    assert cfg.params.labour.other_matching_efficiency == pytest.approx(report["best_params"][PATH])


def test_a_flat_loss_is_reported_as_not_identified(tmp_path, monkeypatch):
    monkeypatch.setattr(calibrate, "observe", lambda overrides: {"exit_employment": 0.45})
    report = calibrate.calibrate([calibrate.Parameter.parse(f"{PATH}=0.1:0.9")],
                                 ["exit_employment"], tmp_path, trials=4, seeds=1)
    assert report["identifiability"][0]["verdict"] == "not identified: the loss does not change"


def test_bad_setup_fails_in_one_line_before_any_run(tmp_path, monkeypatch):
    monkeypatch.setattr(calibrate, "observe", lambda overrides: pytest.fail("ran"))
    with pytest.raises(ConfigError, match=re.escape("--target: ['no_such_check']; allowed:")):
        calibrate.calibrate([calibrate.Parameter.parse(f"{PATH}=0.1:0.9")], ["no_such_check"],
                            tmp_path)
    with pytest.raises(ConfigError, match=re.escape("params.labour.no_such_parameter")):
        calibrate.calibrate([calibrate.Parameter.parse("params.labour.no_such_parameter=0:1")],
                            ["exit_employment"], tmp_path)
    with pytest.raises(ConfigError, match="LOW < HIGH"):
        calibrate.Parameter.parse(f"{PATH}=0.9:0.1")


def test_one_real_trial_of_the_model(tmp_path):
    report = calibrate.calibrate([calibrate.Parameter.parse(f"{PATH}=0.3:0.7")],
                                 ["exit_employment"], tmp_path, trials=1, seeds=1,
                                 overrides=["territory=tiny", "horizon_months=12"])
    row = report["fit"][0]
    assert row["n"] == 1 and 0.0 < row["mean"] < 1.0
    assert report["best_loss"] == pytest.approx(calibrate.loss([row]))


# `python -m sim.calibrate` with Optuna hidden (None in sys.modules: its import fails as if it
# were not installed).
WITHOUT_OPTUNA = ("import runpy, sys; sys.modules['optuna'] = None; "
                  "runpy.run_module('sim.calibrate', run_name='__main__', alter_sys=True)")


def test_without_optuna_one_line_names_the_extra_and_writes_nothing(tmp_path):
    out = tmp_path / "study"
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_OPTUNA, "--param", f"{PATH}=0.1:0.9",
         "--target", "exit_employment", "--out", str(out)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: python -m sim.calibrate needs optuna (the 'design' extra): "
        "pip install -e '.[design]'"]
    assert "Traceback" not in result.stderr
    assert not out.exists()
