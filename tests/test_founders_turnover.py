"""Founders' legal forms follow each form's recent exit hazard
(``params.economy.founders_follow_turnover``, ``ess.founders_form_weights``): a form whose
structures close draws founders of its kind, one that nobody leaves draws none; a form whose
founders fail to open (no funded posts, no premises) draws more attempts. Off, the forms'
densities alone. The closures are counted from the settling months on (``sim.warmup``), so
month 0 inherits the steady state's hazard (issue 13: the mix of forms drifted with the totals
stationary)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents import ess
from sim.api import build_model
from sim.vocabulary import LEGAL_FORMS

ACI, SCOP = LEGAL_FORMS.index("ACI"), LEGAL_FORMS.index("SCOP")
N = len(LEGAL_FORMS)


def _model(follow: bool = True, settling: int = 0, months: int = 2, prior: float = 12.0):
    return build_model(["progress=false", "seed=3", "territory=classroom",
                        f"horizon_months={months}", f"params.economy.turnover_prior_months={prior}",
                        f"params.population.settling_months={settling}",
                        f"params.economy.founders_follow_turnover={str(follow).lower()}"])


def _founders(m, closures: np.ndarray) -> np.ndarray:
    """Forms of ~400 founders spread over the territories, after the forms' closures are set to
    ``closures`` (same exposure for each form, every founder opened so far)."""
    w = m.world
    w.form_closures = np.asarray(closures, dtype=float)
    w.form_exposure = np.full(N, 1000.0)
    w.form_attempts, w.form_openings = np.zeros(N), np.zeros(N)
    e = m.world.enterprises
    first = e.n
    births = np.full(w.n_territories, 400 // w.n_territories)
    ess.open_structures(m, np.random.default_rng(7), births)
    return e.form[first:]


def test_founders_come_in_the_forms_that_close():
    """All closures are ACI's: founders are ACI wherever the territory has ACI; off, the forms'
    densities give SCOP founders too."""
    only_aci = np.zeros(N)
    only_aci[ACI] = 10.0
    on = _founders(_model(), only_aci)
    off = _founders(_model(follow=False), only_aci)
    assert on.size == off.size > 300
    assert (off == SCOP).sum() > 20
    assert (on == SCOP).sum() == 0
    assert (on == ACI).mean() > 2.0 * (off == ACI).mean()


def test_weights_scale_with_the_hazard_and_the_share_who_open():
    m = _model()
    w = m.world
    density = ess._form_weights(m)
    w.form_closures = np.arange(N, dtype=float)
    w.form_exposure = np.full(N, 100.0)
    w.form_attempts, w.form_openings = np.zeros(N), np.zeros(N)
    hazard = np.arange(N) / 100.0
    has = (density * hazard[:, None]).sum(axis=0) > 0
    np.testing.assert_allclose(ess.founders_form_weights(m)[:, has],
                               (density * hazard[:, None])[:, has])
    # half of ACI's founders opened: ACI's attempts double; none opened: capped
    w.form_attempts[ACI], w.form_openings[ACI] = 10.0, 5.0
    assert ess.form_turnover(m)[ACI] == pytest.approx(2.0 * hazard[ACI])
    w.form_openings[ACI] = 0.0
    cap = m.params.economy.entry_intensity_cap
    assert ess.form_turnover(m)[ACI] == pytest.approx(cap * hazard[ACI])


def test_no_closure_counted_keeps_the_densities():
    m = _model()
    m.world.form_closures = np.zeros(N)
    np.testing.assert_array_equal(ess.form_turnover(m), 1.0)
    np.testing.assert_array_equal(ess.founders_form_weights(m), ess._form_weights(m))


def test_closures_and_exposure_decay_with_the_half_life():
    m = _model()
    w, e = m.world, m.world.enterprises
    w.form_closures, w.form_exposure = np.zeros(N), np.zeros(N)
    live = np.flatnonzero(e.alive)
    closed = live[e.form[live] == ACI][:2]
    ess.count_turnover(m, closed)
    assert w.form_closures[ACI] == 2.0 and w.form_closures.sum() == 2.0
    np.testing.assert_array_equal(w.form_exposure, np.bincount(e.form[live], minlength=N))
    ess.count_turnover(m, closed[:0])
    keep = 0.5 ** (1.0 / m.params.economy.turnover_half_life_months)
    assert w.form_closures[ACI] == pytest.approx(2.0 * keep)


def test_month_0_inherits_the_settling_months_turnover():
    """The settling months count their closures (each replaced in place): month 0 starts with
    a hazard by form, not from nothing."""
    settled = _model(settling=36, months=1)
    assert settled.world.form_exposure.sum() > 0
    assert settled.world.form_closures.sum() > 0
    fresh = _model(settling=0, months=1)
    # the settling months' closures make the forms' hazards differ; fresh, the prior's are one
    settled_hazard = settled.world.form_closures / settled.world.form_exposure
    fresh_hazard = fresh.world.form_closures / fresh.world.form_exposure
    assert np.ptp(settled_hazard) > 10 * np.ptp(fresh_hazard)


def test_unsettled_start_begins_at_the_densities_with_a_prior_that_fades():
    """Month 0 of an unsettled start holds a prior: one hazard for every form (founders at the
    forms' densities), worth turnover_prior_months of the stock, which decays as closures are
    counted; so the first months' closures (cooperatives close from month 0, failures only after
    months of refusals) do not set the whole mix."""
    m = _model(settling=0, months=1)
    w = m.world
    hazard = w.form_closures / w.form_exposure
    present = w.form_exposure > 0
    np.testing.assert_allclose(hazard[present], hazard[present][0])
    np.testing.assert_allclose(ess.founders_form_weights(m), ess._form_weights(m) * hazard[0])
    keep = 0.5 ** (1.0 / m.params.economy.turnover_half_life_months)
    stock = np.bincount(w.enterprises.form[w.enterprises.alive], minlength=N)
    np.testing.assert_allclose(w.form_exposure,
                               stock * m.params.economy.turnover_prior_months)
    before = w.form_closures.copy()
    assert before.sum() > 0
    ess.count_turnover(m, np.zeros(0, dtype=np.int64))
    np.testing.assert_allclose(w.form_closures, keep * before)
