"""Public cost by payer (issue 19): every public euro the model books is borne by one of the
ledger's public sectors, the payers' columns are always present and add up to the total, and a
lever's cost lands on the payer that spends it."""

import numpy as np
import pytest

from sim import outcomes
from sim.api import run
from sim.ledger import PUBLIC_PAYERS

BASE = ["progress=false", "territory=tiny", "horizon_months=12", "seed=0"]
COLUMNS = [outcomes.payer_cost(p) for p in outcomes.PAYERS]


def _series(levers: str):
    return run([*BASE, f"policies=[{levers}]"] if levers else BASE).timeseries


def test_payers_are_the_ledger_public_sectors():
    assert set(PUBLIC_PAYERS) == set(outcomes.PAYERS)


@pytest.mark.parametrize("levers", ["", "land_trust", "reserved_markets,impact_vat,hr_pooling"])
def test_payers_add_up_to_the_total_every_month(levers):
    ts = _series(levers)
    assert all(c in ts.columns for c in COLUMNS)
    np.testing.assert_allclose(ts[COLUMNS].sum(axis=1), ts[outcomes.TOTAL], rtol=1e-12)


def test_each_lever_cost_lands_on_its_payer():
    base = _series("")
    assert (base[outcomes.payer_cost("state")] > 0).all()  # aid per insertion post
    assert (base[outcomes.payer_cost("intercommunalities")] == 0).all()
    assert (base[outcomes.payer_cost("public_investment_bank")] == 0).all()
    trust = _series("land_trust")  # public capital through the public investment bank
    assert trust[outcomes.lever_cost("land_trust")].iloc[-1] > 0
    np.testing.assert_allclose(trust[outcomes.payer_cost("public_investment_bank")],
                               trust[outcomes.lever_cost("land_trust")])
    reserved = _series("reserved_markets")  # the public buyers' premium
    assert reserved[outcomes.lever_cost("reserved_markets")].iloc[-1] > 0
    np.testing.assert_allclose(reserved[outcomes.payer_cost("intercommunalities")],
                               reserved[outcomes.lever_cost("reserved_markets")])
