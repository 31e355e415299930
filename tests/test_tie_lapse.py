"""Buyers' supply relationships lapse at the rate that balances month 0 (issue 13, item 1,
``params.mutual_ignorance.stationary_lapse``): without a lapse a buyer keeps a supplier it trusts
for ever and the coverage of needs climbs through a baseline with every trend at zero."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import EcosystemModel
from sim.validation import ZERO_TRENDS
from sim.vocabulary import TieKind

LAPSE = {"params.mutual_ignorance.stationary_lapse": True}
FLAT = dict(o.split("=", 1) for o in ZERO_TRENDS)


def _lapse(**overrides) -> float:
    m = EcosystemModel(rng=0, territory="classroom", horizon_months=1, **LAPSE, **overrides)
    return m.world.industrial_purchasing.tie_lapse_month


def test_the_lapse_follows_discovery_and_is_off_by_default():
    base = _lapse()
    assert 0.0 < base < 0.1
    assert _lapse(**{"params.mutual_ignorance.discovery_rate_month": 0.03}) > base
    assert _lapse(**{"params.mutual_ignorance.discovery_rate_month": 0.0,
                     "params.mutual_ignorance.referral_rate_month": 0.0}) == 0.0
    off = EcosystemModel(rng=0, territory="classroom", horizon_months=1)
    assert off.world.industrial_purchasing.tie_lapse_month == 0.0


def test_lifting_mutual_ignorance_keeps_the_observed_lapse():
    """The rate is set in the observed world: a run lifting brake 1 (every firm meets a
    supplier every month) must not balance against its own discoveries."""
    assert _lapse(**{"params.mutual_ignorance.enabled": False}) == pytest.approx(_lapse())


def test_a_buyer_can_end_a_tie_its_supplier_feeds():
    m = EcosystemModel(rng=1, territory="classroom", horizon_months=2)
    ties, csr = m.world.ties.table, m.world.firms.csr
    m.world.industrial_purchasing.tie_lapse_month = 1.0
    m.step()
    supply = ties.active & (ties.kind == TieKind.SUPPLY)
    assert not (supply & csr[ties.firm]).any()       # every buyer's supply tie ended
    assert (supply & ~csr[ties.firm]).any()          # ties of firms that never buy fade instead


def _deliveries(overrides: dict, seed: int) -> np.ndarray:
    m = EcosystemModel(rng=seed, territory="classroom", horizon_months=120, **FLAT, **overrides)
    out = []
    while m.running:
        m.step()
        out.append(m.now.tie_delivered.sum())
    return np.array(out)


def test_deliveries_to_industry_grow_less_with_the_lapse():
    """Ten years at zero trends: without the lapse the ESS's deliveries to industry more than
    double (classroom, seeds 0-3: x2.2-3.5); with it they grow far less (x1.4-1.9: the
    suppliers' free capacity grows as the productive ones take share, so new ties are fed
    more often than at month 0)."""
    ratios = {}
    for name, overrides in (("off", {}), ("on", LAPSE)):
        d = _deliveries(overrides, seed=1)
        ratios[name] = d[-24:].mean() / d[:24].mean()
    assert ratios["off"] > 2.0
    assert ratios["on"] < 0.8 * ratios["off"]
