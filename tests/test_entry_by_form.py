"""Founders' legal forms by form's demand per structure (``params.economy.entry_by_form``):
a form whose structures are short of capacity draws more founders, one that crowds its market
fewer; off, the forms' densities alone (the default, unchanged)."""

from __future__ import annotations

import numpy as np

from sim.agents import ess
from sim.api import build_model
from sim.vocabulary import LEGAL_FORMS

ACI = LEGAL_FORMS.index("ACI")


def _founders_forms(entry_by_form: bool, aci_demand: float) -> np.ndarray:
    """Forms of 400 founders spread over the territories, after the demand of the ACI
    structures is multiplied by ``aci_demand`` and every other form's halved."""
    m = build_model(["progress=false", "seed=3", "territory=classroom", "horizon_months=2",
                     f"params.economy.entry_by_form={str(entry_by_form).lower()}"])
    m.step()
    e = m.world.enterprises
    e.demand[:] = np.where(e.form == ACI, e.demand * aci_demand, e.demand * 0.5)
    first = e.n
    births = np.full(m.world.n_territories, 400 // m.world.n_territories)
    ess.open_structures(m, np.random.default_rng(7), births)
    return e.form[first:]


def test_a_form_short_of_capacity_draws_more_founders():
    off = _founders_forms(False, 1.5)
    on = _founders_forms(True, 1.5)
    assert off.size == on.size > 300
    assert (on == ACI).mean() > 1.5 * (off == ACI).mean()


def test_intensity_is_one_at_the_month_0_yardstick_and_capped():
    m = build_model(["progress=false", "seed=3", "territory=classroom", "horizon_months=1",
                     "params.economy.entry_by_form=true"])
    w, econ = m.world, m.params.economy
    e = w.enterprises
    np.testing.assert_array_equal(ess.form_entry_intensity(m), 1.0)  # the build's demand
    e.demand[e.alive] *= 10.0
    held = w.demand_per_form_structure_start > 0
    assert held.any() and not held.all()
    np.testing.assert_array_equal(ess.form_entry_intensity(m)[held], econ.entry_intensity_cap)
    np.testing.assert_array_equal(ess.form_entry_intensity(m)[~held], 1.0)
