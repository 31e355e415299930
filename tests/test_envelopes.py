"""One envelope of funded insertion posts per form (issue 13, item 9): the aide au poste is
budgeted by kind of structure, so a form whose envelope is full cannot hire funded posts when
another form has room, unless the State may move unused posts between forms (fungibility)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.agents import ess
from sim.model import EcosystemModel
from sim.vocabulary import LEGAL_FORMS

SMALL = {"territory": "classroom", "horizon_months": 24, "params.population.settling_months": 0}
ACI, AI = LEGAL_FORMS.index("ACI"), LEGAL_FORMS.index("AI")


def _model(fungibility: float = 0.0):
    return EcosystemModel(rng=3, **SMALL,
                          **{"params.economy.insertion_envelope_fungibility": fungibility})


def _rows_of(m, form):
    e = m.world.enterprises
    return np.flatnonzero(e.alive & (e.form == form) & (e.insertion_posts > 0))


def _fill_every_form_but(m, room_form, room):
    """Size every form's envelope at the posts its living structures hold, ``room_form``'s
    with ``room`` posts to spare."""
    m.world.funded_posts_start = ess._insertion_posts_by_form(m.world.enterprises)
    m.world.funded_posts_start[room_form] += room


def test_envelopes_are_sized_by_form_at_month_0():
    m = _model()
    start = m.world.funded_posts_start
    held = ess._insertion_posts_by_form(m.world.enterprises)
    np.testing.assert_array_equal(start, held)
    assert start[ACI] > 0 and start[AI] > 0


def test_full_form_cannot_hire_although_another_form_has_room():
    m = _model()
    e = m.world.enterprises
    _fill_every_form_but(m, AI, 40)
    aci = _rows_of(m, ACI)
    posts, staff = e.insertion_posts[aci].sum(), e.permanent[aci].sum()
    ess._hire(m, aci, np.full(aci.size, 10))
    assert e.insertion_posts[aci].sum() == posts and e.permanent[aci].sum() == staff
    # the form with room hires, within its room
    ai = _rows_of(m, AI)
    before = e.insertion_posts[ai].sum()
    ess._hire(m, ai, np.full(ai.size, 100))
    assert e.insertion_posts[ai].sum() == before + 40


def test_fungibility_lends_a_share_of_another_forms_unused_posts():
    m = _model(fungibility=0.1)
    e = m.world.enterprises
    _fill_every_form_but(m, AI, 40)
    lendable = min(40, int(0.1 * m.world.funded_posts_start[AI]))
    assert lendable > 0
    aci = _rows_of(m, ACI)
    posts = e.insertion_posts[aci].sum()
    ess._hire(m, aci, np.full(aci.size, 10))
    assert e.insertion_posts[aci].sum() == posts + lendable
    # what was lent is no longer AI's: the total stays within the total envelope
    ai = _rows_of(m, AI)
    ess._hire(m, ai, np.full(ai.size, 100))
    assert e.insertion_posts[e.alive].sum() == m.world.funded_posts_start.sum()


def test_entrant_draws_from_its_forms_envelope():
    m = _model()
    e = m.world.enterprises
    entrant = _rows_of(m, ACI)[:1]
    e.insertion_posts[entrant] = 4
    e.alive[entrant] = False                           # not yet open: outside the envelope
    _fill_every_form_but(m, AI, 40)
    assert not ess._grant_entrant_posts(m, entrant).any()
    m.world.funded_posts_start[ACI] += 3
    e.insertion_posts[entrant] = 4
    assert ess._grant_entrant_posts(m, entrant).all() and e.insertion_posts[entrant[0]] == 3


@pytest.mark.parametrize("fungibility", [0.0, 0.2])
def test_a_run_keeps_each_form_within_its_envelope(fungibility):
    """Twelve months of hiring, redeployment and entries: no form holds more than its envelope
    plus what the others may lend, and all forms together stay within the total."""
    m = EcosystemModel(rng=1, territory="classroom", horizon_months=12,
                       **{"params.population.settling_months": 0,
                          "params.economy.funded_posts_growth_yr": 0.0,
                          "params.economy.insertion_envelope_fungibility": fungibility})
    start = m.world.funded_posts_start.copy()
    e = m.world.enterprises
    while m.running:
        m.step()
        held = ess._insertion_posts_by_form(e)
        assert (held <= start + fungibility * start.sum() + 1e-9).all()
        assert held.sum() <= start.sum()
