"""The twelfth session's shortcuts in a month's hot paths give what the plain code gives, bit
for bit (issue 20; ``python -m benchmarks.regression`` checks the outputs): public contracts by
buyer with each buyer's rows gathered once, empty floor moves skipped, the Table's views
refreshed in one update, and insertion grants summed without gathering them again. Each test
compares with the code it replaced, kept here as the reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents import ess
from sim.ledger import Ledger, LedgerError
from sim.markets.procurement import contracted_work_by_buyer
from sim.model import EcosystemModel
from sim.state import Table
from sim.vocabulary import LEGAL_FORMS

SMALL = {"territory": "classroom", "horizon_months": 24, "params.population.settling_months": 0}


@pytest.fixture(scope="module")
def model():
    m = EcosystemModel(rng=3, **SMALL)
    for _ in range(6):
        m.step()
    assert m.world.contracts.n > 0  # contracts in force, from month 0's and the awards since
    return m


def _by_buyer_reference(m) -> dict[int, np.ndarray]:
    """``contracted_work_by_buyer`` before the session."""
    c = m.world.contracts
    live = np.flatnonzero(c.end_month > m.month)
    buyer = c.buyer[live]
    return {int(b): np.bincount(c.enterprise[live[buyer == b]],
                                weights=c.monthly_value[live[buyer == b]],
                                minlength=m.world.enterprises.n)
            for b in np.unique(buyer)}


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_contracts_by_buyer_match_the_per_buyer_masks(model, data):
    c = model.world.contracts
    saved = c.buyer.copy(), c.end_month.copy(), model.month
    try:
        # buyers reshuffled (some absent, in any order), contracts ending before and after now
        c.buyer[:] = np.array(data.draw(st.lists(st.integers(0, 5), min_size=c.n,
                                                 max_size=c.n)), dtype=c.buyer.dtype)
        model.month = data.draw(st.integers(0, int(c.end_month.max()) + 1))
        fast, slow = contracted_work_by_buyer(model), _by_buyer_reference(model)
        assert list(fast) == list(slow)  # the same buyers, in the same (ascending) order
        assert all(type(b) is int for b in fast)
        for b in slow:
            assert fast[b].tobytes() == slow[b].tobytes()
    finally:
        c.buyer[:], c.end_month[:], model.month = saved


def test_contracts_by_buyer_in_the_model_used(model):
    """The comparison above is not vacuous: the model's contracts have buyers and values."""
    by_buyer = contracted_work_by_buyer(model)
    assert by_buyer and sum(float(v.sum()) for v in by_buyer.values()) > 0
    assert list(by_buyer) == sorted(by_buyer)


def _floor_ledger() -> Ledger:
    ledger = Ledger(3)
    ledger.territory_floor[:] = np.arange(12.0).reshape(4, 3) * 10
    ledger.site_floor = np.array([5.0, 0.0, 7.5])
    return ledger


@pytest.mark.parametrize("move", ["to_site", "from_site"])
def test_an_empty_floor_move_changes_nothing_and_real_moves_still_move(move):
    ledger = _floor_ledger()
    before = ledger.territory_floor.copy(), ledger.site_floor.copy()
    empty = np.zeros(0, dtype=np.int64)
    getattr(ledger, f"move_floor_{move}")(1, empty, empty, np.zeros(0))
    getattr(ledger, f"move_floor_{move}")(1, [], [], [])
    assert ledger.territory_floor.tobytes() == before[0].tobytes()
    assert ledger.site_floor.tobytes() == before[1].tobytes()
    getattr(ledger, f"move_floor_{move}")(1, [2, 2], [0, 0], [1.0, 2.0])
    sign = -1 if move == "to_site" else 1
    assert ledger.territory_floor[1, 2] == before[0][1, 2] + sign * 3.0
    assert ledger.site_floor[0] == before[1][0] - sign * 3.0


def test_floor_moves_still_refuse_what_they_refused():
    """Overdrawing a stock or a site raises as before, and a move whose m² do not match its
    territories is not taken for an empty one."""
    ledger = _floor_ledger()
    with pytest.raises(LedgerError):
        ledger.move_floor_to_site(0, [0], [1], [1.0])  # territory 0's private stock is 0 m²
    with pytest.raises(LedgerError):
        _floor_ledger().move_floor_from_site(2, [1], [1], [1.0])  # site 1 holds 0 m²
    with pytest.raises(ValueError):
        _floor_ledger().move_floor_to_site(1, [0], [0], np.zeros(0))
    with pytest.raises(ValueError):
        _floor_ledger().move_floor_from_site(1, [0], [0], np.zeros(0))


@settings(max_examples=60, deadline=None)
@given(counts=st.lists(st.integers(0, 70), min_size=1, max_size=8), compact=st.booleans())
def test_table_views_are_the_columns_live_rows(counts, compact):
    table = Table({"a": np.int64, "b": np.float64}, capacity=4)
    for k, count in enumerate(counts):
        table.append(count, a=np.arange(count) + k, b=float(k))
        for name, column in table._columns.items():
            view = getattr(table, name)
            assert view.base is column or view.base is column.base
            assert view.size == table.n and view.tobytes() == column[: table.n].tobytes()
    if compact and table.n:
        table.compact(table.a % 2 == 0)
        assert table.a.size == table.n and (table.a % 2 == 0).all()
        table.a[:] += 1  # a view writes through to its column
        assert table._columns["a"][: table.n].tobytes() == table.a.tobytes()


def _grant_reference(m, form, wanted, cap=None) -> np.ndarray:
    """``_grant_insertion_posts`` of the eleventh session: the cap broadcast and each form's
    grant gathered again to be summed."""
    granted = np.zeros_like(wanted)
    asking = form[wanted > 0]
    if asking.size == 0:
        return granted
    held = ess._insertion_posts_by_form(m.world.enterprises)
    cap = np.broadcast_to(np.inf if cap is None else cap, held.shape)
    for f in np.flatnonzero(np.bincount(asking, minlength=held.size)):
        of_form = form == f
        room = ess._insertion_room(m, held)[f]
        granted[of_form] = ess._ration(wanted[of_form], min(room, cap[f]))
        held[f] += granted[of_form].sum()
    return granted


@pytest.fixture(scope="module")
def roomy(envelope_room_model):
    return envelope_room_model(0.1)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), dtype=st.sampled_from([np.int64, np.int32, np.float64]))
def test_insertion_grants_match_in_any_dtype(roomy, data, dtype):
    """Grants in the dtype of the asks (int32 and float asks too: ``_ration`` returns int64
    when it rations, which ``granted`` casts), held summed as before."""
    n = data.draw(st.integers(0, 30))
    form = np.array(data.draw(st.lists(st.integers(0, len(LEGAL_FORMS) - 1), min_size=n,
                                       max_size=n)), dtype=np.int8)
    wanted = np.array(data.draw(st.lists(st.integers(0, 400), min_size=n, max_size=n)),
                      dtype=dtype)
    cap = data.draw(st.one_of(st.none(), st.floats(0, 500), st.lists(
        st.floats(0, 500), min_size=len(LEGAL_FORMS), max_size=len(LEGAL_FORMS)).map(np.array)))
    fast = ess._grant_insertion_posts(roomy, form, wanted, cap)
    slow = _grant_reference(roomy, form, wanted, cap)
    assert fast.dtype == slow.dtype and fast.tobytes() == slow.tobytes()
