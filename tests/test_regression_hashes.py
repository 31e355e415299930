"""Byte-for-byte regression: the output tables of a few fixed configurations keep their SHA-256.

An optimisation must not change them. A deliberate change of behaviour (calibration, levers)
does: regenerate with ``python -m benchmarks.hashes --update --reason "..."``, which logs why.
"""

from __future__ import annotations

import pytest

from benchmarks.hashes import CONFIGS, installed_versions, load_record, output_hashes

RECORD = load_record()


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_outputs_match_the_record(name):
    if RECORD.get("versions") != installed_versions():
        pytest.skip(f"hashes recorded with {RECORD.get('versions')}, installed "
                    f"{installed_versions()}: Parquet bytes differ across library versions")
    assert name in RECORD["configs"], "not recorded yet: python -m benchmarks.hashes --update"
    assert output_hashes(CONFIGS[name]) == RECORD["configs"][name]["sha256"], (
        f"{name}: outputs changed. If intended, regenerate with python -m benchmarks.hashes "
        "--update --reason '...'; if not, an edit changed the model's results")
