"""The ledger's fast paths give the bits ``np.add.at`` and ``np.subtract.at`` give: settlement
pays every enterprise row through a slice, and a large payment from enterprises skips its +0.0
amounts (closed sites' rents). Balances and flow totals must not move by one bit, or the
outputs' bytes would (``python -m benchmarks.regression``)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.ledger import N_SECTORS, SKIP_ZEROS_FROM, Ledger, Sector

# amounts as settlement and rents have them: many exact zeros, both signs of zero, tiny and
# large values; balances of both signs, -0.0 included
amount = st.one_of(st.just(0.0), st.just(-0.0), st.floats(0.0, 1e9, allow_subnormal=True))
balance = st.one_of(st.just(0.0), st.just(-0.0), st.floats(-1e9, 1e9, allow_subnormal=True))


def _ledger(balances) -> Ledger:
    ledger = Ledger(3)
    ledger.grow_enterprises(len(balances))
    ledger.money[N_SECTORS : N_SECTORS + len(balances)] = balances
    ledger.money[:N_SECTORS] = np.linspace(-5e8, 5e8, N_SECTORS)
    return ledger


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.tobytes() == b.tobytes()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(balance, amount), min_size=1, max_size=60))
def test_slice_payments_are_add_at(pairs):
    balances, amounts = (np.array(x) for x in zip(*pairs, strict=True))
    n = len(pairs)
    for pay in ("in", "out"):
        fast, slow = _ledger(balances), _ledger(balances)
        if pay == "in":
            fast.pay_sector_to_enterprises(Sector.STATE, slice(0, n), amounts, "aid")
            slow.pay_sector_to_enterprises(Sector.STATE, np.arange(n), amounts, "aid")
        else:
            fast.pay_enterprises_to_sector(slice(0, n), amounts, Sector.STATE, "wages")
            slow.pay_enterprises_to_sector(np.arange(n), amounts, Sector.STATE, "wages")
        assert _same_bits(fast.money, slow.money)
        assert fast.flows == slow.flows and fast.gross_flow == slow.gross_flow


@settings(max_examples=60, deadline=None)
@given(st.lists(balance, min_size=1, max_size=40), st.data())
def test_skipping_zero_amounts_is_subtract_at(balances, data):
    """Rows repeated (an enterprise pays several sites' rents) and +0.0/-0.0 amounts: the
    balances and the flow total are those of ``np.subtract.at`` over every amount."""
    n = len(balances)
    size = SKIP_ZEROS_FROM + data.draw(st.integers(0, 200))
    idx = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=size, max_size=size)))
    amounts = np.array(data.draw(st.lists(amount, min_size=size, max_size=size)))
    ledger = _ledger(np.array(balances))
    expected = ledger.money.copy()
    np.subtract.at(expected, N_SECTORS + idx, amounts)
    expected[Sector.LAND_TRUSTS] += float(amounts.sum())
    ledger.pay_enterprises_to_sector(idx, amounts, Sector.LAND_TRUSTS, "rent")
    assert _same_bits(ledger.money, expected)
    assert ledger.flows["rent"] == float(amounts.sum())


def test_a_slice_must_match_its_amounts():
    ledger = _ledger(np.zeros(4))
    with pytest.raises(ValueError):
        ledger.pay_sector_to_enterprises(Sector.STATE, slice(0, 3), np.ones(4), "aid")
