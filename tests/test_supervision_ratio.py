"""Insertion structures keep their form's supervisors per post when posts come one at a time,
and redeployed posts go only to structures with the clients for them (the EI margin check
failed when both drifted: sim/validation.py, check 5)."""

from __future__ import annotations

import numpy as np

from sim.agents import ess
from sim.model import EcosystemModel
from sim.vocabulary import LEGAL_FORMS

SMALL = {"territory": "classroom", "horizon_months": 24, "params.population.settling_months": 0}
EI = LEGAL_FORMS.index("EI")


def _model():
    m = EcosystemModel(rng=3, **SMALL)
    m.world.funded_posts_start = m.world.funded_posts_start + 1000.0  # room for every form
    return m


def _an_ei(m):
    e = m.world.enterprises
    rows = np.flatnonzero(e.alive & (e.form == EI) & (e.insertion_posts > 0))
    assert rows.size > 0
    return rows[:1]


def test_posts_granted_one_at_a_time_keep_the_forms_supervision_ratio():
    """Twenty single posts hire the form's ratio of supervisors (EI: 9 per 16 posts), not one
    supervisor per post as rounding each step of two jobs did."""
    m = _model()
    e, forms = m.world.enterprises, m.world.forms
    row = _an_ei(m)
    staff = e.permanent[row].sum()
    share = forms.insertion_share[EI]
    for _ in range(20):
        ess._hire(m, row, np.array([2]))  # a step of two jobs: one post (EI share 0.64)
    ratio = (1 - share) / share
    hired = e.permanent[row].sum() - staff
    assert abs(hired - 20 * ratio) <= 1, (hired, 20 * ratio)


def test_redeployed_posts_skip_a_structure_without_clients_for_them():
    m = _model()
    e, econ = m.world.enterprises, m.params.economy
    row = _an_ei(m)
    e.refused_months[row] = 0
    e.floor[row] += 10_000.0  # spare floor: no lease needed
    m.world.posts_unclaimed_by_entrants = (1000.0, 0.0)
    calibrated = econ.utilisation_at_start * (1.0 + econ.growth_step)  # after the step
    e.pressure[row] = calibrated - 0.01
    posts = e.insertion_posts[row].sum()
    ess.redeploy_posts(m)
    assert e.insertion_posts[row].sum() == posts
    e.pressure[row] = calibrated + 0.01
    ess.redeploy_posts(m)
    assert e.insertion_posts[row].sum() > posts
