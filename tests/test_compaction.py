"""Compaction of the growing tables (issue #20, item 1): outputs are unchanged, byte for byte,
whether tables are compacted every month or never, and compaction keeps rows in order;
failed enterprises leave the enterprise table and every reference to the others follows."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim import compaction
from sim.ledger import Ledger, LedgerError
from sim.metrics import floor_of_stock, mean_rent
from sim.policies import REGISTRY
from sim.state import enterprise_table, loan_table, site_table
from sim.vocabulary import FloorStock

ALL_LEVERS = f"policies=[{','.join(sorted(REGISTRY))}]"


def test_compact_keeps_order_serials_and_zeroes_the_freed_rows():
    table = loan_table(4)
    table.append(5, open=True, enterprise=[10, 11, 12, 13, 14], outstanding=1.0)
    table.compact(np.array([False, True, False, True, True]))
    assert table.enterprise.tolist() == [11, 13, 14]
    assert table.serial.tolist() == [1, 3, 4]
    table.append(1, enterprise=15)  # unspecified columns of a reused row start at zero
    assert table.open.tolist() == [True, True, True, False]
    assert table.outstanding.tolist() == [1.0, 1.0, 1.0, 0.0]
    assert table.appended == 6
    assert table.rows_since(4).tolist() == [2, 3]  # serials 4 and 5
    assert table.rows_since(6).size == 0


def _run(monkeypatch, min_dead: float, share: float) -> tuple[dict, object]:
    from sim.api import build_model

    monkeypatch.setattr(compaction, "MIN_DEAD", min_dead)
    monkeypatch.setattr(compaction, "DEAD_SHARE", share)
    model = build_model(["territory=classroom", "horizon_months=36", ALL_LEVERS]).run()
    frames = {"timeseries": model.timeseries_frame(), "territories": model.territory_frame(),
              "events": model.events_frame(), "ties": model.ties_frame(),
              "lever_costs": pd.DataFrame(model.metrics.lever_costs),
              "flows": pd.DataFrame(sorted(model.ledger.flows.items()))}
    return frames, model


def test_outputs_are_the_same_compacted_every_month_or_never(monkeypatch):
    compacted, model = _run(monkeypatch, 0, 0.0)
    # the tables did shrink: fewer rows held than ever appended
    for table in (model.ties, model.world.contracts, model.loans, model.enterprises,
                  model.sites):
        assert table.n < table.appended
    assert model.world.enterprise_archive.n > 0 and model.world.site_archive.n > 0
    never, kept = _run(monkeypatch, np.inf, np.inf)
    assert kept.ties.n == kept.ties.appended
    assert kept.enterprises.n == kept.enterprises.appended
    assert kept.sites.n == kept.sites.appended
    for name, frame in compacted.items():
        pd.testing.assert_frame_equal(frame, never[name], check_exact=True)
    # levers that read the tables (impact_finance's new loans) reach the same enterprises
    assert ([(p.name, p.reached_total) for p in model.policies]
            == [(p.name, p.reached_total) for p in kept.policies])


def test_in_serial_space_puts_back_the_dropped_rows_as_zeros():
    table = enterprise_table(4)
    table.append(5, sales=[1.0, 0.0, 2.0, 0.0, 3.0])
    table.compact(np.array([True, False, True, False, True]))
    assert table.in_serial_space(table.sales).tolist() == [1.0, 0.0, 2.0, 0.0, 3.0]
    table.append(2, sales=[4.0, 5.0])
    # figures computed before the two entrants stop at the rows held then
    assert table.in_serial_space(np.array([1.0, 2.0, 3.0])).tolist() == [1.0, 0, 2.0, 0, 3.0]
    assert table.in_serial_space(table.sales).tolist() == [1.0, 0, 2.0, 0, 3.0, 4.0, 5.0]
    fresh = enterprise_table(4)
    fresh.append(3)
    values = np.ones(3)
    assert fresh.in_serial_space(values) is values  # nothing dropped: no copy


def test_an_account_with_money_is_never_dropped():
    ledger = Ledger(1)
    ledger.grow_enterprises(3)
    ledger.cash_view(3)[:] = [0.0, 5.0, 0.0]
    with pytest.raises(LedgerError, match="still holds money"):
        ledger.compact_enterprises(np.array([True, False, True]))
    ledger.compact_enterprises(np.array([False, True, False]))
    assert ledger.cash_view(3).tolist() == [5.0, 0.0, 0.0]


def test_references_follow_their_enterprises(monkeypatch):
    _, model = _run(monkeypatch, 0, 0.0)
    w = model.world
    e, s, ties, loans, c = w.enterprises, w.sites, w.ties.table, w.loans, w.contracts
    for rows in (s.enterprise[s.open], ties.enterprise[ties.active], loans.enterprise[loans.open],
                 c.enterprise[c.end_month > model.month]):
        assert rows.min(initial=0) >= 0 and rows.max(initial=0) < e.n
    assert (e.alive[s.enterprise[s.open]]).all()  # an open site's enterprise is alive
    assert sorted(model.ess_views) == e.alive.nonzero()[0].tolist()
    assert all(view.row == row for row, view in model.ess_views.items())
    assert model.tie_index.keys.tolist() == sorted(
        (ties.firm[ties.active] * (1 << 32) + ties.enterprise[ties.active]).tolist())
    # every event names an enterprise ever created; the archive keeps the dropped ones' rows
    events = model.events_frame()
    assert events.agent.max() < e.appended
    archive = w.enterprise_archive
    assert not archive.alive.any()
    assert np.intersect1d(archive.serial, e.serial).size == 0
    assert archive.n + e.n == e.appended
    founded = compaction.enterprise_history(w, "founded")
    entries = events[events.kind == "entry"]
    assert (founded[entries.agent.to_numpy()] == entries.month.to_numpy()).all()


def test_validation_figures_are_the_same_compacted_or_not(monkeypatch):
    from sim import validation

    overrides = ["territory=classroom", "horizon_months=36"]
    monkeypatch.setattr(compaction, "MIN_DEAD", 0)
    monkeypatch.setattr(compaction, "DEAD_SHARE", 0.0)
    compacted = validation.observe(overrides)
    monkeypatch.setattr(compaction, "MIN_DEAD", np.inf)
    never = validation.observe(overrides)
    assert compacted.keys() == never.keys()
    for key, value in compacted.items():
        assert value == never[key] or (np.isnan(value) and np.isnan(never[key])), key


def test_the_inspector_names_an_enterprise_by_serial(monkeypatch):
    _, model = _run(monkeypatch, 0, 0.0)
    e = model.enterprises
    row = int(e.alive.nonzero()[0][-1])
    serial = int(e.serial[row])
    assert serial != row  # rows before it were compacted away
    snapshot = model.enterprise_snapshot(serial)
    assert snapshot["row"] == serial and snapshot["alive"]
    assert snapshot["founded_month"] == e.founded[row]
    dropped = int(model.world.enterprise_archive.serial[0])
    with pytest.raises(KeyError):
        model.enterprise_snapshot(dropped)


def test_a_reference_to_a_dropped_enterprise_stays_dropped(monkeypatch):
    """Closed sites and ended contracts keep -1 for a dropped enterprise through later
    compactions, never the row of another (one founded after the site opened or the contract
    was won). Closed sites are kept here (they would be compacted away with their -1)."""
    monkeypatch.setattr(compaction, "compact_sites", lambda m: False)
    _, model = _run(monkeypatch, 0, 0.0)
    w = model.world
    e, s, c = w.enterprises, w.sites, w.contracts
    assert (s.enterprise == -1).any()
    named = s.enterprise >= 0
    assert (e.founded[s.enterprise[named]] <= s.opened[named]).all()
    assert (c.enterprise >= -1).all()


def _sites_world():
    """A ledger and its site table, as ``sim.world`` links them."""
    ledger = Ledger(1)
    sites = ledger.sites = site_table(64)
    return SimpleNamespace(sites=sites, site_archive=site_table(64), ledger=ledger)


def _site_sums(w) -> list[float]:
    s, ledger = w.sites, w.ledger
    rent = np.where(s.open, ledger.site_floor[: s.n] * s.rent_m2_yr / 12.0, 0.0)
    by_stock = [compaction.sum_over_sites_ever(w, (s.stock == k).nonzero()[0],
                                               rent[s.stock == k], k) for k in FloorStock]
    return [ledger.site_floor_total(), ledger.total_floor(), mean_rent(w),
            *(floor_of_stock(w, k) for k in FloorStock), *by_stock]


def test_sums_over_sites_are_the_same_floats_compacted_or_not():
    """Floor totals, rents by landlord and the mean rent are pairwise sums over every site row:
    compacting closed sites away (every few months here) must not move a bit of them, while
    the site table and the ledger's floor grow and shrink as a run's do."""
    rng = np.random.default_rng(7)
    never, compacted = _sites_world(), _sites_world()
    for month in range(40):
        count = int(rng.integers(0, 90))
        stock, rent = rng.integers(0, 4, count), rng.uniform(20, 200, count)
        m2 = rng.uniform(10, 900, count)
        for w in (never, compacted):
            rows = w.sites.append(count, open=True, stock=stock, rent_m2_yr=rent)
            w.ledger.grow_sites(w.sites)
            w.ledger.site_floor[rows] = m2
        closes = rng.random(never.sites.appended) < 0.15  # the same sites, by serial
        for w in (never, compacted):
            closing = w.sites.open & closes[w.sites.serial]
            w.sites.open[closing] = False
            w.ledger.site_floor[: w.sites.n][closing] = 0.0
        if month % 3 == 2:
            keep = compacted.sites.open.copy()
            compaction._drop(compacted.sites, compacted.site_archive, keep)
            compacted.ledger.compact_sites(keep)
        assert _site_sums(compacted) == _site_sums(never), month
    assert compacted.sites.n < never.sites.n and compacted.site_archive.n > 0


def test_a_site_holding_floor_is_never_dropped():
    w = _sites_world()
    w.sites.append(2, open=False)
    w.ledger.grow_sites(w.sites)
    w.ledger.site_floor[1] = 5.0
    with pytest.raises(LedgerError, match="floor"):
        w.ledger.compact_sites(np.array([True, False]))


def test_a_table_knows_what_it_would_hold_never_compacted():
    compacted, never = site_table(4), site_table(4)
    for count in (3, 5, 1, 9, 2, 30):
        compacted.append(count)
        never.append(count)
        compacted.compact(np.arange(compacted.n) % 2 == 0)
        assert compacted.allocated_ever == never.allocated == never.allocated_ever
