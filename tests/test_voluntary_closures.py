"""Closures other than failure (``ess.voluntary_closures``, the form's ``voluntary_closure_yr``):
established, solvent structures close at their form's yearly hazard (retirement without a
successor, dissolution, merger), young ones never; a closure releases what a failure does
(premises, clients, contracts, ties), settles the loans instead of defaulting, is recorded as a
``closure`` event apart from failures, and counts in the form's turnover."""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents import ess
from sim.api import build_model
from sim.ledger import Sector
from sim.markets import clearing, credit
from sim.vocabulary import LEGAL_FORMS

N = len(LEGAL_FORMS)


def _model(hazard: float | None = None, months: int = 3, min_age: int | None = None):
    overrides = ["progress=false", "seed=5", "territory=classroom", f"horizon_months={months}"]
    if hazard is not None:
        overrides += [f"params.population.forms.{f}.voluntary_closure_yr={hazard}"
                      for f in LEGAL_FORMS]
    if min_age is not None:
        overrides.append(f"params.economy.voluntary_closure_min_age_months={min_age}")
    return build_model(overrides)


def _run(m):
    while m.running:
        m.step()
    return m


def test_no_hazard_no_closure_and_no_draw():
    m = _run(_model(hazard=0.0, months=6))
    assert m.timeseries_frame()["ess_closures"].sum() == 0
    assert (m.events_frame().kind == "closure").sum() == 0
    assert "demography.closures" not in m.streams._streams


def test_closures_other_than_failure_are_opt_in():
    """Defaults: no form closes but by failure (with cooperatives at their CG Scop figure the
    mix of forms drifts beyond the validation's band: see voluntary_closure_yr's source)."""
    forms = _model().params.population.forms
    assert all(forms[f].voluntary_closure_yr == 0 for f in LEGAL_FORMS)


def test_certain_hazard_closes_every_eligible_structure_but_the_young_failing_or_insolvent():
    m = _model(hazard=1.0)
    e = m.world.enterprises
    live = np.flatnonzero(e.alive)
    assert live.size > 20
    young, failing, owing = live[:3], live[3:6], live[6:9]
    e.founded[young] = m.month - m.params.economy.voluntary_closure_min_age_months + 1
    e.payables[owing] = 1.0
    closing = ess.voluntary_closures(m, failing)
    solvent = m.world.ledger.cash_view(e.n) >= credit.outstanding_claims(m.world)
    expected = np.setdiff1d(live[solvent[live]], np.concatenate([young, failing, owing]))
    assert expected.size > 10
    np.testing.assert_array_equal(np.sort(closing), expected)


def test_min_age_beyond_every_structure_closes_none():
    m = _run(_model(hazard=1.0, months=2, min_age=600))
    assert m.timeseries_frame()["ess_closures"].sum() == 0


def test_monthly_rate_follows_the_yearly_hazard():
    """Yearly 0.5 -> monthly 1 - 0.5^(1/12) ≈ 5.6% (not 50%, not 0.5/12 ≈ 4.2%)."""
    m = _model(hazard=0.5)
    none = np.zeros(0, dtype=np.int64)
    eligible = ess.voluntary_closures(_model(hazard=1.0), none).size
    closed = sum(ess.voluntary_closures(m, none).size for _ in range(200))
    assert closed / (200 * eligible) == pytest.approx(1 - 0.5 ** (1 / 12), rel=0.08)


def test_closure_releases_premises_clients_contracts_ties_and_settles_loans():
    """A year without closures (loans granted, ties made, contracts won), then every
    eligible structure closes."""
    m = _model(hazard=0.0, months=24)
    for _ in range(12):
        m.step()
    for form in LEGAL_FORMS:
        m.params.population.forms[form].voluntary_closure_yr = 1.0
    w = m.world
    e, L = w.enterprises, w.ledger
    closing = ess.voluntary_closures(m, np.zeros(0, dtype=np.int64))
    assert closing.size > 10
    owed = credit.outstanding_claims(w)[closing].sum()
    assert owed > 0  # some of them had loans to settle
    c = w.contracts
    # before: they hold sites, ties, contracts in force and claims on the clients' pools
    assert (w.sites.open & np.isin(w.sites.enterprise, closing)).any()
    assert (w.ties.table.active & np.isin(w.ties.table.enterprise, closing)).any()
    assert (np.isin(c.enterprise, closing) & (c.end_month > m.month)).any()
    assert np.isin(clearing.claims(w).owner, closing).any()
    bank_before = L.money[Sector.BANKS]
    exposure_before = w.form_closures.sum()
    ess.failures(m)
    assert not e.alive[closing].any()
    assert m.now.closures == closing.size
    assert not (w.sites.open & np.isin(w.sites.enterprise, closing)).any()
    assert not (w.ties.table.active & np.isin(w.ties.table.enterprise, closing)).any()
    assert not (np.isin(c.enterprise, closing) & (c.end_month > m.month)).any()
    assert not np.isin(clearing.claims(w).owner, closing).any()
    assert not (w.loans.open & np.isin(w.loans.enterprise, closing)).any()
    assert L.money[Sector.BANKS] > bank_before  # repaid, not defaulted
    assert np.all(L.cash_view(e.n)[closing] == 0.0)
    events = m.events_frame()
    closed = events[events.kind == "closure"]
    assert sorted(closed.agent) == sorted(closing.tolist())
    assert (closed.details.to_numpy() == np.asarray(LEGAL_FORMS)[e.form[closing]]).all()
    failed = events[events.kind == "failure"].agent
    assert not np.isin(failed, closing).any()
    defaults = events[(events.kind == "loan_default") & (events.month == m.month)].agent
    assert not np.isin(defaults, closing).any()
    assert w.form_closures.sum() > exposure_before  # founders' forms follow these closures
