"""The insertion labour market (brake 5, post-insertion side).

Flow: each month every insertion employee leaves with probability 1 / path length of the
structure's form; funded posts freed by exits are refilled from the local pool of jobseekers at
once (insertion is rationed by funded posts, not by candidates).

Clearing rule (each territory, each month; a leaving cohort's six-month search is resolved in the
month it leaves, against the vacancies open that month):

1. Industrial hard-to-fill vacancies (``firms.vacancies``). A leaver can take one only if its
   skills fit: the share of its structure's sector whose trade is industrial, minus the skill gap
   (which training partnerships close). Qualified leavers meet the territory's vacancies V by an
   urn-ball matching function with weighted seekers (Butters 1977; Petrongolo & Pissarides 2001):
   each of the A·V vacancies that consider graduates (A: matching efficiency, the share of
   employers who know and would hire a graduate, which recruitment platforms raise, at most 1)
   reaches one qualified leaver drawn in proportion to its search weight w (higher when its
   structure already works with industry), so a leaver is hired with probability
   1 − exp(−A·V·w / Σw). Expected hires are ≤ min(leavers, A·V); the realised hires of a
   territory are capped at its whole vacancies open, and every hire removes one vacancy from
   the firms (in proportion to their vacancies). No vacancies, no hires; more vacancies, more
   hires, up to the qualified leavers.
2. Other employers (the rest of the local labour market). The leavers not hired by industry meet
   the territory's pool of other vacancies open to them by the same rule with the form's search
   weight s_f (AI/ETTI leavers, already placed at clients, search better than ACI leavers), in
   competition with the territory's other jobseekers (leavers are a small share of them). The
   pool and the other jobseekers are calibrated at month 0 (``LabourMarket.calibrate``) so that
   each form's leavers find a job with the Dares rate once industry's expected hires are
   counted; both stay constant after, so more leavers in a territory compete a little more.

A job found is durable (CDI or CDD ≥ 6 months) with probability ``durable_industrial_share`` in
industry and with the form's calibrated probability elsewhere, so the baseline gives each form's
durable-exit rate. The phase function ``insertion_labour`` applies the flow to the enterprises
and the firms' vacancies and fills the month record's labour figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.events import EventKind, Labelled
from sim.vocabulary import LEGAL_FORMS


def urn_ball_probability(reach: np.ndarray, weight: np.ndarray, total_weight: np.ndarray
                         ) -> np.ndarray:
    """Chance that a seeker of search ``weight`` is hired when ``reach`` vacancies (matching
    efficiency × vacancies) each pick one seeker in proportion to weight among ``total_weight``."""
    rate = np.divide(reach * weight, total_weight, out=np.zeros(np.broadcast(
        reach, weight, total_weight).shape), where=total_weight > 0)
    return -np.expm1(-rate)


def cap_by_vacancies(rng, hires: np.ndarray, territory: np.ndarray, vacancies: np.ndarray
                     ) -> np.ndarray:
    """Hires per seeker group, thinned at random so no territory hires more than its whole
    vacancies (a fraction of a vacancy is not a post)."""
    open_posts = np.floor(vacancies)
    wanted = np.bincount(territory, weights=hires, minlength=vacancies.size)
    hires = hires.copy()
    for t in (wanted > open_posts).nonzero()[0]:
        rows = ((territory == t) & (hires > 0)).nonzero()[0]
        hires[rows] = rng.multivariate_hypergeometric(hires[rows], int(open_posts[t]))
    return hires


@dataclass
class LabourMarket:
    """The other employers' side, calibrated at month 0: per territory the vacancies open to
    insertion leavers, per form the leavers' search weight and the chance a job found outside
    industry is durable."""

    other_vacancies: np.ndarray     # by territory, a month
    other_jobseekers: np.ndarray    # by territory, competing for them (search-weight units)
    search_weight: np.ndarray       # by form
    durable_other: np.ndarray       # by form

    @classmethod
    def calibrate(cls, world, params) -> LabourMarket:
        """Other vacancies and search weights so that month 0's expected leavers give each form
        its observed employment and durable rates once industry's expected hires are counted."""
        lab, hr = params.labour, params.human_resources
        e, forms, n_t = world.enterprises, world.forms, world.n_territories
        ins = (e.alive & (e.insertion_posts > 0)).nonzero()[0]
        leavers = e.insertion_posts[ins] / forms.path[e.form[ins]]
        fit = skill_fit(lab, hr, e.sector[ins], np.zeros(n_t), e.territory[ins])
        weight = industrial_search_weight(lab, world, ins)
        vacancies = np.bincount(world.firms.territory, weights=world.firms.vacancies,
                                minlength=n_t)
        qualified = leavers * fit
        total = np.bincount(e.territory[ins], weights=qualified * weight, minlength=n_t)
        reach = lab.industrial_matching_efficiency * vacancies
        qualified_by_territory = np.bincount(e.territory[ins], weights=qualified, minlength=n_t)
        small_numbers = poisson_urn_correction(reach, qualified_by_territory)
        p_industry = fit * small_numbers[e.territory[ins]] * urn_ball_probability(
            reach[e.territory[ins]], weight, total[e.territory[ins]])
        n_forms = len(LEGAL_FORMS)
        by_form = np.bincount(e.form[ins], weights=leavers, minlength=n_forms)
        hired = np.bincount(e.form[ins], weights=leavers * p_industry, minlength=n_forms)
        industry = np.divide(hired, by_form, out=np.zeros(n_forms), where=by_form > 0)
        employed, durable = forms.exit_employment, forms.exit_durable
        other = np.clip(np.divide(employed - industry, 1.0 - industry), 0.0, 1.0 - 1e-9)
        search_weight = -np.log1p(-other)
        durable_other = np.clip(np.divide(
            durable - industry * lab.durable_industrial_share, employed - industry,
            out=np.zeros(n_forms), where=employed - industry > 0), 0.0, 1.0)
        seekers = leavers * (1.0 - p_industry) * search_weight[e.form[ins]]
        effective = np.bincount(e.territory[ins], weights=seekers, minlength=n_t)
        per_capita = effective.sum() / max(world.territories.population.sum(), 1.0)
        effective = np.where(effective > 0, effective,
                             per_capita * world.territories.population)
        others = effective * (1.0 - lab.leaver_share_of_jobseekers) / lab.leaver_share_of_jobseekers
        return cls((effective + others) / lab.other_matching_efficiency, others, search_weight,
                   durable_other)


def poisson_urn_correction(reach: np.ndarray, expected_seekers: np.ndarray) -> np.ndarray:
    """Expected urn-ball hiring rate when the month's seekers are Poisson around their mean,
    over the rate at the mean (< 1: with few seekers, a month with many wastes no vacancy but
    a month with none wastes them all)."""
    lam = expected_seekers[:, None]
    n = np.arange(1, int(expected_seekers.max(initial=0) + 10 * np.sqrt(
        expected_seekers.max(initial=0)) + 20))[None, :]
    pmf = np.exp(n * np.log(np.maximum(lam, 1e-300)) - lam - np.cumsum(np.log(n), axis=1))
    hires = (pmf * n * -np.expm1(-reach[:, None] / n)).sum(axis=1)
    at_mean = expected_seekers * -np.expm1(-np.divide(
        reach, expected_seekers, out=np.zeros_like(reach), where=expected_seekers > 0))
    return np.divide(hires, at_mean, out=np.ones_like(reach), where=at_mean > 0)


def skill_fit(lab, hr, sector, skill_boost, territory) -> np.ndarray:
    """Share of a structure's leavers whose skills fit an industrial hard-to-fill vacancy: its
    sector's industrial trades, less the skill gap left after training (none, brake lifted)."""
    trade = np.asarray(lab.industrial_trade_share_by_sector)[sector]
    gap = hr.skill_gap * (1.0 - skill_boost[territory]) if hr.enabled else 0.0
    return trade * (1.0 - gap)


def industrial_search_weight(lab, world, rows) -> np.ndarray:
    """Graduates of a structure that already works with industry are known to employers."""
    tied = world.ties.count_by_enterprise()[rows] > 0
    return 1.0 + lab.tie_hiring_bonus * tied


@dataclass
class LabourFlow:
    exits: np.ndarray
    employed: np.ndarray
    durable: np.ndarray
    industrial: np.ndarray
    trained: np.ndarray             # expected leavers whose gap training closed


def match_leavers(rng, rng_industry, market: LabourMarket, lab, exits, form, territory, fit,
                  base_fit, weight, industrial_vacancies, efficiency) -> LabourFlow:
    """Leavers (``exits`` per structure) meet industrial vacancies, then other employers'
    vacancies, by the module's clearing rule. ``efficiency``: industrial matching efficiency by
    territory. Industrial draws come from their own stream, so where industry hires no one the
    other draws are those of a run without a lever."""
    n_t = industrial_vacancies.size
    qualified = rng_industry.binomial(exits, fit)
    total = np.bincount(territory, weights=qualified * weight, minlength=n_t)
    p_industry = urn_ball_probability((efficiency * industrial_vacancies)[territory], weight,
                                      total[territory])
    industrial = cap_by_vacancies(rng_industry, rng_industry.binomial(qualified, p_industry),
                                  territory, industrial_vacancies)
    searching = exits - industrial
    s = market.search_weight[form]
    total = np.bincount(territory, weights=searching * s, minlength=n_t) + market.other_jobseekers
    reach = lab.other_matching_efficiency * market.other_vacancies
    other = cap_by_vacancies(rng, rng.binomial(searching, urn_ball_probability(
        reach[territory], s, total[territory])), territory, market.other_vacancies)
    durable = (rng_industry.binomial(industrial, lab.durable_industrial_share)
               + rng.binomial(other, market.durable_other[form]))
    return LabourFlow(exits, industrial + other, durable, industrial,
                      exits * np.maximum(fit - base_fit, 0.0))


def insertion_labour(m) -> None:
    """Insertion employees leave at the end of their path into jobs found by matching; their
    funded posts are refilled at once; vacancies filled leave the firms."""
    w = m.world
    e, firms, n_t = w.enterprises, w.firms, w.n_territories
    ins = (e.alive & (e.insertion > 0)).nonzero()[0]
    lab, hr, effects = m.params.labour, m.params.human_resources, m.effects.labour
    rng = m.streams["labour.insertion"]
    form, sector, posts = e.form[ins], e.sector[ins], e.insertion_posts[ins]  # gathered once
    exits = rng.binomial(e.insertion[ins], 1.0 / w.forms.path[form])
    territory = e.territory[ins]
    base_fit = skill_fit(lab, hr, sector, np.zeros(n_t), territory)
    # no training boost anywhere: the boosted fit is the base fit, the same floats
    fit = (skill_fit(lab, hr, sector, effects.skill_boost, territory)
           if effects.skill_boost.any() else base_fit)
    efficiency = np.minimum(
        lab.industrial_matching_efficiency * (1.0 + effects.graduate_hiring_boost), 1.0)
    vacancies = np.bincount(firms.territory, weights=firms.vacancies, minlength=n_t)
    flow = match_leavers(rng, m.streams["labour.industry"], w.labour_market, lab, exits,
                         form, territory, fit, base_fit,
                         industrial_search_weight(lab, w, ins), vacancies, efficiency)
    filled = np.bincount(territory, weights=flow.industrial, minlength=n_t)
    share = np.divide(filled, vacancies, out=np.zeros(n_t), where=vacancies > 0)
    firms.vacancies[:] = firms.vacancies * (1 - share[firms.territory])
    entries = posts - e.insertion[ins] + flow.exits
    e.insertion[ins] = posts

    def by_form(values):
        return np.bincount(form, weights=values, minlength=len(LEGAL_FORMS))

    m.now.labour = {
        "exits": flow.exits.sum(), "employed": flow.employed.sum(),
        "durable": flow.durable.sum(), "entries": entries.sum(), "filled": filled.sum(),
        "employed_by_territory": np.bincount(territory, weights=flow.employed, minlength=n_t),
        "trained_by_territory": np.bincount(territory, weights=flow.trained, minlength=n_t),
        "exits_by_form": by_form(flow.exits), "employed_by_form": by_form(flow.employed),
        "durable_by_form": by_form(flow.durable),
    }
    if flow.exits.sum():
        left = flow.exits > 0
        m.events.record(m.month, EventKind.INSERTION_EXITS, ins[left], territory[left],
                        Labelled("employed=", flow.employed[left]))
