"""The discrete decisions of a month: growth and shrinkage, new sites, relocations, entries,
failures, acquisitions and scale-ups — each recorded as an event.

Scale-up follows the study's definition: an independent ESS structure reaching industrial scale,
either with a significant regional footprint (several sites or a large headcount in its region)
or by swarming nationally (sites in several regions).
"""

from __future__ import annotations

import numpy as np

from sim.events import EventKind, Labelled
from sim.ledger import Sector
from sim.markets.credit import YOUNG_MONTHS
from sim.setup import add_market_demand, calibrate_productivity, draw_staff_and_sector
from sim.vocabulary import LEGAL_FORMS

GROWTH_COOLDOWN_MONTHS = 6
EQUIPMENT_EUR_PER_JOB = 2000.0
INVESTMENT_LOAN_MONTHS = 60
RELOCATION_WAIT_MONTHS = 6
RELOCATION_MIN_TENSION = 1.5
RELOCATION_RATE = 0.1


def run_month(model) -> None:
    model.month_guarantee_calls_by_territory = np.zeros(len(model.territories))
    _grow(model)
    _shrink(model)
    _redeploy_posts(model)
    _open_sites(model)
    _relocate(model)
    _entries(model)
    _failures(model)
    _acquisitions(model)
    _scale_ups(model)
    _pay_out_surplus(model)


def _among(enterprise: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """``np.isin(enterprise, rows)`` as a lookup in a mask over enterprises: linear in the
    (long) column of a site, tie, loan or contract table, with no sort."""
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return mask[enterprise]


# --- premises ---------------------------------------------------------------------------------
def lease(model, stream: str, enterprises, territory, m2, max_rent_m2) -> np.ndarray:
    """Ask the premises market for floor space; open a site per served request. Returns a mask."""
    served_mask = np.zeros(enterprises.size, dtype=bool)
    if enterprises.size == 0:
        return served_mask
    L = model.ledger
    leases = model.premises_market.clear(
        model.streams[stream], territory, m2, max_rent_m2, L.territory_floor[:2],
        model.params.premises.acceptance(), model.effects, model.world.rent_index)
    r = leases.request
    if r.size == 0:
        return served_mask
    sites = model.sites.append(r.size, open=True, enterprise=enterprises[r],
                               territory=territory[r], region=model.territory_region[territory[r]],
                               stock=leases.stock, rent_m2_yr=leases.rent_m2_yr,
                               opened=model.month)
    L.grow_sites(model.sites._columns["open"].size)
    for stock in (0, 1):
        k = leases.stock == stock
        L.move_floor_to_site(stock, territory[r][k], sites[k], m2[r][k])
    np.add.at(model.enterprises.floor, enterprises[r], m2[r])
    served_mask[r] = True
    return served_mask


def close_sites(model, site_idx: np.ndarray) -> None:
    s, L = model.sites, model.ledger
    site_idx = site_idx[s.open[site_idx]]
    for stock in (0, 1):
        k = site_idx[s.stock[site_idx] == stock]
        m2 = L.site_floor[k].copy()
        np.subtract.at(model.enterprises.floor, s.enterprise[k], m2)
        L.move_floor_from_site(stock, s.territory[k], k, m2)
    s.open[site_idx] = False


def _max_rent_m2(model, rows, total_m2) -> np.ndarray:
    """Highest €/m²/yr a tenant accepts so its whole rent stays under a share of sales."""
    e = model.enterprises
    expected_sales = np.maximum(e.sales[rows], 0.8 * e.capacity[rows]) * 12.0
    return model.params.premises.max_rent_share * expected_sales / np.maximum(total_m2, 1.0)


# --- growth -----------------------------------------------------------------------------------
def _jobs(e, rows):
    return e.permanent[rows] + e.insertion[rows] + e.adapted[rows]


def _funded_posts_slack(model) -> float:
    e = model.enterprises
    envelope = model.funded_posts_start * (
        1.0 + model.params.economy.funded_posts_growth_yr) ** (model.month / 12.0)
    return max(envelope - float(e.insertion_posts[e.alive].sum()), 0.0)


def _grow(model) -> None:
    """Profitable enterprises whose demand outruns capacity hire, if they find both finance and
    floor space; money is committed only once both are secured."""
    e, econ, m2_job = model.enterprises, model.params.economy, model.params.population.m2_per_job
    cash = model.ledger.cash_view(e.n)
    rows = np.flatnonzero(e.alive & (e.pressure > econ.growth_trigger) & (cash >= 0)
                          & ~e.loss_making & (e.refused_months == 0)
                          & (model.month - e.last_growth >= GROWTH_COOLDOWN_MONTHS))
    if rows.size == 0:
        return
    jobs = _jobs(e, rows)
    delta = np.maximum(1, np.round(econ.growth_step * jobs)).astype(np.int64)
    need_m2 = np.maximum((model.on_site_jobs(rows) + delta) * m2_job - e.floor[rows], 0.0)
    cost = need_m2 * econ.fitout_eur_per_m2 + delta * EQUIPMENT_EUR_PER_JOB
    source = _funding_source(model, rows, cost)
    keep = source != REFUSED
    rows, delta, need_m2, cost, source = (rows[keep], delta[keep], need_m2[keep], cost[keep],
                                          source[keep])
    wants_floor = need_m2 > 0
    served = np.ones(rows.size, dtype=bool)
    served[wants_floor] = lease(model, "premises.growth", rows[wants_floor],
                                e.territory[rows[wants_floor]], need_m2[wants_floor],
                                _max_rent_m2(model, rows[wants_floor],
                                             e.floor[rows[wants_floor]] + need_m2[wants_floor]))
    e.premises_wait[rows[~served]] += 1
    e.premises_wait[rows[served]] = 0
    _invest(model, rows[served], cost[served], source[served])
    _hire(model, rows[served], delta[served])


OWN, EQUITY, LOAN, REFUSED = 0, 1, 2, 3


def _funding_source(model, rows, cost) -> np.ndarray:
    """Self-finance, outside equity where the legal form allows it, else a bank loan (brake 3)."""
    e = model.enterprises
    cash = model.ledger.cash_view(e.n)[rows]
    buffer = e.permanent[rows] * model.params.economy.wage_permanent_month
    rng = model.streams["credit.investment"]
    draws = rng.random((2, rows.size))
    open_capital = model.form_outside_equity[e.form[rows]] | (
        draws[1] < model.effects.equity_for_closed_forms[e.territory[rows]])
    source = np.full(rows.size, LOAN, dtype=np.int8)
    source[open_capital & (draws[0] < model.params.impact_equity_chance)] = EQUITY
    source[cash >= cost + buffer] = OWN
    ask = source == LOAN
    if ask.any():
        a = rows[ask]
        approved = model.credit_market.screen(
            rng, e.form[a], model.month - e.founded[a] < YOUNG_MONTHS, e.loss_making[a],
            model.effects.guarantee_boost[e.territory[a]], jobs=_jobs(e, a),
            leverage=(e.debt[a] + cost[ask]) / np.maximum(e.capacity[a], 1.0))
        source[np.flatnonzero(ask)[~approved]] = REFUSED
        refused = a[~approved]
        model.events.record(model.month, EventKind.LOAN_REFUSED, refused, e.territory[refused],
                            "investment")
    return source


def _invest(model, rows, cost, source) -> None:
    e, L = model.enterprises, model.ledger
    equity = source == EQUITY
    L.pay_sector_to_enterprises(Sector.IMPACT_INVESTORS, rows[equity], cost[equity],
                                "impact_equity")
    e.equity_raised[rows[equity]] += cost[equity]
    loan = source == LOAN
    model.grant_loans(rows[loan], cost[loan], INVESTMENT_LOAN_MONTHS, "investment")
    L.pay_enterprises_to_sector(rows, cost, Sector.SUPPLIERS, "investment")


def _hire(model, rows, delta) -> None:
    """Add staff by the form's composition; insertion posts only within the State's envelope.
    Without funded posts an insertion structure does not hire supervisors either: its
    permanent staff grows with the posts it gets, keeping the ratio its aid is built on."""
    if rows.size == 0:
        return
    e = model.enterprises
    old_jobs = _jobs(e, rows).astype(float)
    wanted = np.round(delta * model.form_insertion_share[e.form[rows]]).astype(np.int64)
    d_ins = wanted
    slack = _funded_posts_slack(model)
    if wanted.sum() > slack:
        d_ins = np.floor(wanted * slack / wanted.sum()).astype(np.int64)
    granted = np.divide(d_ins, wanted, out=np.ones(rows.size), where=wanted > 0)
    d_ad = np.round(delta * model.form_adapted_share[e.form[rows]]).astype(np.int64)
    d_perm = np.round(np.maximum(delta - wanted - d_ad, 0) * granted).astype(np.int64)
    e.insertion_posts[rows] += d_ins
    e.insertion[rows] += d_ins
    e.adapted[rows] += d_ad
    e.permanent[rows] += d_perm
    growth = _jobs(e, rows) / np.maximum(old_jobs, 1.0)
    e.consumer_weight[rows] *= growth
    e.business_weight[rows] *= growth
    e.last_growth[rows] = model.month


def _redeploy_posts(model) -> None:
    """Once a year the State redeploys the funded insertion posts left unused by failures and
    cuts to insertion structures in good standing, as the yearly conventions do: the insertion
    stock is rationed by the envelope, not by which structures survive (Dares: ~flat stock).
    On-site posts need spare floor; a structure takes at most one growth step a year."""
    if model.month == 0 or model.month % 12:
        return
    e, econ = model.enterprises, model.params.economy
    rows = np.flatnonzero(e.alive & (e.insertion_posts > 0) & ~e.loss_making
                          & (e.refused_months == 0))
    slack = _funded_posts_slack(model)
    if rows.size == 0 or slack < 1:
        return
    share = model.form_insertion_share[e.form[rows]]
    m2_job = model.params.population.m2_per_job
    spare_jobs = np.maximum(e.floor[rows] / m2_job - model.on_site_jobs(rows), 0.0)
    room = np.where(model.form_on_site[e.form[rows]] > 0, spare_jobs * share, np.inf)
    offer = np.minimum(np.floor(econ.growth_step * e.insertion_posts[rows]), np.floor(room))
    posts = np.floor(offer * min(1.0, slack / max(offer.sum(), 1.0)))
    take = posts > 0
    _hire(model, rows[take], np.round(posts[take] / share[take]).astype(np.int64))


def _shrink(model) -> None:
    """Enterprises short of demand, or losing money and refused cash, shed staff (and the posts
    that go); a profitable one refused in a bad month waits for its receipts instead. Clients
    stay: shedding capacity restores utilisation, as a restructuring does."""
    e, econ = model.enterprises, model.params.economy
    distressed = (e.refused_months > 0) & e.loss_making
    rows = np.flatnonzero(e.alive & ((e.pressure < econ.shrink_trigger) | distressed)
                          & (model.month - e.last_growth >= GROWTH_COOLDOWN_MONTHS))
    if rows.size == 0:
        return
    cut = 1.0 / (1.0 + econ.growth_step)  # the mirror of one growth step
    e.permanent[rows] = np.maximum(np.round(e.permanent[rows] * cut), 1).astype(np.int64)
    e.insertion_posts[rows] = np.round(e.insertion_posts[rows] * cut).astype(np.int64)
    e.insertion[rows] = np.minimum(e.insertion[rows], e.insertion_posts[rows])
    e.adapted[rows] = np.round(e.adapted[rows] * cut).astype(np.int64)
    e.last_growth[rows] = model.month
    _release_spare_sites(model, rows)


def _release_spare_sites(model, rows) -> None:
    """Give back the smallest extra lease of each shrinking enterprise when it is not needed."""
    s, e = model.sites, model.enterprises
    m2_job = model.params.population.m2_per_job
    candidates = np.flatnonzero(s.open & _among(s.enterprise, rows, e.n))
    if candidates.size == 0:
        return
    order = candidates[np.lexsort((model.ledger.site_floor[candidates], s.enterprise[candidates]))]
    owners = s.enterprise[order]
    first = np.ones(order.size, dtype=bool)
    first[1:] = owners[1:] != owners[:-1]
    count = np.bincount(owners, minlength=e.n)
    smallest = order[first & (count[owners] > 1)]
    slack = e.floor[s.enterprise[smallest]] - model.on_site_jobs(s.enterprise[smallest]) * m2_job
    spare = smallest[slack >= model.ledger.site_floor[smallest]]
    other_place = spare[s.territory[spare] != e.territory[s.enterprise[spare]]]
    model.events.record(model.month, EventKind.SITE_CLOSURE, s.enterprise[other_place],
                        s.territory[other_place])
    close_sites(model, spare)


# --- sites, relocation, entries -----------------------------------------------------------------
def _open_sites(model) -> None:
    """Large enterprises blocked at home open a site nearby, sometimes in another region."""
    e, su = model.enterprises, model.params.scale_up
    rows = np.flatnonzero(e.alive & (_jobs(e, np.arange(e.n)) >= su.min_staff_for_new_site)
                          & (e.pressure > model.params.economy.growth_trigger)
                          & (e.premises_wait >= 2))
    rng = model.streams["demography.sites"]
    draws = rng.random((3, rows.size))
    rows = rows[draws[0] < su.site_opening_rate_month]
    if rows.size == 0:
        return
    draws = draws[:, draws[0] < su.site_opening_rate_month]
    home = e.territory[rows]
    target = model._random_neighbour(home, draws[1])
    far = draws[2] < su.foreign_region_share
    target = np.where(far, _other_region_territory(model, home, draws[1]), target)
    m2 = np.full(rows.size, su.new_site_jobs * model.params.population.m2_per_job)
    served = lease(model, "premises.sites", rows, target, m2,
                   _max_rent_m2(model, rows, e.floor[rows] + m2))
    opened = rows[served]
    model.events.record(model.month, EventKind.SITE_OPENING, opened, target[served])
    e.premises_wait[opened] = 0
    _hire(model, opened, np.full(opened.size, su.new_site_jobs))


def _other_region_territory(model, home, uniforms) -> np.ndarray:
    region = model.territory_region
    n_t = region.size
    pick = np.minimum((uniforms * n_t).astype(np.int64), n_t - 1)
    same = region[pick] == region[home]
    # step through the sorted-by-region layout until another region is met (few steps)
    shift = np.searchsorted(np.sort(region), region[home], side="right") % n_t
    order = np.argsort(region, kind="stable")
    return np.where(same, order[shift], pick)


def _relocate(model) -> None:
    """Brake 4's last resort: blocked in a tense territory, an enterprise moves next door."""
    e, t = model.enterprises, model.territories
    rows = np.flatnonzero(e.alive & (e.premises_wait >= RELOCATION_WAIT_MONTHS)
                          & (t.tension[e.territory] >= RELOCATION_MIN_TENSION))
    rng = model.streams["demography.relocation"]
    draws = rng.random((2, rows.size))
    rows = rows[draws[0] < RELOCATION_RATE]
    if rows.size == 0:
        return
    target = model._random_neighbour(e.territory[rows], draws[1][draws[0] < RELOCATION_RATE])
    calmer = t.tension[target] < t.tension[e.territory[rows]]
    rows, target = rows[calmer], target[calmer]
    m2 = model.on_site_jobs(rows) * model.params.population.m2_per_job * (
        1 + model.params.economy.growth_step)
    old_sites = np.flatnonzero(model.sites.open & _among(model.sites.enterprise, rows, e.n)
                               & (model.sites.territory == e.territory[
                                   model.sites.enterprise]))
    served = lease(model, "premises.relocation", rows, target, m2,
                   _max_rent_m2(model, rows, m2))
    moved = rows[served]
    close_sites(model, old_sites[_among(model.sites.enterprise[old_sites], moved, e.n)])
    model.events.record(model.month, EventKind.RELOCATION, moved, target[served],
                        Labelled("from=", model.territories.codes[e.territory[moved]]))
    e.territory[moved] = target[served]
    e.region[moved] = model.territory_region[target[served]]
    e.premises_wait[moved] = 0


def _entries(model) -> None:
    """New ESS structures appear in proportion to population, if they find premises."""
    e, t, econ = model.enterprises, model.territories, model.params.economy
    rng = model.streams["demography.entries"]
    births = rng.poisson(econ.entry_rate_per_100k_yr * t.population / 1e5 / 12.0)
    if births.sum() == 0:
        return
    territory = np.repeat(np.arange(len(t)), births)
    forms = model.params.population.forms
    weights = np.array([forms[f].per_100k_inhabitants for f in LEGAL_FORMS])
    form = np.searchsorted(np.cumsum(weights) / weights.sum(), rng.random(territory.size))
    form = np.minimum(form, len(LEGAL_FORMS) - 1)
    rows = e.append(territory.size, alive=False, form=form, territory=territory,
                    region=model.territory_region[territory], founded=model.month,
                    owner_firm=-1, last_growth=model.month,
                    pressure=econ.utilisation_at_start)
    model.ledger.grow_enterprises(e._columns["alive"].size)
    draw_staff_and_sector(model, rng, rows, scale=0.5)
    m2 = model.on_site_jobs(rows) * model.params.population.m2_per_job
    market_rent = model.premises_market.market_rent(model.world.rent_index)[territory]
    # an entrant learns its true costs only once it operates (Jovanovic 1982): its margin is
    # drawn more widely than incumbents', the survivors of that selection
    calibrate_productivity(model, rows, m2 * market_rent / 12.0, econ.entrant_margin_sd,
                           survivors=False)
    e.capacity[rows] = model.capacity_of(rows)
    served = lease(model, "premises.entries", rows, territory, m2,
                   _max_rent_m2(model, rows, m2))
    born = rows[served]
    e.alive[born] = True
    e.n_sites[born] = 1
    e.n_regions[born] = 1
    public_share = model.params.procurement.initial_share_of_demand
    add_market_demand(model, born, econ.utilisation_at_start * e.capacity[born]
                      * (1.0 - public_share))
    costs = (e.permanent[born] * econ.wage_permanent_month
             + (e.insertion[born] * model.form_fte[e.form[born]] + e.adapted[born])
             * econ.wage_insertion_month)
    model.ledger.pay_sector_to_enterprises(Sector.FOUNDERS, born,
                                           costs * econ.cash_months_at_start, "founders_equity")
    for row in born:
        model.ess_agents[int(row)] = model.new_ess_agent(int(row))
    model.events.record(model.month, EventKind.ENTRY, born, e.territory[born],
                        np.asarray(LEGAL_FORMS)[e.form[born]])


# --- failures, acquisitions, scale-ups ---------------------------------------------------------
def _failures(model) -> None:
    """Repeatedly refused cash: the enterprise fails, its sites, ties and loans end."""
    e, L = model.enterprises, model.ledger
    rows = np.flatnonzero(e.alive & (e.refused_months >= model.params.economy.failure_cash_months))
    if rows.size == 0:
        return
    close_sites(model, np.flatnonzero(model.sites.open & _among(model.sites.enterprise, rows, e.n)))
    c = model.contracts
    c.end_month[_among(c.enterprise, rows, e.n) & (c.end_month > model.month)] = model.month
    ties = np.flatnonzero(model.ties.active & _among(model.ties.enterprise, rows, e.n))
    model.drop_ties(ties)
    _default_loans(model, rows)
    cash = L.cash_view(e.n)[rows]
    L.pay_enterprises_to_sector(rows, np.maximum(cash, 0.0), Sector.BANKS, "liquidation")
    e.payables[rows] = 0.0
    e.alive[rows] = False
    model.month_failures += rows.size
    e.capacity[rows] = 0.0
    for row in rows:
        model.ess_agents.pop(int(row)).remove()
    model.events.record(model.month, EventKind.FAILURE, rows, e.territory[rows],
                        np.asarray(LEGAL_FORMS)[e.form[rows]])


def _default_loans(model, rows) -> None:
    loans = model.loans
    bad = np.flatnonzero(loans.open & _among(loans.enterprise, rows, model.enterprises.n))
    covered = loans.outstanding[bad] * loans.guaranteed[bad]
    model.ledger.pay_sector_to_sector(Sector.GUARANTEE_FUND, Sector.BANKS, covered.sum(),
                                      "guarantee_calls")
    model.month_guarantee_calls += covered.sum()
    np.add.at(model.month_guarantee_calls_by_territory,
              model.enterprises.territory[loans.enterprise[bad]], covered)
    model.events.record(model.month, EventKind.LOAN_DEFAULT, loans.enterprise[bad],
                        model.enterprises.territory[loans.enterprise[bad]])
    loans.open[bad] = False
    loans.outstanding[bad] = 0.0
    model.enterprises.debt[rows] = 0.0


def _pay_out_surplus(model) -> None:
    """At each year's end, cash beyond the reserve a debt-free structure keeps leaves it:
    profit-sharing and dividends where the form allows, projects and equipment otherwise.
    Without it cash would pile up and no structure would run short again (France Active 2013:
    40% of ESS short of cash several times a year)."""
    if model.month % 12 != 11:
        return
    e, econ = model.enterprises, model.params.economy
    rows = np.flatnonzero(e.alive & (e.debt <= 0) & (e.payables <= 0))
    costs = (e.permanent[rows] * econ.wage_permanent_month
             + (e.insertion[rows] * model.form_fte[e.form[rows]] + e.adapted[rows])
             * econ.wage_insertion_month)
    surplus = np.maximum(model.ledger.cash(rows) - costs * econ.cash_reserve_months, 0.0)
    model.ledger.pay_enterprises_to_sector(rows, surplus, Sector.FOUNDERS, "surplus_paid_out")


def _acquisitions(model) -> None:
    """A firm that trusts its ESS supplier may buy it (seed: La Poste and Nouvelle Attitude)."""
    ties, e = model.ties, model.enterprises
    live = np.flatnonzero(ties.active & (ties.kind != 2) & (ties.trust > 0.6))
    live = live[e.owner_firm[ties.enterprise[live]] < 0]
    draws = model.streams["demography.acquisitions"].random(live.size)
    bought = live[draws < model.params.industry.acquisition_rate_yr / 12.0]
    ent, first = np.unique(ties.enterprise[bought], return_index=True)
    bought = bought[first]
    e.owner_firm[ent] = ties.firm[bought]
    ties.kind[bought] = 2
    model.events.record(model.month, EventKind.ACQUISITION, ent, e.territory[ent],
                        Labelled("firm=", ties.firm[bought]))


def _scale_ups(model) -> None:
    """Mark enterprises that reach a regional footprint or swarm nationally."""
    e, s, su = model.enterprises, model.sites, model.params.scale_up
    open_sites = np.flatnonzero(s.open)
    owner = s.enterprise[open_sites]
    for column, place, home in ((e.n_sites, s.territory, e.territory),
                                (e.n_regions, s.region, e.region)):
        # home counts once; only the few sites away from home need sorting out
        where = place[open_sites]
        away = where != home[owner]
        pairs = np.unique(owner[away] * (1 << 20) + where[away])
        column[:] = ((np.bincount(owner[~away], minlength=e.n) > 0)
                     + np.bincount(pairs >> 20, minlength=e.n))
    footprint = (e.n_sites >= su.regional_sites) | (_jobs(e, np.arange(e.n))
                                                    >= su.regional_headcount)
    swarming = e.n_regions >= su.swarming_regions
    new = np.flatnonzero(e.alive & ~e.scaled_up & (footprint | swarming))
    e.scaled_up[new] = True
    model.events.record(model.month, EventKind.SCALE_UP, new, e.territory[new],
                        np.where(swarming[new], "national_swarming", "regional_footprint"))
