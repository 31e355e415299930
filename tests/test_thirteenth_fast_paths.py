"""The thirteenth session's shortcuts in a month's hot paths give what the plain code gives, bit
for bit (issue 20; ``python -m benchmarks.regression`` checks the outputs): a form's room in the
insertion envelopes in Python floats (NumPy's order of summation), and a lease's served requests
gathered once. Each test compares with the code it replaced, kept here as the reference."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents import ess
from sim.ledger import Sector
from sim.markets import premises
from sim.markets.premises import PRIVATE, TRUST, _extend, _held_lease
from sim.model import EcosystemModel
from sim.vocabulary import LEGAL_FORMS

N_FORMS = len(LEGAL_FORMS)


# --- the sums and the room of a form -------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(0.0, 1e9, allow_nan=False), min_size=0, max_size=200))
def test_numpy_sum_is_numpys_sum(values):
    """``_numpy_sum`` adds in NumPy's order: the same float as ``np.add.reduce``, every bit,
    for the short lists it adds itself (< 8 in turn, 8 to 128 in eight running sums) and the
    long ones it hands over."""
    expected = np.add.reduce(np.array(values, dtype=np.float64))
    assert ess._numpy_sum(values) == expected


def test_numpy_sum_order_matters_here():
    """The comparison above can fail: on these eight numbers a sum in turn is another float
    than NumPy's (so ``_numpy_sum`` must follow NumPy's order, not Python's)."""
    values = [1e16, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    in_turn = 0.0
    for v in values:
        in_turn += v
    assert in_turn != np.add.reduce(np.array(values)) == ess._numpy_sum(values)


def _room_reference(held, envelope, may_lend) -> np.ndarray:
    """``_insertion_room`` as the twelfth session ran it once per asking form (NumPy arrays)."""
    return ess._insertion_room(None, held, envelope, may_lend)


def posts(n):
    # posts as the model holds them, and floats of every magnitude, where the order of a sum
    # shows in its last bits
    return st.lists(
        st.one_of(st.integers(0, 5000).map(float), st.floats(0.0, 5000.0), st.floats(0.0, 1e16)),
        min_size=n,
        max_size=n,
    )


@settings(max_examples=600, deadline=None)
@given(
    data=st.data(),
    n=st.sampled_from([N_FORMS, N_FORMS, 5, 11]),
    fungibility=st.one_of(st.sampled_from([0.0, 0.1, 0.5, 1.0]), st.floats(0.0, 1.0)),
)
def test_form_room_is_the_insertion_room(data, n, fungibility):
    """The eight forms (sums inline) and other counts (``_numpy_sum``)."""
    held, envelope = np.array(data.draw(posts(n))), np.array(data.draw(posts(n)))
    may_lend = fungibility * envelope
    expected = _room_reference(held, envelope, may_lend)
    for f in range(n):
        room = ess._form_room(f, held.tolist(), envelope.tolist(), may_lend.tolist())
        assert type(room) is float and room == expected[f]


# inputs where the order of each of the room's three sums (posts borrowed, lendable, unused)
# shows in a form's room: summed in another order than NumPy's, the room is another float
ORDER_SHOWS = [
    (
        2,
        [
            556036322.6757734,
            3573.659305216834,
            0.0,
            0.0,
            0.0,
            70071536791.26259,
            786936387700815.4,
            0.9910375776891148,
        ],
        [
            9193.767079776275,
            466285376492966.6,
            788954715846389.4,
            237401.3608083363,
            8563008.274398284,
            8973889294103.865,
            0.8704205262243122,
            8737705100.01444,
        ],
        0.1,
    ),
    (
        0,
        [
            9.250825744482377,
            428025578310.128,
            5331782.342446178,
            0.9036389757996022,
            8108678772973605.0,
            0.0,
            0.0,
            1.1147200586104133,
        ],
        [
            83183943548068.12,
            4296529084565386.0,
            39467100.09138882,
            974149507238.632,
            3543489673509009.5,
            917519245350501.0,
            5.097457300870767,
            104626816573543.56,
        ],
        1.0,
    ),
    (
        0,
        [
            0.0,
            47226403850002.54,
            14766.313829873834,
            739099.8262425693,
            135389740387.44989,
            7084755989.160056,
            0.0,
            2280.1814890612713,
        ],
        [
            9186538.232575988,
            972.9887478736454,
            7677.054427902187,
            148086.65194686156,
            22408863.844020456,
            0.1039542740429672,
            79838366911464.95,
            82927166149.37015,
        ],
        1.0,
    ),
]


@pytest.mark.parametrize(("f", "held", "envelope", "fungibility"), ORDER_SHOWS)
def test_form_room_sums_in_numpys_order(f, held, envelope, fungibility):
    held, envelope = np.array(held), np.array(envelope)
    may_lend = fungibility * envelope
    room = ess._form_room(f, held.tolist(), envelope.tolist(), may_lend.tolist())
    assert room == _room_reference(held, envelope, may_lend)[f]


def _grant_reference(m, form, wanted, cap=None) -> np.ndarray:
    """``_grant_insertion_posts`` of the twelfth session: each form's room from
    ``_insertion_room`` (NumPy over the forms)."""
    granted = np.zeros_like(wanted)
    asking = form[wanted > 0]
    if asking.size == 0:
        return granted
    held = ess._insertion_posts_by_form(m.world.enterprises)
    cap = None if cap is None else np.broadcast_to(cap, held.shape)
    envelope = ess._envelope(m, m.world.funded_posts_start)
    may_lend = m.params.economy.insertion_envelope_fungibility * envelope
    for f in np.bincount(asking, minlength=held.size).nonzero()[0]:
        of_form = form == f
        room = ess._insertion_room(m, held, envelope, may_lend)[f]
        given_ = ess._ration(wanted[of_form], room if cap is None else min(room, cap[f])).astype(
            granted.dtype, copy=False
        )
        granted[of_form] = given_
        held[f] += given_.sum()
    return granted


@pytest.fixture(scope="module", params=[0.0, 0.1])
def roomy(request, envelope_room_model):
    return envelope_room_model(request.param)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), dtype=st.sampled_from([np.int64, np.int32, np.float64]))
def test_insertion_grants_match_the_numpy_room(roomy, data, dtype):
    n = data.draw(st.integers(0, 40))
    form = np.array(
        data.draw(st.lists(st.integers(0, N_FORMS - 1), min_size=n, max_size=n)), dtype=np.int8
    )
    wanted = np.array(data.draw(st.lists(st.integers(0, 400), min_size=n, max_size=n)), dtype=dtype)
    cap = data.draw(
        st.one_of(
            st.none(),
            st.floats(0, 500),
            st.lists(st.floats(0, 500), min_size=N_FORMS, max_size=N_FORMS).map(np.array),
        )
    )
    fast = ess._grant_insertion_posts(roomy, form, wanted, cap)
    slow = _grant_reference(roomy, form, wanted, cap)
    assert fast.dtype == slow.dtype and fast.tobytes() == slow.tobytes()


# --- a lease ------------------------------------------------------------------------------------
def _lease_reference(m, stream, enterprises, territory, m2, max_rent, extend=False):
    """``premises.lease`` of the twelfth session: the served requests gathered again for each
    use, and every served request's columns gathered through the ``new`` mask."""
    served_mask = np.zeros(enterprises.size, dtype=bool)
    if enterprises.size == 0:
        return served_mask
    w = m.world
    L = w.ledger
    leases = w.premises_market.clear(
        m.streams[stream],
        territory,
        m2,
        max_rent,
        L.territory_floor[:2],
        m.params.premises.acceptance(),
        m.effects.premises,
        m.conditions.rent_index,
    )
    r = leases.request
    if r.size == 0:
        return served_mask
    held = (
        _held_lease(w, enterprises[r], territory[r], leases.stock)
        if extend
        else np.full(r.size, -1, dtype=np.int64)
    )
    grown = held >= 0
    if grown.any():
        _extend(
            L,
            w.sites,
            held[grown],
            leases.stock[grown],
            territory[r][grown],
            m2[r][grown],
            leases.rent_m2_yr[grown],
        )
    new = ~grown
    sites = w.sites.append(
        int(new.sum()),
        open=True,
        enterprise=enterprises[r][new],
        territory=territory[r][new],
        region=w.territory_region[territory[r][new]],
        stock=leases.stock[new],
        rent_m2_yr=leases.rent_m2_yr[new],
        opened=m.month,
    )
    L.grow_sites(w.sites)
    for stock in (PRIVATE, TRUST):
        k = leases.stock[new] == stock
        L.move_floor_to_site(stock, territory[r][new][k], sites[k], m2[r][new][k])
    np.add.at(w.enterprises.floor, enterprises[r], m2[r])
    served_mask[r] = True
    return served_mask


@pytest.fixture(scope="module")
def leasing():
    """A classroom model a few months in, with a land trust (leases from both stocks)."""
    m = EcosystemModel(
        rng=3,
        territory="classroom",
        horizon_months=24,
        policies=["land_trust"],
        **{"params.population.settling_months": 0},
    )
    for _ in range(4):
        m.step()
    return m


def _state(m) -> bytes:
    w = m.world
    parts = [w.sites.n, w.sites.appended]
    parts += [c[: w.sites.n].tobytes() for c in w.sites._columns.values()]
    parts += [
        w.ledger.site_floor.tobytes(),
        w.ledger.territory_floor.tobytes(),
        w.enterprises.floor.tobytes(),
        w.premises_market.trust_shortfall_m2.tobytes(),
        repr(m.streams["premises.growth"].bit_generator.state).encode(),
    ]
    return repr(parts).encode()


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_lease_matches_the_gathers_it_replaced(leasing, data):
    live = leasing.world.enterprises.alive.nonzero()[0]
    n = data.draw(st.integers(0, 12))
    # repeated enterprises and their home territory: held leases are extended, some twice
    rows = live[
        np.array(
            data.draw(st.lists(st.integers(0, min(live.size, 6) - 1), min_size=n, max_size=n)),
            dtype=np.int64,
        )
    ]
    home = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    other = data.draw(
        st.lists(st.integers(0, leasing.world.n_territories - 1), min_size=n, max_size=n)
    )
    territory = np.where(
        np.array(home, dtype=bool),
        leasing.world.enterprises.territory[rows],
        np.array(other, dtype=np.int64),
    ).astype(np.int64)
    m2 = np.array(data.draw(st.lists(st.floats(1.0, 300.0), min_size=n, max_size=n)))
    max_rent = np.array(
        data.draw(st.lists(st.sampled_from([0.0, 50.0, 1e6]), min_size=n, max_size=n))
    )
    extend = data.draw(st.booleans())
    fast, slow = copy.deepcopy(leasing), copy.deepcopy(leasing)
    got = premises.lease(fast, "premises.growth", rows, territory, m2, max_rent, extend=extend)
    want = _lease_reference(slow, "premises.growth", rows, territory, m2, max_rent, extend=extend)
    assert got.tobytes() == want.tobytes()
    assert _state(fast) == _state(slow)


def test_lease_comparison_sees_extensions_and_new_sites(leasing):
    """The comparison above is not vacuous: requests at home with ``extend`` grow a held lease,
    others open sites, and both stocks let floor."""
    m = copy.deepcopy(leasing)
    w = m.world
    m.params.premises = replace(m.params.premises, private_acceptance=1.0)
    # private leases held where the trust has no vacant floor: a request there is let privately
    held = (
        w.sites.open
        & (w.sites.stock == PRIVATE)
        & (w.ledger.territory_floor[TRUST][w.sites.territory] <= 0)
    ).nonzero()[0][:20]
    rows = w.sites.enterprise[held]
    territory = w.sites.territory[held].astype(np.int64)
    sites_before, extended_before = w.sites.n, w.sites.extended_m2[held].copy()
    w.ledger.pay_sector_to_enterprises(Sector.FOUNDERS, rows, np.full(rows.size, 1e7), "test")
    served = premises.lease(
        m,
        "premises.growth",
        rows,
        territory,
        np.full(rows.size, 5.0),
        np.full(rows.size, 1e6),
        extend=True,
    )
    assert served.all() and (w.sites.extended_m2[held] > extended_before).all()
    # where the trust has floor, the same requests open new sites on its stock
    trust_here = np.flatnonzero(w.ledger.territory_floor[TRUST] > 50.0)[:1]
    assert trust_here.size
    more = premises.lease(
        m,
        "premises.growth",
        rows[:3],
        np.repeat(trust_here, 3),
        np.full(3, 5.0),
        np.full(3, 1e6),
        extend=True,
    )
    assert more.all() and w.sites.n == sites_before + 3
    assert (w.sites.stock[sites_before:] == TRUST).all()


# --- adapted posts ------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(
    wanted=st.lists(st.sampled_from([0, 0, 0, 1, 3, 40, 10**6]), min_size=0, max_size=12),
    start=st.sampled_from([None, 0.0, 5.0]),
)
def test_adapted_ration_is_the_ration_at_the_slack(roomy, wanted, start):
    """``_ration_adapted`` gives ``_ration(wanted, adapted_posts_slack(m))`` (the code it
    replaced in ``_hire`` and ``_funded_step``), with room in the envelope, a small one, and
    none at all."""
    wanted = np.array(wanted, dtype=np.int64)
    m = roomy
    saved = m.world.funded_adapted_start
    try:
        if start is not None:
            m.world.funded_adapted_start = start
        fast = ess._ration_adapted(m, wanted)
        slow = ess._ration(wanted, ess.adapted_posts_slack(m))
    finally:
        m.world.funded_adapted_start = saved
    assert fast.dtype == slow.dtype and fast.tobytes() == slow.tobytes()


# --- closing sites ------------------------------------------------------------------------------
def _close_reference(world, site_idx) -> None:
    """``premises.close_sites`` of the twelfth session: every stock's moves made, empty or not."""
    s, L = world.sites, world.ledger
    site_idx = site_idx[s.open[site_idx]]
    np.subtract.at(world.enterprises.host_equipment, s.enterprise[site_idx], s.equipment[site_idx])
    for stock in premises.LANDLORD_SECTOR:
        k = site_idx[s.stock[site_idx] == stock]
        m2 = L.site_floor[k].copy()
        np.subtract.at(world.enterprises.floor, s.enterprise[k], m2)
        L.move_floor_from_site(stock, s.territory[k], k, m2)
    s.open[site_idx] = False


def _world_state(w) -> bytes:
    parts = [c[: w.sites.n].tobytes() for c in w.sites._columns.values()]
    parts += [
        w.ledger.site_floor.tobytes(),
        w.ledger.territory_floor.tobytes(),
        w.enterprises.floor.tobytes(),
        w.enterprises.host_equipment.tobytes(),
    ]
    return repr(parts).encode()


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_close_sites_matches_the_moves_it_skips(leasing, data):
    """Closed sites, sites of one stock only, and empty lists: the same state."""
    w = leasing.world
    n = data.draw(st.integers(0, 10))
    picks = np.array(
        data.draw(st.lists(st.integers(0, w.sites.n - 1), min_size=n, max_size=n, unique=True)),
        dtype=np.int64,
    )
    closed = data.draw(st.lists(st.integers(0, w.sites.n - 1), max_size=4))
    fast, slow = copy.deepcopy(w), copy.deepcopy(w)
    for world in (fast, slow):
        world.sites.open[closed] = False
    premises.close_sites(fast, picks)
    _close_reference(slow, picks)
    assert _world_state(fast) == _world_state(slow)
