"""`automation.plan` computes every share of every producer in one pass; it must choose what
the share-by-share loop it replaced chose, bit for bit (issue 20: same outputs)."""

from __future__ import annotations

from functools import cache

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents import automation
from sim.config import load_config
from sim.model import EcosystemModel

CONFIGS = (
    (),
    ("params.automation.machine_eur_per_fte=40000", "params.automation.machine_fixed_eur=0",
     "scenario.interest_rate_yr=0.0", "params.automation.insertion_min_share=0",
     "params.automation.adapted_min_share=0"),
    ("params.automation.machine_eur_per_fte=40000", "params.automation.machine_fixed_eur=0",
     "scenario.interest_rate_yr=0.0"),
    ("params.automation.machine_eur_per_fte=60000", "params.automation.machine_fixed_eur=200000",
     "params.automation.insertion_min_share=0.3"),
)


@cache
def _model(config: int) -> EcosystemModel:
    m = EcosystemModel(load_config(["territory=tiny", "progress=false", "horizon_months=3",
                                    *CONFIGS[config]]), rng=5)
    for _ in range(3):
        m.step()
    return m


def _plan_by_share(m, rows, delta):
    """The loop `plan` had before (share by share, largest first, undecided producers only)."""
    w, econ = m.world, m.params.economy
    per_job = automation.output_per_job(w, econ, rows)
    labour = automation.labour_cost_per_output(w, econ, rows)
    own_workshop = w.forms.on_site[w.enterprises.form[rows]] > 0
    machine, operators, hires = np.zeros(rows.size), np.zeros(rows.size, np.int64), delta.copy()
    undecided = np.flatnonzero(own_workshop)
    for share in automation.SHARES[:-1]:
        if undecided.size == 0:
            break
        u_rows, u_delta = rows[undecided], delta[undecided]
        rest = np.round((1.0 - share) * u_delta).astype(np.int64)
        m_out, ops, per_output = automation.machine_route(m, u_rows,
                                                          (u_delta - rest) * per_job[undecided])
        chosen = ((m_out > 0) & (per_output < labour[undecided])
                  & automation.within_mission(w, m.params, u_rows, ops, rest))
        at = undecided[chosen]
        machine[at], operators[at], hires[at] = m_out[chosen], ops[chosen], rest[chosen]
        undecided = undecided[~chosen]
    return machine, operators, hires


@settings(max_examples=60, deadline=None)
@given(config=st.integers(0, len(CONFIGS) - 1), data=st.data())
def test_one_pass_chooses_what_the_share_by_share_loop_chose(config, data):
    m = _model(config)
    n = m.world.enterprises.n
    rows = np.array(data.draw(st.lists(st.integers(0, n - 1), max_size=40)), dtype=np.int64)
    delta = np.array(data.draw(st.lists(st.integers(1, 400), min_size=rows.size,
                                        max_size=rows.size)), dtype=np.int64)
    new, old = automation.plan(m, rows, delta), _plan_by_share(m, rows, delta)
    for a, b in zip(new, old, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.tobytes() == b.tobytes()


def test_the_property_test_meets_every_kind_of_choice():
    """The comparison above is not vacuous: its models hold producers that automate their
    whole step, part of it (the mission binds), and none of it."""
    kinds = set()
    for config in (1, 2, 3):
        m = _model(config)
        rows = np.flatnonzero(m.world.enterprises.alive)
        for step in (1, 40):
            machine, _, hires = automation.plan(m, rows, np.full(rows.size, step, np.int64))
            kinds |= {"whole" if h == 0 else "part" if x > 0 else "none"
                      for x, h in zip(machine, hires, strict=True)}
    assert kinds == {"whole", "part", "none"}
