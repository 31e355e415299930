"""The insertion labour flow (brake 5 on the industry side).

Clearing rule: each month every insertion employee leaves with probability 1 / path length of
the structure's form; a leaver is in employment six months later with the form's observed rate
(Dares), and in durable employment with the form's durable rate. Funded posts freed by exits are
refilled from the local pool of jobseekers at once (insertion is rationed by funded posts, not by
candidates). Leavers in employment fill industrial hard-to-fill vacancies of their territory when
their skills fit, more often when the firm already works with their structure.

The phase function ``insertion_labour`` applies the flow to the enterprises and the firms'
vacancies and fills the month record's labour figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.events import EventKind, Labelled
from sim.vocabulary import LEGAL_FORMS


@dataclass
class LabourFlow:
    exits: np.ndarray
    employed: np.ndarray
    durable: np.ndarray
    filled_vacancies_by_territory: np.ndarray


def insertion_flow(rng, insertion, path_months, p_employment, p_durable, hiring_boost,
                   territory, vacancies_by_territory, fit, tie_bonus, hr) -> LabourFlow:
    """The month's exits, outcomes and industrial vacancies filled (``hr``: the human-resources
    brake's parameters)."""
    exits = rng.binomial(insertion, 1.0 / path_months)
    p_emp = np.clip(p_employment * (1.0 + hr.platform_employment_weight * hiring_boost[territory]),
                    0.0, 1.0)
    employed = rng.binomial(exits, p_emp)
    durable_given_employed = np.divide(p_durable, p_employment, out=np.zeros_like(p_durable),
                                       where=p_employment > 0)
    durable = rng.binomial(employed, np.clip(durable_given_employed, 0.0, 1.0))
    p_industry = np.clip(hr.industry_share_of_placements * fit[territory] * tie_bonus
                         * (1.0 + hiring_boost[territory]), 0.0, 1.0)
    candidates = rng.binomial(employed, p_industry)
    wanted = np.bincount(territory, weights=candidates, minlength=vacancies_by_territory.size)
    filled = np.minimum(wanted, vacancies_by_territory)
    return LabourFlow(exits, employed, durable, filled)


def insertion_labour(m) -> None:
    """Insertion employees leave at the end of their path, some into jobs and industrial
    vacancies; their funded posts are refilled at once."""
    w = m.world
    e, firms, n_t = w.enterprises, w.firms, w.n_territories
    ins = np.flatnonzero(e.alive & (e.insertion > 0))
    hr = m.params.human_resources
    fit = hr.graduate_fit(m.effects.labour.skill_boost)
    fit = np.broadcast_to(np.asarray(fit, dtype=float), (n_t,))
    tie_bonus = 1.0 + hr.tie_hiring_bonus * (w.ties.count_by_enterprise()[ins] > 0)
    vacancies = np.bincount(firms.territory, weights=firms.vacancies, minlength=n_t)
    forms = w.forms
    flow = insertion_flow(
        m.streams["labour.insertion"], e.insertion[ins], forms.path[e.form[ins]],
        forms.exit_employment[e.form[ins]], forms.exit_durable[e.form[ins]],
        m.effects.labour.graduate_hiring_boost, e.territory[ins], vacancies, fit, tie_bonus, hr)
    share = np.divide(flow.filled_vacancies_by_territory, vacancies,
                      out=np.zeros(n_t), where=vacancies > 0)
    firms.vacancies[:] = firms.vacancies * (1 - share[firms.territory])
    entries = e.insertion_posts[ins] - e.insertion[ins] + flow.exits
    e.insertion[ins] = e.insertion_posts[ins]

    def by_form(values):
        return np.bincount(e.form[ins], weights=values, minlength=len(LEGAL_FORMS))

    m.now.labour = {
        "exits": flow.exits.sum(), "employed": flow.employed.sum(),
        "durable": flow.durable.sum(), "entries": entries.sum(),
        "filled": flow.filled_vacancies_by_territory.sum(),
        "employed_by_territory": np.bincount(e.territory[ins], weights=flow.employed,
                                             minlength=n_t),
        "exits_by_form": by_form(flow.exits), "employed_by_form": by_form(flow.employed),
        "durable_by_form": by_form(flow.durable),
    }
    if flow.exits.sum():
        left = flow.exits > 0
        m.events.record(m.month, EventKind.INSERTION_EXITS, ins[left], e.territory[ins[left]],
                        Labelled("employed=", flow.employed[left]))
