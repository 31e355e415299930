"""Adapted enterprises (EA) keep the supervisors their accounts are set on: drawn at the form's
ratio of permanent staff per adapted post, hired at that ratio with the adapted posts they are
granted one or two at a time, and a growth step is sized on the posts the State funds (issue 13:
EA permanent staff fell 884 -> 702 in ten years at zero trends while their posts held)."""

from __future__ import annotations

import numpy as np

from sim.agents import ess
from sim.model import EcosystemModel
from sim.vocabulary import LEGAL_FORMS

SMALL = {"territory": "classroom", "horizon_months": 24, "params.population.settling_months": 0}
EA = LEGAL_FORMS.index("EA")
SCOP = LEGAL_FORMS.index("SCOP")


def _ratio(m) -> float:
    share = m.world.forms.adapted_share[EA]
    return (1.0 - share) / share  # EA: 10 permanent staff for 50 adapted posts, 0.2


def _eas(m) -> np.ndarray:
    e = m.world.enterprises
    rows = np.flatnonzero(e.alive & (e.form == EA) & (e.adapted > 0))
    assert rows.size > 0
    return rows


def test_adapted_enterprises_are_drawn_at_the_forms_supervision_ratio():
    """Each EA's accounts are calibrated on its own mix: its permanent staff is the form's
    share of its adapted posts (at least one), not an independent draw."""
    m = EcosystemModel(rng=3, **SMALL)
    e = m.world.enterprises
    rows = _eas(m)
    expected = np.maximum(np.round(e.adapted[rows] * _ratio(m)), 1)
    assert (e.permanent[rows] == expected).all(), (e.permanent[rows], expected)


def test_adapted_posts_granted_one_at_a_time_bring_their_supervisors():
    """Twenty single adapted posts (redeployed one at a time) hire the form's 0.2 supervisor a
    post, four in all: rounding each step's supervisors hired none."""
    m = EcosystemModel(rng=3, **SMALL)
    m.world.funded_adapted_start += 1000.0  # room in the envelope
    e = m.world.enterprises
    row = _eas(m)[:1]
    staff, posts = e.permanent[row].sum(), e.adapted[row].sum()
    for _ in range(20):
        ess._hire(m, row, np.array([1]))  # a step of one job: one adapted post (share 0.83)
    assert e.adapted[row].sum() - posts == 20
    hired = e.permanent[row].sum() - staff
    assert abs(hired - 20 * _ratio(m)) <= 1, hired


def test_a_growth_step_is_sized_on_the_posts_the_envelope_funds():
    """With the adapted envelope full an EA's step has no job to fit out or equip; with room,
    its posts and their supervisors. Forms without funded posts keep their step."""
    m = EcosystemModel(rng=3, **SMALL)
    w = m.world
    e = w.enterprises
    ea = _eas(m)[:1]
    w.funded_adapted_start = float(e.adapted[np.flatnonzero(e.alive)].sum())  # no slack
    assert ess._funded_step(m, ea, np.array([12])).tolist() == [0]
    w.funded_adapted_start += 1000.0
    assert ess._funded_step(m, ea, np.array([12])).tolist() == [12]  # 10 posts + 2 supervisors
    scop = np.flatnonzero(e.alive & (e.form == SCOP))[:1]
    if scop.size:
        assert ess._funded_step(m, scop, np.array([5])).tolist() == [5]
