"""A settled start: the economy runs a few years before month 0, unreported, with the
structures of the month-0 data held in place (one replaced for each that fails).

Why: structures built at month 0 all start healthy (cash reserve, no debt, no arrears, none
loss-making, refused or young), so none can fail before cash runs short, overdrafts pile up into
debt and banks turn the indebted loss-makers away: failures began only after two to three
years while entries started at once, and the number of structures rose ~+5% around months
18-24 before settling (ARA, every trend at zero, 10 seeds). In the steady state a share of the
structures is young, in debt, in arrears or refused at any time.

Mechanism: ``settling_months`` months of the model's own calendar before month 0, at month-0
conditions, with every brake as measured (a lifted brake acts from month 0) and no lever
(``sim.model.SETTLING_CALENDAR``): structures produce, sell, settle, borrow, fall into arrears,
default, grow and shrink by the run's own rules, while the demography is held: a structure that
reaches the failure criterion is replaced on the spot by a new one of the same form, place and
size (``restructure``: its debts end as a failure's do, founders bring an entrant's equity, it
is young and draws an entrant's margin), and no other structure opens. Industrial firms, the tie
graph and insertion heads stay as built, and nothing is acquired or marked a scale-up before
month 0. What month 0 inherits is the mix of ages, cash, debt, payables, arrears, refusals and
losses that the failure process keeps in steady state, with the data's structures in the data's
places. The warm-up draws from the run's named streams (the same bytes for a config and seed,
the same start for every arm of a paired comparison) and writes no event and no output row.
"""

from __future__ import annotations

import contextlib
import dataclasses

import numpy as np

from sim.agents import ess
from sim.ledger import Sector
from sim.markets import credit
from sim.markets.b2b import IndustrialPurchasing

BRAKES = ("mutual_ignorance", "competition", "finance", "premises", "human_resources")


def observed_world(params):
    """The run's parameters with every brake as measured: the settling months are the observed
    past, so a run that lifts a brake starts from the same month 0 as the baseline (as the
    procurement calibration keeps the competition brake as measured, sim/world.py)."""
    return dataclasses.replace(params, **{
        name: dataclasses.replace(getattr(params, name), enabled=True) for name in BRAKES})


@contextlib.contextmanager
def observed_markets(world, observed):
    """The markets built with the run's brakes read them from the observed world ``observed``
    while settling, then get the run's back: banks' screening (brake 3), rents' tension
    (brake 4) and industrial buyers' ESS price (brake 2). Without this a lifted brake acted
    through them during the settling months, so an arm lifting it started from another
    month 0 (36 months of lifted-brake lending: more debt, more structures at the ceiling)."""
    credit_brake, tension = world.credit_market.brake, world.premises_market.tension
    purchasing = world.industrial_purchasing
    world.credit_market.brake = observed.finance
    world.premises_market.tension = observed.premises.rent_tension(
        np.asarray(world.territories.tension))
    world.industrial_purchasing = IndustrialPurchasing(
        observed.industry, observed.competition, purchasing.orders_within_capacity)
    try:
        yield
    finally:
        world.credit_market.brake, world.premises_market.tension = credit_brake, tension
        world.industrial_purchasing = purchasing


def begin(world, months: int, cooldown: int) -> None:
    """Date the world's past before the settling months: the incumbents and their leases are
    ``months`` older (never young for the banks while they settle), free to change size from
    the first one, and the public contracts in force at start end ``months`` earlier, their
    remaining durations spread as built. Undated, the initial contracts stayed in force
    through every settling month while the months' awards piled onto them: public demand
    ran +70% above its steady state by month 0 (ARA), so entry, read against the demand per
    structure of the data, started 35% above its base rate and the number of structures
    overshot, then dipped as failures caught up."""
    e = world.enterprises
    e.founded[:] -= months
    e.last_growth[:] = -months - cooldown
    world.sites.opened[:] -= months
    world.contracts.end_month[:] -= months


def restructure(m) -> None:
    """Warm-up only, in place of failures: a structure repeatedly refused cash is replaced by a
    new one of the same form, place and size. Its loans default and its unpaid suppliers write
    their bills off (as at a failure), founders bring an entrant's months of wages as equity,
    its accounts start afresh, it counts as young, and its margin is drawn as an entrant's
    (it learns its true costs by operating, Jovanovic 1982), so the settling months select
    as the run does."""
    w, econ = m.world, m.params.economy
    e = w.enterprises
    rows = np.flatnonzero(e.alive & (e.refused_months >= econ.failure_cash_months))
    ess.count_turnover(m, rows)  # month 0 inherits the steady state's exit hazard by form
    if rows.size == 0:
        return
    credit.default_loans(m, rows)
    e.payables[rows] = 0.0
    e.refused_months[rows] = 0
    e.arrears_months[rows] = 0
    e.result_trend[rows] = 0.0
    e.loss_making[rows] = False
    e.founded[rows] = m.month
    ess.calibrate_productivity(w, m.params, m.streams["init.margins"], rows, e.rent_month[rows],
                               econ.entrant_margin_sd, survivors=False)
    w.ledger.pay_sector_to_enterprises(Sector.FOUNDERS, rows,
                                       ess.wage_costs(w, econ, rows) * econ.cash_months_at_start,
                                       "founders_equity")


def hold_entries(m) -> None:
    """Warm-up only, in place of entries: no structure opens (failures are replaced in place),
    but the funded posts that cuts free are offered for redeployment, as the entries phase
    does when no entrant claims them."""
    m.world.posts_unclaimed_by_entrants = (ess.funded_posts_slack(m), ess.adapted_posts_slack(m))


SETTLING_REPLACED = {"entries": hold_entries, "failures": restructure}
"""Calendar phases a settling month runs differently: the demography is held, one new
structure replacing each that fails, in its place."""
SETTLING_SKIPPED = frozenset({"industry", "supplier discovery", "insertion labour", "trust",
                              "acquisitions", "scale-ups"})
"""Calendar phases a settling month skips: industrial firms and the tie graph stay as built
(the month-0 data, on which industrial purchasing is calibrated; the scenario's trends start at
month 0), insertion heads stay on their posts, and nothing is acquired or marked a scale-up
before month 0."""
