"""Fuzzing the command line and scenario files (issue 15, item 8).

Whatever the overrides or the scenario YAML, `python -m sim` (its `main()`, in this process)
either exits 0 with a complete manifest whose checksums match the files on disk, or exits 2
with one line naming the field; it writes nothing outside its run folder and deletes nothing
that existed before. Kept fast: tiny territory, horizons of 1 to 3 months, few examples, a
fixed sequence of examples (derandomized) so CI sees the same cases every time."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import sys
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sim.outputs import verify_outputs

FUZZ = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
BASE = ["territory=tiny", "progress=false"]

# Text that tries paths, interpolations, quoting and odd characters.
NASTY = st.sampled_from([
    "../../x", "/etc", "${oc.env:HOME}", "${oc.${scenario.name}:HOME}", "${seed}", "${now:%Y}",
    "a b", "'", "\"", "\\", "x/y", ".", "", "é", "\x00", "${hydra:job.name}", "[1,2]", "{a:1}",
    "nan", "1e400", "-0", "${", "}",
])
NUMBER = st.one_of(st.integers(-3, 3), st.floats(-1.0, 1.0), st.just(float("nan")),
                   st.sampled_from(["abc", "1e400", "inf"]))
TEXT = st.one_of(NASTY, st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
                                 max_size=12))
OVERRIDE = st.one_of(
    st.tuples(st.just("horizon_months"), st.one_of(st.integers(-1, 3), NASTY)),
    st.tuples(st.just("seed"), st.one_of(st.integers(-2, 2**40), NASTY)),
    st.tuples(st.sampled_from(["scenario.demand_growth_yr", "scenario.interest_rate_yr",
                               "scenario.rent_inflation_yr",
                               "params.premises.private_acceptance"]), NUMBER),
    st.tuples(st.sampled_from(["territory.label", "scenario.name", "hydra.job.name"]), TEXT),
    st.tuples(st.sampled_from(["foo", "params.nope", "+hydra.job.env_set.X",
                               "hydra.job_logging.handlers.file.filename",
                               "+hydra.callbacks.x._target_", "policies", "scenario",
                               "hydra.output_subdir"]), TEXT),
)
SCENARIO_KEYS = ["name", "demand_growth_yr", "interest_rate_yr", "rent_inflation_yr",
                 "public_procurement_growth_yr", "industrial_employment_trend_yr", "bogus"]
YAML_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBER, TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["a", "b", "_target_", "hydra"]),
                                            inner, max_size=2)),
    max_leaves=6)
SCENARIO = st.one_of(
    st.dictionaries(st.sampled_from(SCENARIO_KEYS), YAML_VALUE, max_size=4),
    st.fixed_dictionaries({"name": st.just("fz"), "demand_growth_yr": st.floats(-0.1, 0.1)}),
)
GLOBAL_EXTRA = st.dictionaries(st.sampled_from(["hydra", "seed", "horizon_months", "territory"]),
                               YAML_VALUE, max_size=2)


def _quote(value) -> str:
    """An override value as text: numbers as they are, text quoted for Hydra's grammar."""
    if isinstance(value, (int, float)):
        return repr(value)
    escaped = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def _tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` with a hash of its bytes."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _run_main(argv: list[str], cwd: Path) -> tuple[int, str]:
    from sim.__main__ import main

    err = io.StringIO()
    old_argv, old_cwd = sys.argv, os.getcwd()
    sys.argv = ["sim", *argv]
    os.chdir(cwd)
    code = 0
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            main()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.argv = old_argv
        os.chdir(old_cwd)
    return code, err.getvalue()


def _check_invariant(argv: list[str], keys: list[str], base: Path) -> None:
    """Run and check: complete and verified, or one line naming a field; nothing outside the
    run folder written, nothing that existed deleted or changed."""
    (base / "cwd").mkdir(exist_ok=True)
    (base / "cwd" / "keep.txt").write_text("mine")
    run = base / "run"
    before = _tree(base)
    code, err = _run_main([*argv, f"hydra.run.dir={run}"], base / "cwd")
    event(f"exit code {code}")  # pytest --hypothesis-show-statistics shows the mix
    after = {k: v for k, v in _tree(base).items() if not k.startswith("run/")}
    assert after == before, (argv, set(after) ^ set(before))
    if code == 0:
        manifest = json.loads((run / "manifest.json").read_text())
        assert manifest["status"] == "complete", argv
        states = verify_outputs(run, manifest)
        assert states and set(states.values()) == {"ok"}, (argv, states)
        return
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, (argv, code, err[-3000:])
    assert len(lines) == 1 and lines[0].startswith("error: "), (argv, err[-3000:])
    field = lines[0].removeprefix("error: ").split(": ", 1)[0]
    assert field and any(k.startswith(field) or field.startswith(k) or field in k
                         for k in keys), (argv, lines[0])
    if run.exists():  # refused before the run: nothing; refused by the run: a failed manifest
        names = {p.name for p in run.iterdir()}
        assert not names & {"timeseries.parquet", "territories.parquet", "events.parquet"}


@FUZZ
@given(overrides=st.lists(OVERRIDE, max_size=3),
       horizon=st.integers(1, 3))
def test_fuzzed_overrides_run_completely_or_fail_in_one_line(overrides, horizon):
    argv = [*BASE, f"horizon_months={horizon}"]
    argv += [f"{key}={_quote(value)}" for key, value in overrides]
    keys = [key.lstrip("+~") for key, _ in overrides] + ["overrides"]
    with tempfile.TemporaryDirectory() as base:
        _check_invariant(argv, keys, Path(base))


@FUZZ
@given(scenario=SCENARIO, extra=GLOBAL_EXTRA, as_global=st.booleans(),
       horizon=st.integers(1, 3))
def test_fuzzed_scenario_files_run_completely_or_fail_in_one_line(scenario, extra, as_global,
                                                                   horizon):
    if as_global:
        content = "# @package _global_\n" + yaml.safe_dump(
            {"scenario": scenario, **extra}, allow_unicode=True)
        keys = ["scenario." + k for k in scenario] + [*extra]
    else:
        content = yaml.safe_dump(scenario, allow_unicode=True)
        keys = ["scenario." + k for k in scenario]
    keys += ["config file", "scenario", "hydra"]
    with tempfile.TemporaryDirectory() as base:
        folder = Path(base) / "user" / "scenario"
        folder.mkdir(parents=True)
        (folder / "fz.yaml").write_text(content)
        argv = ["--config-dir", str(Path(base) / "user"), *BASE, "scenario=fz",
                f"horizon_months={horizon}"]
        _check_invariant(argv, keys, Path(base))
