"""A chantier d'insertion's sales may cover only a share of its charges (Code du travail
D5132-34: under 30%); with ``commercial_share_of_charges`` set, its local co-funders pay the
rest of its budget per insertion FTE each month, whatever it sells, so a month's lost sales
weigh on a small part of its resources (issue 13: ACI failures in the stationary baseline)."""

from __future__ import annotations

import numpy as np

from sim.agents import ess
from sim.ledger import Sector
from sim.model import EcosystemModel
from sim.vocabulary import LEGAL_FORMS

SMALL = {"territory": "classroom", "horizon_months": 24, "params.population.settling_months": 0}
ACI = LEGAL_FORMS.index("ACI")
CAPPED = {**SMALL, "params.population.forms.ACI.commercial_share_of_charges": 0.3}


def _acis(m):
    e = m.world.enterprises
    rows = np.flatnonzero(e.alive & (e.form == ACI) & (e.insertion > 0))
    assert rows.size > 0
    return rows


def _planned(m, rows, rent=3000.0):
    """Planned monthly sales, charges and public income of ``rows`` calibrated afresh at
    creation with ``rent`` € a month and no margin dispersion."""
    w, econ = m.world, m.params.economy
    e = w.enterprises
    rent = np.full(rows.size, rent)
    ess.calibrate_productivity(w, m.params, np.random.default_rng(0), rows, rent, 0.0)
    sales = econ.utilisation_at_start * ess.capacity(w, m.params, rows)
    ins_fte = e.insertion[rows] * w.forms.fte[ACI]
    aid = ins_fte * w.forms.aid_month[ACI]
    cofunding = ins_fte * e.cofunding_per_fte[rows]
    charges = ess.wage_costs(w, econ, rows) + rent + econ.materials_share * sales
    return sales, charges, aid + cofunding


def test_capped_acis_plan_their_sales_at_the_legal_share_of_charges():
    """With the cap, planned sales are 30% of charges (less where the State's aid alone covers
    the rest) and aid plus co-funding the rest with the target margin; without it an ACI
    lives on sales for most of its resources."""
    m = EcosystemModel(rng=3, **CAPPED)
    rows = _acis(m)
    sales, charges, public = _planned(m, rows)
    cofunded = m.world.enterprises.cofunding_per_fte[rows] > 0
    assert cofunded.mean() > 0.8  # the others: the State's aid alone covers the rest
    assert np.allclose((sales / charges)[cofunded], 0.3, atol=1e-6)
    assert (sales / charges <= 0.3 + 1e-6).all()
    margin = m.world.forms.target_margin[ACI]
    assert np.allclose(sales + public - charges, margin * sales, rtol=0.0, atol=1.0)
    base = EcosystemModel(rng=3, **SMALL)
    sales0, _charges0, public0 = _planned(base, _acis(base))
    assert (base.world.enterprises.cofunding_per_fte == 0).all()
    assert (sales0 / (sales0 + public0)).mean() > 0.45
    assert (sales / (sales + public)).mean() < 0.35


def test_cofunding_is_paid_each_month_whatever_the_sales():
    """Co-funding is the convention's rate per insertion FTE: paid by the local authorities'
    account every month, the same when sales vanish."""
    m = EcosystemModel(rng=3, **CAPPED)
    rows = _acis(m)
    expected = ess.cofunding(m.world)[rows].copy()
    assert (expected > 0).all()
    m.world.enterprises.sales[:] = 0.0
    assert np.array_equal(ess.cofunding(m.world)[rows], expected)
    m.step()
    e = m.world.enterprises
    paid = m.now.accounts["cofunding"]
    live = rows[e.alive[rows]]
    assert np.allclose(paid[live], e.cofunding_per_fte[live] * e.insertion[live]
                       * m.world.forms.fte[ACI])
    assert m.now.public_by_payer[Sector.INTERCOMMUNALITIES] >= paid.sum() - 1e-6


def test_other_forms_get_no_cofunding():
    m = EcosystemModel(rng=3, **CAPPED)
    e = m.world.enterprises
    assert (e.cofunding_per_fte[e.form != ACI] == 0).all()
