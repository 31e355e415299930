"""Regression record: the outputs of fixed configurations keep their values, on any processor.

A deliberate change of behaviour (calibration, mechanisms) changes them: re-record with
``python -m benchmarks.regression --update --reason "..."``, which logs why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache

import pytest

from benchmarks import regression
from benchmarks.regression import CONFIGS, RELATIVE_TOLERANCE, compare_tables

SIMD_CONFIGS = ("drome_baseline", "classroom_all_levers")


@cache
def tables_now(name: str):
    return regression.run_tables(CONFIGS[name])


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_outputs_match_the_record(name):
    assert (regression.RECORD_DIR / name).is_dir(), (
        "not recorded yet: python -m benchmarks.regression --update --reason '...'")
    differences = regression.check(name, tables_now(name))
    assert not differences, (
        f"{name}: outputs moved:\n  " + "\n  ".join(map(str, differences))
        + "\nIf intended: python -m benchmarks.regression --update --reason '...'")


def test_the_comparison_names_the_column_and_row_that_moved():
    recorded = regression.recorded_tables("tiny_baseline")["timeseries"]
    column = "mean_rent_ess_eur_m2"
    nudged = recorded.copy()
    nudged.loc[7, column] *= 1 + 1e3 * RELATIVE_TOLERANCE
    (difference,) = compare_tables("timeseries", nudged, recorded)
    assert difference.column == column and "first at row 7" in difference.detail

    within = recorded.copy()
    within[column] *= 1 + RELATIVE_TOLERANCE / 100
    assert compare_tables("timeseries", within, recorded) == []

    counted = recorded.copy()
    counted.loc[3, "ess_entries"] += 1
    assert [d.column for d in compare_tables("timeseries", counted, recorded)] == ["ess_entries"]
    assert compare_tables("timeseries", recorded.drop(columns=[column]), recorded)[0].column == (
        "(columns)")


def _digests_in_subprocess(names, env_extra) -> dict:
    code = ("import json, sys; from benchmarks import regression as r; "
            "print(json.dumps({n: {t: r.table_digest(f) for t, f in "
            "r.run_tables(r.CONFIGS[n]).items()} for n in sys.argv[1:]}))")
    done = subprocess.run([sys.executable, "-c", code, *names], capture_output=True, text=True,
                          env={**os.environ, **env_extra}, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_outputs_do_not_depend_on_the_processors_simd_kernels():
    """NumPy picks SIMD kernels (AVX2, AVX-512...) by processor; with every optional kernel
    disabled it computes as the oldest supported x86-64 would. The bytes must not change."""
    from numpy._core import _multiarray_umath as umath

    optional = " ".join(umath.__cpu_dispatch__)
    baseline_only = _digests_in_subprocess(SIMD_CONFIGS, {"NPY_DISABLE_CPU_FEATURES": optional})
    for name in SIMD_CONFIGS:
        here = {t: regression.table_digest(f) for t, f in tables_now(name).items()}
        assert baseline_only[name] == here, f"{name}: outputs depend on NumPy's SIMD kernels"
