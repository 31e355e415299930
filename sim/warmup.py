"""A settled start: the economy runs a few years before month 0, unreported, with the number of
structures of each legal form in each territory held to the month-0 data.

Why: structures built at month 0 all start healthy (cash reserve, no debt, no arrears, none
loss-making, refused or young), so none can fail before cash runs short, overdrafts pile up into
debt and banks turn the indebted loss-makers away: failures began only after two to three
years while entries started at once, and the number of structures rose ~+5% around months
18-24 before settling (ARA, every trend at zero, 10 seeds). In the steady state a share of the
structures is young, in debt, in arrears or refused at any time.

Mechanism: ``settling_months`` months of the model's own calendar before month 0, at month-0
conditions and with no lever (``sim.model.SETTLING_CALENDAR``): structures produce, sell, settle,
borrow, fall into arrears, grow, shrink and fail by the run's own rules. Only three things
differ. Founders replace the structures that failed, in the same territory and legal form,
through the entry mechanism (half-size staff, an entrant's margin, funded posts, premises found
on the market, a claim on the territory's clients): the counts stay the data's
(``replace_failures``). Industrial firms stay as built (no trend, no aid round), and nothing is
acquired or marked a scale-up before month 0. What month 0 inherits is therefore the mix of
ages, cash, debt, payables, arrears, refusals and losses that the failure process keeps in
steady state. The warm-up draws from the run's named streams (the same bytes for a config and
seed, the same start for every arm of a paired comparison), writes no event and no output row.
"""

from __future__ import annotations

import numpy as np

from sim.agents import ess
from sim.vocabulary import LEGAL_FORMS


def begin(world, months: int, cooldown: int) -> None:
    """Date the incumbents' past before the settling months: they are ``months`` older (never
    young for the banks while they settle) and free to change size from the first one."""
    e = world.enterprises
    e.founded[:] -= months
    e.last_growth[:] = -months - cooldown


def replace_failures(m) -> None:
    """Warm-up only, in place of entries: founders open, in each territory and legal form, as
    many structures as are missing from the month-0 counts there (those built, wherever they
    now stand), as entrants do (half-size staff, an entrant's margin, funded posts, premises
    found on the market, a claim on the territory's clients); those who find no premises try
    again the next month. The posts failures and cuts free and no founder claims are offered
    for redeployment, as the entries phase does."""
    w = m.world
    e, n_t, n_forms = w.enterprises, w.n_territories, len(LEGAL_FORMS)
    built = np.arange(e.n) < w.structures_built
    cell = e.form.astype(np.int64) * n_t + e.territory
    target = np.bincount(cell[built], minlength=n_forms * n_t)
    live = np.bincount(cell[e.alive], minlength=n_forms * n_t)
    missing = np.maximum(target - live, 0).reshape(n_forms, n_t)
    # founders in territory order, each with the form missing there
    form = np.concatenate([np.repeat(np.arange(n_forms), missing[:, k]) for k in range(n_t)])
    ess.open_structures(m, m.streams["demography.entries"], missing.sum(axis=0),
                        form.astype(np.int8))
    w.posts_unclaimed_by_entrants = (ess.funded_posts_slack(m), ess.adapted_posts_slack(m))


SETTLING_REPLACED = {"entries": replace_failures}
"""Calendar phases a settling month runs differently: founders replace the failed structures."""
SETTLING_SKIPPED = frozenset({"industry", "acquisitions", "scale-ups"})
"""Calendar phases a settling month skips: industrial firms stay as built (the scenario's trend
starts at month 0), and nothing is acquired or marked a scale-up before month 0."""
