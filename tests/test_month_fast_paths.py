"""The eleventh session's shortcuts in a month's hot paths give what the plain code gives, bit
for bit (issue 20; ``python -m benchmarks.regression`` checks the outputs): insertion posts
granted with the envelopes computed once a call, the bank's screen without a second pass when
no application has guarantee cover, and the ledger's refusal of bad amounts in two reductions.
Each test compares with the code it replaced, kept here as the reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents import ess
from sim.brakes import FinanceAccess
from sim.ledger import Ledger, LedgerError, Sector
from sim.markets.credit import CreditMarket
from sim.vocabulary import LEGAL_FORMS


def _grant_reference(m, form, wanted, cap=None) -> np.ndarray:
    """``_grant_insertion_posts`` before the session: the room recomputed whole for each form."""
    held = ess._insertion_posts_by_form(m.world.enterprises)
    cap = np.broadcast_to(np.inf if cap is None else cap, held.shape)
    granted = np.zeros_like(wanted)
    for f in np.unique(form[wanted > 0]):
        of_form = form == f
        room = ess._insertion_room(m, held)[f]
        granted[of_form] = ess._ration(wanted[of_form], min(room, cap[f]))
        held[f] += granted[of_form].sum()
    return granted


@pytest.fixture(scope="module", params=[0.0, 0.1])
def model(request, envelope_room_model):
    return envelope_room_model(request.param)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_insertion_grants_match_the_per_form_loop(model, data):
    n = data.draw(st.integers(0, 40))
    form = np.array(data.draw(st.lists(st.integers(0, len(LEGAL_FORMS) - 1), min_size=n,
                                       max_size=n)), dtype=np.int8)
    # small and large asks: some forms within their room, some rationed
    wanted = np.array(data.draw(st.lists(st.integers(0, 400), min_size=n, max_size=n)),
                      dtype=np.int64)
    cap = data.draw(st.one_of(st.none(), st.floats(0, 500), st.lists(
        st.floats(0, 500), min_size=len(LEGAL_FORMS), max_size=len(LEGAL_FORMS)).map(np.array)))
    fast = ess._grant_insertion_posts(model, form, wanted, cap)
    slow = _grant_reference(model, form, wanted, cap)
    assert fast.dtype == slow.dtype and fast.tobytes() == slow.tobytes()


def test_grants_are_rationed_in_the_model_used(model):
    """The comparison above is not vacuous: asks beyond every envelope are cut, small asks
    are served."""
    form = np.repeat(np.arange(len(LEGAL_FORMS), dtype=np.int8), 2)
    wanted = np.full(form.size, 10**6, dtype=np.int64)
    granted = ess._grant_insertion_posts(model, form, wanted)
    assert 0 < granted.sum() < wanted.sum()
    assert ess._grant_insertion_posts(model, form[:1], np.array([1])).sum() == 1


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_screen_marks_cover_as_the_two_pass_screen(data):
    brake = FinanceAccess()
    market = CreditMarket(brake, np.linspace(0.6, 1.1, len(LEGAL_FORMS)))
    n = data.draw(st.integers(1, 30))
    form = np.array(data.draw(st.lists(st.integers(0, len(LEGAL_FORMS) - 1), min_size=n,
                                       max_size=n)))
    young = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    losing = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    cover = np.array(data.draw(st.one_of(
        st.lists(st.sampled_from([0.0, -0.0]), min_size=n, max_size=n),
        st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n))))
    leverage = np.array(data.draw(st.lists(st.floats(0.0, 60.0), min_size=n, max_size=n)))
    seed = data.draw(st.integers(0, 2**32 - 1))
    needs = np.ones(n, dtype=bool)  # filled by the screen, whatever it held
    approved = market.screen(np.random.default_rng(seed), form, young, losing, cover,
                             jobs=np.full(n, 5), leverage=leverage, needs_cover=needs)
    # the reference: both passes, always
    draw = np.random.default_rng(seed).random(n)
    args = (market.form_factor[form], young, losing)
    p = brake.approval_probability(*args, cover, np.full(n, 5) < brake.small_firm_jobs,
                                   False, leverage)
    uncovered = brake.approval_probability(*args, 0.0, np.full(n, 5) < brake.small_firm_jobs,
                                           False, leverage)
    assert np.array_equal(approved, draw < p)
    assert np.array_equal(needs, (draw < p) & (draw >= uncovered))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, -1.0, -1e-300])
def test_ledger_refuses_a_bad_amount_anywhere_in_a_batch(bad):
    ledger = Ledger(3)
    ledger.grow_enterprises(3)
    with pytest.raises(LedgerError, match="negative or non-finite"):
        ledger.pay_sector_to_enterprises(Sector.STATE, np.arange(3), [1.0, bad, 2.0], "aid")


def test_ledger_accepts_zeros_of_both_signs_and_large_amounts():
    ledger = Ledger(3)
    ledger.grow_enterprises(3)
    ledger.pay_sector_to_enterprises(Sector.STATE, np.arange(3), [0.0, -0.0, 1e300], "aid")
