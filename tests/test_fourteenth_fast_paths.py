"""The fourteenth session's shortcuts give what the plain code gives, bit for bit (issue 20;
``python -m benchmarks.regression`` checks the outputs): Mesa's data collection without a deep
copy of each float, trust updated with the decay added as a scalar, consortium lots over the
trusted ties kept. Each test compares with the code it replaced, kept here as the reference."""

from __future__ import annotations

import copy

import mesa
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.grouping import GroupIndex
from sim.markets import b2b, feedstock, implants, procurement
from sim.metrics import SeriesCollector
from sim.model import EcosystemModel
from sim.vocabulary import TieKind


# --- data collection -----------------------------------------------------------------------------
def test_series_collector_collects_what_mesas_collects():
    """Month by month, the same values of the same types as Mesa's own ``DataCollector`` fed
    the same reporters, and the same collection steps."""
    m = EcosystemModel(rng=2, territory="tiny", horizon_months=5, policies=["land_trust"])
    assert type(m.datacollector) is SeriesCollector and m.datacollector._fast
    reference = mesa.DataCollector(model_reporters=m.metrics.reporters())
    while m.running:
        m.step()
        reference.collect(m)
    got, want = m.datacollector, reference
    assert list(got.model_vars) == list(want.model_vars)
    for name, values in want.model_vars.items():
        assert [type(v) for v in got.model_vars[name]] == [type(v) for v in values], name
        assert got.model_vars[name] == values, name
    assert got._collection_steps == want._collection_steps
    assert got.get_model_vars_dataframe().equals(want.get_model_vars_dataframe())


class _Holder:
    def __init__(self):
        self.time, self.values = 0, [1.0]

    def current(self):  # a method, not a lambda: Mesa's own collect
        return self.values[-1]


def test_series_collector_copies_what_is_not_a_number():
    """A reporter that returns a mutable value is deep-copied as Mesa copies it; one that is
    not a lambda goes through Mesa's own ``collect``."""
    holder = _Holder()
    collector = SeriesCollector({"list": lambda h: h.values, "n": lambda h: len(h.values)})
    assert collector._fast
    for _ in range(3):
        collector.collect(holder)
        holder.values.append(holder.values[-1] + 1.0)
    assert collector.model_vars["list"] == [[1.0], [1.0, 2.0], [1.0, 2.0, 3.0]]
    assert collector.model_vars["n"] == [1, 2, 3]
    method = SeriesCollector({"current": holder.current})
    assert not method._fast
    method.collect(holder)
    assert method.model_vars["current"] == [4.0]


# --- trust ---------------------------------------------------------------------------------------
def _update_trust_reference(m) -> None:
    """``b2b.update_trust`` as the thirteenth session ran it (``np.full`` of the change)."""
    w, mi = m.world, m.params.mutual_ignorance
    ties = w.ties.table
    live = ties.active.nonzero()[0]
    firm = ties.firm[live]
    territory = w.firms.territory[firm]
    kind = ties.kind[live]
    bought = (m.now.tie_spend[live] > 0).nonzero()[0]
    ordered_ties = live[bought]
    delivered = m.now.tie_delivered[ordered_ties] / m.now.tie_spend[ordered_ties]
    gain = mi.trust_gain * (1.0 + m.effects.ties.trust_gain_boost[territory[bought]])
    change = np.full(live.size, 0.0 - mi.trust_decay)
    change[bought] = gain * (2 * delivered - 1) - mi.trust_decay
    trust = np.clip(ties.trust[live] + change, 0.0, 1.0)
    ties.trust[live] = trust
    ties.last_order[ordered_ties] = m.month
    rng = m.streams["b2b.implants"]
    candidate = (rng.random(live.size) < m.effects.ties.implant_rate[territory]) & (
        kind == TieKind.SUPPLY
    )
    implanted = implants.open_implants(m, live[candidate])
    ties.kind[implanted] = TieKind.IMPLANT
    ties.trust[implanted] = 1.0
    ties.last_order[implanted] = m.month
    ties.site[implanted] = np.arange(w.sites.n - implanted.size, w.sites.n)
    m.now.implants = int(implanted.size)
    at = np.searchsorted(live, implanted)
    kind[at] = TieKind.IMPLANT
    trust[at] = 1.0
    kind[b2b.end_idle_implants(m, live, kind)] = TieKind.SUPPLY
    supply = kind == TieKind.SUPPLY
    buyers = w.industrial_purchasing.buyers(w.firms, m.effects.ties.committed_buyers)
    lapsed = (
        m.streams["b2b.lapse"].random(live.size) < w.industrial_purchasing.tie_lapse_month
    ) & buyers[firm]
    w.ties.drop(live[supply & ((trust <= 0) | lapsed)], m.month, m.events)


@pytest.fixture(scope="module")
def cooperating():
    """A classroom model a year in, with the industrial cooperation lever (implants, consortium
    lots) and matchmaking (more ties)."""
    m = EcosystemModel(
        rng=5,
        territory="classroom",
        horizon_months=36,
        policies=["industrial_cooperation", "matchmaking"],
    )
    for _ in range(12):
        m.step()
    assert m.world.ties.table.active.sum() > 20
    return m


def _ties_state(m) -> bytes:
    w = m.world
    parts = [
        w.ties.table.n,
        w.sites.n,
        m.now.implants,
        m.events._total,
        sorted(m.events._counts.items()),
    ]
    parts += [c[: w.ties.table.n].tobytes() for c in w.ties.table._columns.values()]
    parts += [c[: w.sites.n].tobytes() for c in w.sites._columns.values()]
    parts += [w.ledger.site_floor.tobytes(), w.ledger.territory_floor.tobytes()]
    parts += [w.firms.ess_ties.tobytes(), w.enterprises.floor.tobytes()]
    parts += [w.ties.index.keys.tobytes()]
    for name in ("b2b.implants", "b2b.lapse"):
        parts.append(repr(m.streams[name].bit_generator.state))
    return repr(parts).encode()


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_update_trust_matches_the_full_change(cooperating, data):
    """On random trust (0, 1, and between), spend and deliveries (none, partial, full, more),
    decay and gain, the same trust, implants and lost ties as the code it replaced."""
    m = copy.deepcopy(cooperating)
    ties, n = m.world.ties.table, m.world.ties.table.n
    seed = data.draw(st.integers(0, 2**32 - 1))
    r = np.random.default_rng(seed)
    ties.trust[:n] = r.choice([0.0, 1.0, 0.3, 0.05, 0.999], n) * r.choice([1.0, r.random()], n)
    spend = r.choice([0.0, 100.0, 1e-300, 3.7], n) * r.random(n)
    m.now.tie_spend = spend
    m.now.tie_delivered = spend * r.choice([0.0, 0.5, 1.0, r.random()], n)
    mi = m.params.mutual_ignorance
    decay = data.draw(st.sampled_from([0.0, mi.trust_decay, 0.3]))
    gain = data.draw(st.sampled_from([0.0, mi.trust_gain, 0.7]))
    object.__setattr__(mi, "trust_decay", decay)
    object.__setattr__(mi, "trust_gain", gain)
    purchasing = m.world.industrial_purchasing
    purchasing.tie_lapse_month = data.draw(st.sampled_from([purchasing.tie_lapse_month, 0.3]))
    fast, slow = copy.deepcopy(m), copy.deepcopy(m)
    b2b.update_trust(fast)
    _update_trust_reference(slow)
    assert _ties_state(fast) == _ties_state(slow)


def test_update_trust_comparison_sees_every_branch(cooperating):
    """The comparison above is not vacuous: ties bought, decayed, were lost and made implants."""
    m = copy.deepcopy(cooperating)
    ties = m.world.ties.table
    before = ties.trust[: ties.n].copy()
    active_before = int(ties.active.sum())
    m.now.tie_spend = np.where(np.arange(ties.n) % 2 == 0, 10.0, 0.0)
    m.now.tie_delivered = m.now.tie_spend * 0.9
    ties.trust[: ties.n : 3] = 0.0
    m.effects.ties.implant_rate[:] = 1.0
    m.world.industrial_purchasing.tie_lapse_month = 0.5
    buyers = m.world.firms.csr
    lapsing = ties.active[: ties.n] & buyers[ties.firm[: ties.n]] & (ties.trust[: ties.n] > 0.5)
    b2b.update_trust(m)
    assert m.now.implants > 0
    assert (lapsing & ~ties.active[: ties.n]).any()  # trusted buyers' ties lapsed
    assert int(ties.active.sum()) < active_before
    assert (ties.trust[: ties.n] != before).any()


# --- consortium lots -----------------------------------------------------------------------------
def _consortium_lots_reference(m, rows, lot_share) -> np.ndarray:
    """``feedstock.consortium_lots`` as the thirteenth session ran it (masks over every tie)."""
    w = m.world
    lots = np.zeros(rows.size)
    if not lot_share.any() or rows.size == 0:
        return lots
    ties, e = w.ties.table, w.enterprises
    position = np.full(e.n, -1)
    position[rows] = np.arange(rows.size)
    partnered = (
        ties.active
        & (ties.trust >= m.params.mutual_ignorance.trust_to_buy)
        & (position[ties.enterprise] >= 0)
    )
    partnered &= lot_share[e.territory[ties.enterprise]] > 0
    firm, collector = ties.firm[partnered], position[ties.enterprise[partnered]]
    partners_of_firm = np.bincount(firm, minlength=w.firms.n)
    firm_feedstock = w.firms.jobs[firm] * m.params.feedstock.firm_feedstock_t_per_job_month
    lot = lot_share[e.territory[rows[collector]]] * firm_feedstock / partners_of_firm[firm]
    np.add.at(lots, collector, lot)
    return lots


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_consortium_lots_match_the_masks(cooperating, data):
    """Random collectors (any live rows, in any order), lot shares (zero in some territories)
    and trust: the same tonnes, every bit."""
    m = copy.deepcopy(cooperating)
    seed = data.draw(st.integers(0, 2**32 - 1))
    r = np.random.default_rng(seed)
    ties, e = m.world.ties.table, m.world.enterprises
    ties.trust[: ties.n] = r.random(ties.n)
    live = e.alive.nonzero()[0]
    rows = r.permutation(live)[: data.draw(st.integers(0, live.size))]
    n_t = m.world.n_territories
    share = r.random(n_t) * r.choice([0.0, 1.0], n_t) * data.draw(st.sampled_from([0.0, 1.0]))
    got = feedstock.consortium_lots(m, rows, share)
    want = _consortium_lots_reference(m, rows, share)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.tobytes() == want.tobytes()


def test_consortium_lots_comparison_has_lots(cooperating):
    """The comparison above is not vacuous: collectors with several partner ties get lots."""
    m = copy.deepcopy(cooperating)
    rows = m.world.enterprises.alive.nonzero()[0]
    m.world.ties.table.trust[:] = 1.0
    lots = feedstock.consortium_lots(m, rows, np.full(m.world.n_territories, 0.5))
    assert (lots > 0).sum() >= 2


# --- group draws ---------------------------------------------------------------------------------
def _draw_reference(index, groups, uniforms) -> np.ndarray:
    """``GroupIndex.draw`` as the thirteenth session ran it (clamp and -1 always applied)."""
    if not index.members.size:
        return np.full(groups.size, -1)
    counts = index.counts[groups]
    offset = np.minimum((uniforms * counts).astype(np.int64), np.maximum(counts - 1, 0))
    picked = index.members[np.minimum(index.starts[groups] + offset, index.members.size - 1)]
    return np.where(counts > 0, picked, -1)


def _group_index(data, r):
    n_groups = data.draw(st.integers(1, 12))
    n = data.draw(st.integers(0, 60))
    keys = r.integers(0, n_groups, n)
    if data.draw(st.booleans()):  # every group has members (the shortcut)
        keys = np.concatenate([np.arange(n_groups), keys])
    dtype = data.draw(st.sampled_from([np.int64, np.int32]))
    rows = r.permutation(keys.size * 3)[: keys.size].astype(dtype)
    return GroupIndex(keys, rows, n_groups), n_groups


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_group_draw_matches_the_clamped_draw(data):
    """Random groups, some empty or not, uniforms up to just below 1: the same members (and
    the same dtype) as the clamped draw."""
    r = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    index, n_groups = _group_index(data, r)
    m = data.draw(st.integers(0, 40))
    groups = r.integers(0, n_groups, m)
    uniforms = r.choice([0.0, np.nextafter(1.0, 0.0), 0.5, r.random()], m) * r.choice(
        [1.0, r.random()], m
    )
    got, want = index.draw(groups, uniforms), _draw_reference(index, groups, uniforms)
    assert got.dtype == want.dtype
    assert got.tobytes() == want.tobytes()


def test_group_draw_shortcut_is_taken_and_left():
    full = GroupIndex(np.array([0, 1, 1, 2]), np.array([7, 8, 9, 10]), 3)
    holey = GroupIndex(np.array([0, 2]), np.array([7, 10]), 3)
    assert full.none_empty and not holey.none_empty
    u = np.array([0.0, np.nextafter(1.0, 0.0), 0.5])
    assert full.draw(np.array([0, 1, 2]), u).tolist() == [7, 9, 10]
    assert holey.draw(np.array([0, 1, 2]), u).tolist() == [7, -1, 10]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_bidders_drawn_from_one_index_each(data):
    """``_draw_bidder`` gives what ``np.where`` over both indices' draws gives."""
    r = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    local, n_groups = _group_index(data, r)
    reserved_index = GroupIndex(*_reserved_subset(local, r), n_groups)
    m = data.draw(st.integers(0, 40))
    territory = r.integers(0, n_groups, m)
    uniforms = r.random(m)
    reserved = r.random(m) < data.draw(st.sampled_from([0.0, 0.3, 1.0]))
    got = procurement._draw_bidder(reserved, reserved_index, local, territory, uniforms)
    want = np.where(
        reserved,
        reserved_index.draw(territory, uniforms),
        local.draw(territory, uniforms),
    )
    assert got.dtype == want.dtype
    assert got.tobytes() == want.tobytes()


def _reserved_subset(index, r):
    keep = r.random(index.members.size) < 0.4
    keys = np.repeat(np.arange(index.counts.size), index.counts)
    return keys[keep], index.members[keep]


# --- industrial orders ---------------------------------------------------------------------------
def _orders_reference(purchasing, ties, firms, supplier_sector, spare, buyers, trust_to_buy):
    """``IndustrialPurchasing.clear`` as the thirteenth session ran it (buyers' ties masked)."""
    per_job = purchasing.per_job_by_sector
    n_ent = spare.size
    live = (ties.active & (ties.trust >= trust_to_buy)).nonzero()[0]
    firm = ties.firm[live]
    buying = buyers[firm]
    live, firm = live[buying], firm[buying]
    ent = ties.enterprise[live]
    sector = supplier_sector[ent].astype(np.int64)
    weight = ties.trust[live] * np.maximum(spare[ent], 0.0)
    group = firm.astype(np.int64) * len(per_job) + sector
    total = np.bincount(group, weights=weight, minlength=firms.n * len(per_job))[group]
    need = firms.jobs[firm] * per_job[sector]
    ordered = np.divide(need * weight, total, out=np.zeros(live.size), where=total > 0)
    by_ent = np.bincount(ent, weights=ordered, minlength=n_ent)
    expected = by_ent
    if purchasing.orders_within_capacity:
        ordered = np.minimum(ordered, np.maximum(spare[ent], 0.0))
        by_ent = np.bincount(ent, weights=ordered, minlength=n_ent)
    delivered = np.minimum(by_ent, np.maximum(spare, 0.0))
    ratio = np.divide(delivered, by_ent, out=np.zeros(n_ent), where=by_ent > 0)
    tie_ordered, tie_delivered = np.zeros(ties.n), np.zeros(ties.n)
    tie_ordered[live] = ordered
    tie_delivered[live] = ordered * ratio[ent]
    return expected, delivered, tie_ordered, tie_delivered


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_industrial_orders_match_the_masked_buyers(cooperating, data):
    m = copy.deepcopy(cooperating)
    r = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    w = m.world
    ties, e = w.ties.table, w.enterprises
    ties.trust[: ties.n] = r.random(ties.n)
    spare = e.capacity * r.choice([-0.5, 0.0, 0.3, 2.0], e.n)
    buyers = r.random(w.firms.n) < data.draw(st.sampled_from([0.0, 0.5, 1.0]))
    purchasing = w.industrial_purchasing
    purchasing.orders_within_capacity = data.draw(st.booleans())
    trust_to_buy = m.params.mutual_ignorance.trust_to_buy
    got = purchasing.clear(ties, w.firms, e.sector, spare, buyers, trust_to_buy)
    want = _orders_reference(purchasing, ties, w.firms, e.sector, spare, buyers, trust_to_buy)
    for a, b in zip(got, want, strict=True):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
