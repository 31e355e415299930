"""The insertion labour flow (brake 5 on the industry side).

Clearing rule: each month every insertion employee leaves with probability 1 / path length of
the structure's form; a leaver is in employment six months later with the form's observed rate
(Dares), and in durable employment with the form's durable rate. Funded posts freed by exits are
refilled from the local pool of jobseekers at once (insertion is rationed by funded posts, not by
candidates). Leavers in employment fill industrial hard-to-fill vacancies of their territory when
their skills fit, more often when the firm already works with their structure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INDUSTRY_SHARE_OF_PLACEMENTS = 0.25


@dataclass
class LabourFlow:
    exits: np.ndarray
    employed: np.ndarray
    durable: np.ndarray
    filled_vacancies_by_territory: np.ndarray


def insertion_flow(rng, insertion, path_months, p_employment, p_durable, hiring_boost,
                   territory, vacancies_by_territory, fit, tie_bonus) -> LabourFlow:
    exits = rng.binomial(insertion, 1.0 / path_months)
    p_emp = np.clip(p_employment * (1.0 + 0.3 * hiring_boost[territory]), 0.0, 1.0)
    employed = rng.binomial(exits, p_emp)
    durable_given_employed = np.divide(p_durable, p_employment, out=np.zeros_like(p_durable),
                                       where=p_employment > 0)
    durable = rng.binomial(employed, np.clip(durable_given_employed, 0.0, 1.0))
    p_industry = np.clip(INDUSTRY_SHARE_OF_PLACEMENTS * fit[territory] * tie_bonus
                         * (1.0 + hiring_boost[territory]), 0.0, 1.0)
    candidates = rng.binomial(employed, p_industry)
    wanted = np.bincount(territory, weights=candidates, minlength=vacancies_by_territory.size)
    filled = np.minimum(wanted, vacancies_by_territory)
    return LabourFlow(exits, employed, durable, filled)
