"""Public cost by payer (issue 19): every public euro the model books is borne by one of the
ledger's public sectors, the payers' columns are always present and add up to the total, and a
lever's cost lands on the payer that spends it."""

import numpy as np
import pytest

from sim import outcomes
from sim.api import run
from sim.config import ConfigError, load_config
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
    assert (base[outcomes.payer_cost("departements")] == 0).all()
    reserved = _series("reserved_markets")  # the public buyers' premium, split by buyer
    premium = reserved[outcomes.lever_cost("reserved_markets")].iloc[-1]
    assert premium > 0
    final = reserved.iloc[-1]
    assert 0 < final[outcomes.payer_cost("intercommunalities")] < premium
    assert 0 < final[outcomes.payer_cost("departements")] < premium


SHARES = ("state", "regions", "departements", "communes")


def _bought_by(buyer: str):
    """A reserved-markets run whose lots are all bought by one buyer."""
    shares = [f"params.procurement.buyer_share_{b}={float(b == buyer)}" for b in SHARES]
    return run([*BASE, "policies=[reserved_markets]", *shares]).timeseries


def test_the_premium_is_booked_to_the_buyer_of_each_lot():
    """Only State-bought lots: no premium on the intercommunalities, Regions or départements;
    the same run with only communes' lots moves the whole premium from the State to them."""
    state, communes = _bought_by("state"), _bought_by("communes")
    premium = state[outcomes.lever_cost("reserved_markets")]
    assert premium.iloc[-1] > 0
    # who buys changes who pays, nothing else
    np.testing.assert_array_equal(premium, communes[outcomes.lever_cost("reserved_markets")])
    np.testing.assert_array_equal(state["ess_jobs_permanent"], communes["ess_jobs_permanent"])
    for payer in ("intercommunalities", "departements"):
        assert (state[outcomes.payer_cost(payer)] == 0).all()
    assert (communes[outcomes.payer_cost("departements")] == 0).all()
    np.testing.assert_allclose(communes[outcomes.payer_cost("intercommunalities")], premium)
    np.testing.assert_allclose(state[outcomes.payer_cost("state")]
                               - communes[outcomes.payer_cost("state")], premium)
    np.testing.assert_array_equal(state[outcomes.payer_cost("regions")],
                                  communes[outcomes.payer_cost("regions")])


def test_the_premium_follows_the_buyer_shares():
    """Each award's buyer is drawn with the shares: over many awards each payer bears about its
    share of the premium (the default shares: State 41%, départements 15%, communes 42%)."""
    ts = run(["progress=false", "territory=classroom", "horizon_months=36", "seed=1",
              "policies=[reserved_markets]", "params.procurement.buyer_share_regions=0",
              ]).timeseries
    final = ts.iloc[-1]
    premium = final[outcomes.lever_cost("reserved_markets")]
    for payer, share in (("departements", 0.147), ("intercommunalities", 0.424)):
        assert final[outcomes.payer_cost(payer)] / premium == pytest.approx(share / 0.982,
                                                                             abs=0.05)


def test_buyer_shares_all_zero_are_refused_in_one_line():
    with pytest.raises(ConfigError) as error:
        load_config(["policies=[reserved_markets]",
                     *(f"params.procurement.buyer_share_{b}=0" for b in SHARES)])
    assert "params.procurement.buyer_share" in str(error.value)
    assert "\n" not in str(error.value)
