"""Funded posts freed by failures go back to structures with the clients and the floor for
them (issue 13, item 8: the stationary baseline): the stock of insertion posts returns to the
envelope within a few months, and never goes above it."""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents import ess
from sim.model import EcosystemModel
from sim.vocabulary import LEGAL_FORMS

EI = LEGAL_FORMS.index("EI")


def _model():
    return EcosystemModel(rng=3, territory="classroom", horizon_months=24,
                          **{"params.population.settling_months": 0,
                             "params.economy.funded_posts_growth_yr": 0.0})


def _redeploy_month(m):
    """The entries phase's bookkeeping (no entrant claims a post), then redeployment."""
    m.world.posts_unclaimed_by_entrants = (ess.funded_posts_slack(m), ess.adapted_posts_slack(m))
    ess.redeploy_posts(m)


def test_posts_freed_by_failures_return_to_the_envelope_and_not_beyond():
    m = _model()
    e, econ = m.world.enterprises, m.params.economy
    envelope = m.world.funded_posts_start.copy()
    ei = np.flatnonzero(e.alive & (e.form == EI) & (e.insertion_posts > 0))
    assert ei.size >= 3
    failing, survivors = ei[:1], ei[1:]
    freed = int(e.insertion_posts[failing].sum())
    assert freed > 0
    e.refused_months[failing] = econ.failure_cash_months
    ess.failures(m)
    assert not e.alive[failing].any()
    held = ess._insertion_posts_by_form(e)
    assert held[EI] == envelope[EI] - freed
    # survivors with clients for more (demand keeping the calibrated utilisation after a
    # step) and spare floor
    e.refused_months[survivors] = 0
    e.pressure[survivors] = econ.utilisation_at_start * (1.0 + econ.growth_step)
    e.floor[survivors] += 10_000.0
    for _ in range(12):
        _redeploy_month(m)
        held = ess._insertion_posts_by_form(e)
        assert (held <= envelope + 1e-9).all()
        if held[EI] == envelope[EI]:
            break
    assert held[EI] == envelope[EI], (held[EI], envelope[EI])
    # the freed posts went to the survivors, with their form's supervisors
    assert e.insertion_posts[survivors].sum() == envelope[EI]


def test_freed_posts_stay_unused_without_clients_for_them():
    m = _model()
    e, econ = m.world.enterprises, m.params.economy
    envelope = m.world.funded_posts_start.copy()
    ei = np.flatnonzero(e.alive & (e.form == EI) & (e.insertion_posts > 0))
    e.refused_months[ei[:1]] = econ.failure_cash_months
    ess.failures(m)
    e.pressure[e.alive] = econ.utilisation_at_start - 0.01  # nobody has the clients
    e.floor[e.alive] += 10_000.0
    for _ in range(6):
        _redeploy_month(m)
    assert ess._insertion_posts_by_form(e)[EI] < envelope[EI]


def test_a_chantiers_rent_ceiling_counts_the_aid_for_its_posts():
    """An ACI lives mostly on the aide au poste: the rent it accepts rests on that income too,
    so the posts redeployed to it can be housed; without posts, sales alone set the ceiling."""
    from sim.markets import premises

    m = _model()
    e, forms = m.world.enterprises, m.world.forms
    aci = LEGAL_FORMS.index("ACI")
    row = np.flatnonzero(e.alive & (e.form == aci) & (e.insertion > 0))[:1]
    assert row.size == 1
    m2 = np.array([100.0])
    with_posts = premises.max_rent_m2(m, row, m2)[0]
    aid = e.insertion[row][0] * forms.fte[aci] * forms.aid_month[aci]
    assert aid > 0
    assert with_posts * 100.0 == pytest.approx(
        m.params.premises.max_rent_share * 12.0
        * (max(e.sales[row][0], m.params.premises.expected_utilisation * e.capacity[row][0])
           + aid))
    e.insertion[row] = 0
    assert premises.max_rent_m2(m, row, m2)[0] < with_posts
