"""Premises: floor space, leases and rents set by land-market tension (brake 4).

Clearing rule: requests for floor space (growth, entry, new site) are served in a random order
within each territory. With a solidarity land trust that gives ESS priority, a request is first
served from the trust's vacant stock at a discounted rent; once that stock is let, the request
goes to the private market and the trust records it as demand it could not meet (it buys
against that demand, within its capital). Otherwise a private landlord accepts an
ESS tenant with the brake's acceptance probability, if vacant stock remains and the rent stays
under the tenant's maximum rent-to-sales ratio. Market rent = base rent × tension × rent index;
a lease keeps its rent, indexed yearly with the scenario's rent inflation.

The premises phase functions open sites on served requests (``lease``), close them
(``close_sites``) and collect rents (``pay_rents``): floor space and rent move through the ledger.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from sim.compaction import sum_over_sites_ever
from sim.ledger import Sector
from sim.state import among
from sim.vocabulary import FloorStock

PRIVATE, TRUST = FloorStock.PRIVATE, FloorStock.TRUST
LANDLORD_SECTOR = {PRIVATE: Sector.PRIVATE_LANDLORDS, TRUST: Sector.LAND_TRUSTS,
                   FloorStock.HOST: Sector.INDUSTRY}  # implants: the host's floor and equipment


@dataclass
class Leases:
    request: np.ndarray        # index into the request arrays
    stock: np.ndarray          # PRIVATE or TRUST
    rent_m2_yr: np.ndarray


class PremisesMarket:
    def __init__(self, base_rent: float, tension: np.ndarray):
        self.base_rent = base_rent
        self.tension = tension
        # m² that ESS tenants with trust priority asked for but the trust's vacant floor could
        # not hold, by territory, since the trust last bought (it buys against this demand)
        self.trust_shortfall_m2 = np.zeros(tension.size)

    def market_rent(self, rent_index: float) -> np.ndarray:
        """€/m²/yr of a new private lease in each territory."""
        return self.base_rent * self.tension * rent_index

    def clear(self, rng, territory, m2, max_rent_m2, vacant, acceptance, effects, rent_index):
        """Serve requests (arrays over requests); ``vacant`` is (2, T): private and trust stock;
        ``effects``: the levers' ``PremisesEffects``."""
        n = territory.size
        if n == 0:
            return Leases(np.zeros(0, np.int64), np.zeros(0, np.int8), np.zeros(0))
        order = rng.permutation(n)
        accept_draw = rng.random(n)
        market = self.market_rent(rent_index)
        t = territory[order]
        max_rent = max_rent_m2[order]
        wants_private = (accept_draw[order] < acceptance) & (market[t] <= max_rent)
        if not effects.trust_priority.any():  # no trust gives priority: no request asks it
            return _serve_private(order, t, m2, wants_private, vacant[PRIVATE], market)
        trust_rent = market * (1.0 - effects.trust_rent_discount)
        wants_trust = (effects.trust_priority[t] > 0) & (trust_rent[t] <= max_rent)
        # stocks are rationed where land is tense, so each request sees what earlier ones left:
        # a loop, over plain lists (a request costs ~1 µs; most months see a few hundred)
        # (a request that wants neither stock takes nothing: only the others are looped over)
        left = vacant.tolist()
        asking = (wants_trust | wants_private).nonzero()[0]
        # each request served at most once: its position is listed under its stock, and the
        # stocks written after the loop (one assignment each, not one per request)
        by_trust, by_private = [], []
        for i, here, need, trust_ok, private_ok in zip(
                asking.tolist(), t[asking].tolist(), m2[order[asking]].tolist(),
                wants_trust[asking].tolist(), wants_private[asking].tolist(), strict=True):
            if trust_ok and left[TRUST][here] >= need:
                left[TRUST][here] -= need
                by_trust.append(i)
                continue
            if trust_ok:  # the trust's floor is let: the tenant tries the private market
                self.trust_shortfall_m2[here] += need
            if private_ok and left[PRIVATE][here] >= need:
                left[PRIVATE][here] -= need
                by_private.append(i)
        stock = np.full(n, -1, dtype=np.int8)
        stock[by_trust] = TRUST
        stock[by_private] = PRIVATE
        served = (stock >= 0).nonzero()[0]
        rents = np.where(stock[served] == TRUST, trust_rent[t[served]], market[t[served]])
        return Leases(order[served], stock[served], rents)


def _serve_private(order, t, m2, wants_private, private_vacant, market) -> Leases:
    """``PremisesMarket.clear`` when no request wants the trust's floor: the requests that
    accept a private lease (in ``order``, territories ``t``) are served in turn while their
    territory's private vacant stock holds them, at the market rent: the leases the general
    loop gives, without the trust's columns."""
    left = private_vacant.tolist()
    asking = wants_private.nonzero()[0]
    served = []
    for i, here, need in zip(asking.tolist(), t[asking].tolist(), m2[order[asking]].tolist(),
                             strict=True):
        if left[here] >= need:
            left[here] -= need
            served.append(i)
    served = np.array(served, dtype=np.intp)
    return Leases(order[served], np.full(served.size, PRIVATE, dtype=np.int8),
                  market[t[served]])


# --- the vacant stock: built as observed, widened from month 0 by a lifted brake ------------------
def observed_vacant_m2(premises, territories) -> np.ndarray:
    """Vacant private floor on the market in each territory with brake 4 as measured: the
    world is built with it whatever the run's brake, so every arm of a paired comparison
    shares the world of month 0 (and its settling months, ``sim.warmup``)."""
    observed = dataclasses.replace(premises, enabled=True)
    return np.asarray(territories.population) * observed.vacancy_per_capita(
        np.asarray(territories.tension))


def release_lifted_vacancy(world, premises) -> None:
    """At month 0, a run lifting brake 4 brings onto the market the vacant floor its lifted
    brake stands for, beyond the observed stock (landlords offer what they held back); ESS
    tenants reach it only by renting it, from month 0 on. The floor joins the world's stock
    of floor space, which the ledger keeps conserved from then on."""
    if premises.enabled:
        return
    t, L = world.territories, world.ledger
    lifted = np.asarray(t.population) * premises.vacancy_per_capita(np.asarray(t.tension))
    L.territory_floor[PRIVATE] += np.maximum(lifted - observed_vacant_m2(premises, t), 0.0)
    world.initial_floor = L.total_floor()


# --- the premises phase functions ---------------------------------------------------------------
def lease(m, stream: str, enterprises, territory, m2, max_rent: np.ndarray,
          extend: bool = False) -> np.ndarray:
    """Ask the premises market for floor space; open a site per served request, or, with
    ``extend`` (growth at home), add the m² to a lease the enterprise already holds in that
    territory from the same landlord stock. Returns a mask."""
    served_mask = np.zeros(enterprises.size, dtype=bool)
    if enterprises.size == 0:
        return served_mask
    w = m.world
    L = w.ledger
    leases = w.premises_market.clear(
        m.streams[stream], territory, m2, max_rent, L.territory_floor[:2],
        m.params.premises.acceptance(), m.effects.premises, m.conditions.rent_index)
    r = leases.request
    if r.size == 0:
        return served_mask
    # the served requests' columns gathered once (were gathered again for each use)
    ent, terr, area, stock, rent = enterprises[r], territory[r], m2[r], leases.stock, \
        leases.rent_m2_yr
    held = _held_lease(w, ent, terr, stock) if extend else None
    grown = None if held is None else held >= 0
    if grown is not None and grown.any():
        _extend(L, w.sites, held[grown], stock[grown], terr[grown], area[grown], rent[grown])
        new = ~grown
        new_ent, new_terr, new_area, new_stock, new_rent = (
            ent[new], terr[new], area[new], stock[new], rent[new])
    else:  # every served request opens a site: no mask to gather through
        new_ent, new_terr, new_area, new_stock, new_rent = ent, terr, area, stock, rent
    sites = w.sites.append(new_ent.size, open=True, enterprise=new_ent, territory=new_terr,
                           region=w.territory_region[new_terr], stock=new_stock,
                           rent_m2_yr=new_rent, opened=m.month)
    L.grow_sites(w.sites)
    _move_floor_to_sites(L, new_stock, new_terr, sites, new_area)
    np.add.at(w.enterprises.floor, ent, area)
    served_mask[r] = True
    return served_mask


def _held_lease(w, enterprises, territory, stock) -> np.ndarray:
    """For each served request, an open site its enterprise leases in that territory from that
    stock (the largest, if several), else -1."""
    s, floor = w.sites, w.ledger.site_floor
    candidates = (s.open & among(s.enterprise, enterprises, w.enterprises.n)
                  & (s.stock != FloorStock.HOST)).nonzero()[0]
    # ascending floor, so the largest lease of a (enterprise, territory, stock) is kept last
    candidates = candidates[np.argsort(floor[candidates], kind="stable")]
    site_of = {(e, t, k): i for e, t, k, i in zip(
        s.enterprise[candidates].tolist(), s.territory[candidates].tolist(),
        s.stock[candidates].tolist(), candidates.tolist(), strict=True)}
    return np.array([site_of.get(key, -1) for key in zip(
        enterprises.tolist(), territory.tolist(), stock.tolist(), strict=True)], dtype=np.int64)


def _extend(L, sites, site_idx, stock, territory, m2, market_rent) -> None:
    """Add m² to held leases; the added m² are let at today's rent, so the lease's rent per m²
    becomes the floor-weighted mean of its old rent and the market rent."""
    held_m2 = L.site_floor[site_idx]
    sites.rent_m2_yr[site_idx] = ((held_m2 * sites.rent_m2_yr[site_idx] + m2 * market_rent)
                                  / (held_m2 + m2))
    sites.extended_m2[site_idx] += m2
    _move_floor_to_sites(L, stock, territory, site_idx, m2)


def _move_floor_to_sites(L, stock, territory, site_idx, m2) -> None:
    """The leases' m² leave each landlord's vacant stock for the sites, private then trust.
    When every lease is private (the usual month: no land trust), the private move takes
    every row as it is (the same values a mask of all rows gathers) and the trust has none to
    move (an empty move changes nothing: ``Ledger.move_floor_to_site``)."""
    if (stock == PRIVATE).all():
        L.move_floor_to_site(PRIVATE, territory, site_idx, m2)
        return
    for k_stock in (PRIVATE, TRUST):
        k = stock == k_stock
        L.move_floor_to_site(k_stock, territory[k], site_idx[k], m2[k])


def give_back_floor(world, site_idx: np.ndarray, m2: np.ndarray) -> None:
    """Shorten leases: ``m2`` of each site go back to its landlord's vacant stock (never more
    than the site gained by extensions)."""
    s, L = world.sites, world.ledger
    m2 = np.minimum(m2, s.extended_m2[site_idx])
    s.extended_m2[site_idx] -= m2
    np.subtract.at(world.enterprises.floor, s.enterprise[site_idx], m2)
    for stock in (PRIVATE, TRUST):
        k = s.stock[site_idx] == stock
        L.move_floor_from_site(stock, s.territory[site_idx[k]], site_idx[k], m2[k])


def close_sites(world, site_idx: np.ndarray) -> None:
    """End leases: the floor goes back to its landlord's vacant stock (an implant's, and the
    equipment it used, to its industrial host)."""
    s, L = world.sites, world.ledger
    site_idx = site_idx[s.open[site_idx]]
    if site_idx.size == 0:  # nothing to close (a quarter of the calls): nothing moves
        return
    np.subtract.at(world.enterprises.host_equipment, s.enterprise[site_idx], s.equipment[site_idx])
    for stock in LANDLORD_SECTOR:
        k = site_idx[s.stock[site_idx] == stock]
        if k.size == 0:  # no lease of this landlord: no floor to give back
            continue
        m2 = L.site_floor[k].copy()
        np.subtract.at(world.enterprises.floor, s.enterprise[k], m2)
        L.move_floor_from_site(stock, s.territory[k], k, m2)
    s.open[site_idx] = False


def max_rent_m2(m, rows, total_m2) -> np.ndarray:
    """Highest €/m²/yr a tenant accepts so its whole rent stays under a share of its income:
    its sales (at least its capacity at the expected utilisation), the State's aid for its
    insertion and adapted posts and a chantier d'insertion's local co-funding, which for it are
    most of its resources (``sim.markets.settlement``)."""
    e, forms = m.world.enterprises, m.world.forms
    floor_sales = m.params.premises.expected_utilisation * e.capacity[rows]
    form = e.form[rows]
    ins_fte = e.insertion[rows] * forms.fte[form]
    aid = (ins_fte + e.adapted[rows]) * forms.aid_month[form]
    cofunding = ins_fte * e.cofunding_per_fte[rows]
    expected_income = (np.maximum(e.sales[rows], floor_sales) + aid + cofunding) * 12.0
    return m.params.premises.max_rent_share * expected_income / np.maximum(total_m2, 1.0)


def pay_rents(m) -> None:
    """Tenants pay each site's rent to its landlord; leases are indexed once a year."""
    w = m.world
    s, e = w.sites, w.enterprises
    if m.month > 0 and m.month % 12 == 0:
        s.rent_m2_yr[:] = s.rent_m2_yr * (1.0 + m.config.scenario.rent_inflation_yr)
    rent = np.where(s.open, w.ledger.site_floor[: s.n] * s.rent_m2_yr / 12.0, 0.0)
    for stock, sector in LANDLORD_SECTOR.items():
        of_stock = (s.stock == stock).nonzero()[0]  # gathers by index cost less than by mask
        paid = rent[of_stock]
        w.ledger.pay_enterprises_to_sector(s.enterprise[of_stock], paid, sector,
                                           f"rent_{sector.name.lower()}",
                                           sum_over_sites_ever(w, of_stock, paid, stock))
    paying = s.open.nonzero()[0]  # a closed site's rent is +0.0, which adds no bit
    e.rent_month[:] = np.bincount(s.enterprise[paying], weights=rent[paying], minlength=e.n)
