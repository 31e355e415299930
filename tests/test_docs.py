"""The documents generated from the schema, the calibration lock and the uncertainty metadata.

A parameter table that disagrees with the code, or a calibrated default changed without its
source note, fails here; the fix is ``python -m sim.docs`` (documents) or, after updating the
note, ``python -m sim.docs --lock`` (calibration).
"""

from __future__ import annotations

import json

import pytest

from sim import docs
from sim.config.params import plausible_range, uncertain_parameters, walk
from sim.config.schema import SimConfig
from sim.policies import REGISTRY
from sim.policies.base import LeverParams

SHARED_LEVER_FIELDS = {f for f, _, _ in walk(LeverParams())}


@pytest.mark.parametrize("path", sorted(docs.generated()), ids=lambda p: p.name)
def test_documents_match_the_schema(path):
    expected = docs.generated()[path]
    assert path.read_text() == expected, f"{path.name} is stale: run python -m sim.docs"


def test_every_parameter_is_documented():
    text = docs.PARAMETERS.read_text()
    for path, _, _ in docs.schema_parameters():
        if not path.startswith(docs.FORMS_PREFIX):
            assert f"`{path}`" in text, path
    for name, _, _ in walk(SimConfig().params.population.forms["EI"]):
        assert f"`{name}`" in text, name


def test_calibrated_defaults_change_only_with_their_source_note():
    locked, current = docs.read_lock(), docs.calibration_entries()
    offenders = docs.unjustified_changes(locked, current)
    assert not offenders, f"default changed, source note did not: {offenders}"
    stale = sorted(set(locked) ^ set(current)
                   | {p for p in set(locked) & set(current) if locked[p] != current[p]})
    assert not stale, f"calibration lock out of date for {stale}: run python -m sim.docs --lock"


def test_lock_refuses_a_default_moved_without_its_note(tmp_path, monkeypatch):
    current = docs.calibration_entries()
    path = "params.finance.base_approval"
    moved = json.loads(json.dumps(current))
    moved[path]["default"] = 0.5
    lock = tmp_path / "lock.json"
    lock.write_text(json.dumps(moved))
    monkeypatch.setattr(docs, "LOCK", lock)
    assert docs.write_lock() == [path]
    assert json.loads(lock.read_text()) == moved  # nothing written
    moved[path]["source"] = "another note"
    lock.write_text(json.dumps(moved))
    assert docs.write_lock() == []
    assert json.loads(lock.read_text())[path] == current[path]


def test_refresh_requires_every_generated_block():
    sections = docs.odd_sections()
    with pytest.raises(ValueError, match="missing generated blocks"):
        docs.refresh("<!-- generated:forms -->\n<!-- /generated:forms -->", sections)


def _numeric(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def test_every_numeric_assumption_declares_a_plausible_range():
    config = SimConfig()
    nodes = [("scenario.", config.scenario), ("params.", config.params)]
    nodes += [(f"policies.{n}.", cls.Params()) for n, cls in REGISTRY.items()]
    missing = [path for prefix, node in nodes for path, value, meta in walk(node, prefix)
               if meta.get("assumption") and _numeric(value)
               and path.split(".")[-1] not in SHARED_LEVER_FIELDS
               and not (meta.get("plausible") or meta.get("plausible_scale"))]
    assert not missing, missing


def test_uncertain_parameters_lie_inside_their_allowed_ranges():
    ranges = uncertain_parameters(levers=sorted(REGISTRY))
    metadata = {path: meta for path, _, meta in docs.schema_parameters()}
    assert "params.economy.sales_volatility" in ranges
    assert "policies.impact_vat.pass_through" in ranges
    assert not any(path.startswith("policies.") for path in uncertain_parameters())
    for path, (low, high) in ranges.items():
        meta = metadata[path]
        assert low <= high, path
        assert meta["low"] is None or meta["low"] <= low, path
        assert meta["high"] is None or high <= meta["high"], path


def test_plausible_scale_is_relative_to_each_forms_value():
    forms = SimConfig().params.population.forms
    ranges = uncertain_parameters()
    low, high = ranges["params.population.forms.SCOP.permanent_staff"]
    assert (low, high) == pytest.approx((0.7 * forms["SCOP"].permanent_staff,
                                         1.4 * forms["SCOP"].permanent_staff))
    assert "params.population.forms.EI.pay_flexibility" not in ranges  # zero: nothing to vary
    assert plausible_range(True, {"plausible": (0, 1)}) is None
