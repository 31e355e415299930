"""Each public contract has one buyer (issue 19): the ledger sector that tendered the lot. It
pays the contract month by month through the ledger (settlement), bears its premium when the
lot is reserved (the reserved markets lever), and keeps the work when a failed holder's contract
is tendered again. The payers' totals agree between the ledger, the contracts table and the
outputs' ``cost_to_<payer>_eur`` columns (the report's table reads those columns:
``tests/test_report_cost_by_payer.py``)."""

from __future__ import annotations

import numpy as np
import pytest

import sim.model
from sim import outcomes
from sim.agents import ess
from sim.api import build_model
from sim.ledger import PUBLIC_PAYERS, Sector
from sim.markets import clearing, procurement, settlement
from sim.validation import ZERO_TRENDS

BUYERS = (Sector.STATE, Sector.REGIONS, Sector.DEPARTEMENTS, Sector.INTERCOMMUNALITIES)
SHARES = ("state", "regions", "departements", "communes")
# every buyer often enough to be seen on a small territory
EVEN = [f"params.procurement.buyer_share_{b}=0.25" for b in SHARES]
# the ledger's flows of the baseline's public cost, by the payer that bears it
BASELINE_FLOWS = {
    Sector.STATE: "state_aid_posts",
    Sector.REGIONS: "regional_aid_industry",
    Sector.INTERCOMMUNALITIES: "cofunding_insertion",
}


def _due_by_buyer(m) -> dict[Sector, float]:
    """What each buyer owes this month, read from the contracts table: each enterprise's paid
    public sales (``procurement_sales``) split over its contracts in force by value."""
    c, e = m.world.contracts, m.world.enterprises
    live = np.flatnonzero(c.end_month > m.month)
    work = np.bincount(c.enterprise[live], weights=c.monthly_value[live], minlength=e.n)
    paid_share = np.divide(e.procurement_sales, work, out=np.zeros(e.n), where=work > 0)
    due = dict.fromkeys(BUYERS, 0.0)
    for row in live:
        due[Sector(int(c.buyer[row]))] += c.monthly_value[row] * paid_share[c.enterprise[row]]
    return due


def _run_watched(monkeypatch, overrides, months):
    """Step a model, recording each month: the ledger's payments for public contracts by sector
    and what the contracts table says each buyer owes; the premium each buyer's reserved awards
    carry (from the contracts table); the baseline's public-cost flows by payer (ledger)."""
    m = build_model(["progress=false", *overrides])
    ledger = m.world.ledger
    log = []

    def flows(name):
        return ledger.flows.get(name, 0.0)

    def first(model, run=sim.model.CALENDAR[0].run):
        log.append({"baseline_start": {k: flows(v) for k, v in BASELINE_FLOWS.items()}})
        run(model)

    def markets(model):
        before = model.world.contracts.n
        clearing.clear_markets(model)
        c = model.world.contracts
        new = np.arange(before, c.n)
        remaining = c.monthly_value[new] * (c.end_month[new] - model.month - 1) * c.reserved[new]
        log[-1]["awarded"] = {b: float(remaining[c.buyer[new] == b].sum()) for b in BUYERS}
        log[-1]["buyers_awarded"] = set(c.buyer[new].tolist())
        log[-1]["awards"] = (c.enterprise[new].copy(), c.buyer[new].copy(), c.reserved[new].copy())

    def settle(model):
        due = _due_by_buyer(model)
        paid_before = ledger.sector_flows("sales_public")
        settlement.settle(model)
        paid_after = ledger.sector_flows("sales_public")
        log[-1]["due"] = due
        log[-1]["paid"] = {
            s: paid_after.get(s, 0.0) - paid_before.get(s, 0.0)
            for s in set(paid_after) | set(paid_before)
        }

    def last(model, run=sim.model.CALENDAR[-1].run):
        run(model)
        log[-1]["baseline"] = {
            k: flows(v) - log[-1]["baseline_start"][k] for k, v in BASELINE_FLOWS.items()
        }

    wrapped = {
        sim.model.CALENDAR[0].name: first,
        "markets": markets,
        "settlement": settle,
        sim.model.CALENDAR[-1].name: last,
    }
    monkeypatch.setattr(
        sim.model,
        "CALENDAR",
        tuple(sim.model.Phase(p.name, wrapped.get(p.name, p.run)) for p in sim.model.CALENDAR),
    )
    for _ in range(months):
        m.step()
    return m, log


def test_each_contract_is_paid_by_its_buyer_and_its_premium_falls_on_it(monkeypatch):
    """Month by month: the ledger takes each buyer's payment for public contracts from that
    buyer's account, as the contracts table's buyers say (no other sector pays any); the
    reserved markets lever books each reserved award's premium to the award's buyer; and each
    payer's public cost in the outputs is the ledger's baseline flows it paid plus that premium.
    Before, the intercommunalities paid every contract."""
    m, log = _run_watched(
        monkeypatch,
        ["territory=tiny", "horizon_months=12", "seed=0", "policies=[reserved_markets]", *EVEN],
        12,
    )
    premium = m.params.competition.price_premium()
    rate = premium / (1.0 + premium)
    series = m.metrics.series
    for month, record in enumerate(log):
        assert set(record["paid"]) <= set(BUYERS)
        for buyer in BUYERS:
            assert record["paid"].get(buyer, 0.0) == pytest.approx(
                record["due"][buyer], rel=1e-9, abs=1e-6
            )
        for payer, sector in PUBLIC_PAYERS.items():
            column = series[outcomes.payer_cost(payer)]
            booked = column[month] - (column[month - 1] if month else 0.0)
            expected = record["baseline"].get(sector, 0.0) + rate * record["awarded"].get(
                sector, 0.0
            )
            assert booked == pytest.approx(expected, rel=1e-9, abs=1e-6), (month, payer)
    # the test saw every buyer pay and bear a premium
    for buyer in BUYERS:
        assert sum(r["paid"].get(buyer, 0.0) for r in log) > 0
        assert sum(r["awarded"][buyer] for r in log) > 0
    assert set().union(*(r["buyers_awarded"] for r in log)) == {int(b) for b in BUYERS}


def test_each_tender_won_event_names_the_contract_buyer(monkeypatch):
    """The events table's tender-won rows carry the lot's buyer: month by month, in award
    order, each row's agent and details ("reserved;buyer=state", ...) are those of the contract
    the award signed; every buyer appears, and the sweep dataset reads the buyer as a column.
    Before, the details said only reserved or open."""
    from sim.experiments import dataset

    m, log = _run_watched(
        monkeypatch,
        ["territory=tiny", "horizon_months=12", "seed=0", "policies=[reserved_markets]", *EVEN],
        12,
    )
    events = m.events_frame()
    won = events[events.kind == "tender_won"]
    seen = set()
    for month, record in enumerate(log):
        enterprise, buyer, reserved = record["awards"]
        rows = won[won.month == month]
        assert rows.agent.tolist() == enterprise.tolist(), month
        names = [Sector(int(b)).name.lower() for b in buyer]
        expected = [
            f"{'reserved' if r else 'open'};buyer={n}" for r, n in zip(reserved, names, strict=True)
        ]
        assert rows.details.tolist() == expected, month
        seen |= set(names)
    assert seen == {b.name.lower() for b in BUYERS}
    assert any(r["awards"][2].any() for r in log) and not all(r["awards"][2].all() for r in log)
    columns = dataset._details(won.details)
    assert columns["buyer"].to_pylist() == [d.split("buyer=")[1] for d in won.details]
    assert set(columns["detail"].to_pylist()) == {"open", "reserved"}


def test_one_buyer_pays_every_contract(monkeypatch):
    """All lots bought by the départements: they pay every public contract, at start and
    awarded since; the intercommunalities pay only the chantiers' co-funding."""
    shares = [f"params.procurement.buyer_share_{b}={float(b == 'departements')}" for b in SHARES]
    m, log = _run_watched(monkeypatch, ["territory=tiny", "horizon_months=6", "seed=1", *shares], 6)
    assert np.all(m.world.contracts.buyer[: m.world.contracts.n] == Sector.DEPARTEMENTS)
    for record in log:
        assert set(record["paid"]) == {Sector.DEPARTEMENTS}
        assert record["paid"][Sector.DEPARTEMENTS] > 0


FLAT = ("progress=false", "horizon_months=120", *ZERO_TRENDS)


def test_a_retendered_lot_keeps_its_buyer():
    """A failed holder's contracts are tendered again by their own buyer, not a new draw: the
    held contracts are set to the Regions, whom the shares never draw, and the work tendered
    again and the contracts that take it over are still the Regions'."""
    m = build_model(
        ["seed=2", "territory=drome", *FLAT, "params.procurement.buyer_share_regions=0"]
    )
    w, e = m.world, m.world.enterprises
    c = w.contracts
    assert not np.any(c.buyer[: c.n] == Sector.REGIONS)  # the shares never draw them
    eligible = w.forms.reserved[e.form] & e.alive
    counts = np.bincount(e.territory[eligible], minlength=w.n_territories)
    held = np.flatnonzero(c.end_month[: c.n] > m.month + 1)
    holders = [
        r for r in np.unique(c.enterprise[held]) if eligible[r] and counts[e.territory[r]] >= 2
    ]
    row = int(holders[0])
    mine = held[c.enterprise[held] == row]
    c.reserved[mine] = True  # a reserved lot: any eligible bid wins, the test is not a draw
    c.buyer[mine] = Sector.REGIONS
    value = c.monthly_value[mine].sum()
    peers = np.flatnonzero(eligible & (e.territory == e.territory[row]))
    e.capacity[peers] += 10 * value  # room for the work: the test is not about capacity
    e.refused_months[row] = m.params.economy.failure_cash_months
    ess.failures(m)
    assert not e.alive[row]
    again = w.procurement_market.retender
    assert again.buyer.size == mine.size and np.all(again.buyer == Sector.REGIONS)
    before = c.n
    m.month += 1
    procurement.award_tenders(m)
    new = np.arange(before, c.n)
    taken = new[c.buyer[new] == Sector.REGIONS]
    assert taken.size == mine.size  # every lot taken over, each still the Regions'
    assert c.monthly_value[taken].sum() == pytest.approx(value)
    assert np.all(c.reserved[taken]) and np.all(c.enterprise[taken] != row)
    assert np.array_equal(
        np.flatnonzero(m.now.reserved_award_buyers == Sector.REGIONS).size, taken.size
    )
