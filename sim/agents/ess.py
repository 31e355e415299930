"""ESS enterprises in their legal forms (EI, ACI, ETTI, AI, EA, SCOP, SCIC, association): the
actor family's rules, vectorised over the rows of ``world.enterprises``, and the Mesa view.

Capacity comes from staff and productivity, bounded for collectors by the feedstock they won;
each month profitable enterprises whose demand outruns capacity grow (if they find finance and
floor space), those short of demand shrink, large ones open sites where their market lies beyond
their catchment (or relocate), new structures enter where demand per structure allows and they
find posts and premises, repeatedly refused ones fail, and some reach the study's scale-up: an
independent ESS structure at industrial scale by FTE or sales, with a significant regional
footprint (sites in several territories of its region, or a large share of its region's sector)
or national swarming (sites in several regions); acquired structures are counted apart.

Phases take the model ``m`` (its ``world``, ``params``, ``effects``, ``streams``, ``events``,
``now``) and change only ESS rows, their sites, loans and ties, through the markets and the
ledger.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.agents import automation
from sim.events import EventKind, Labelled
from sim.ledger import Sector
from sim.markets import clearing, credit, premises, procurement
from sim.state import among
from sim.vocabulary import INSERTION_FORMS, LEGAL_FORMS, SECTORS, FloorStock

INSERTION_FORM_CODES = np.array([LEGAL_FORMS.index(f) for f in INSERTION_FORMS])
# Whether a legal form is an insertion form: a lookup, the mask ``np.isin(form,
# INSERTION_FORM_CODES)`` gives (without its sort, once a month for the entrants)
_IS_INSERTION_FORM = np.isin(np.arange(len(LEGAL_FORMS)), INSERTION_FORM_CODES)

OWN, EQUITY, LOAN, REFUSED = 0, 1, 2, 3  # how an expansion is funded


class ESSEnterprise(mesa.Agent):
    """Inspection view of one ESS enterprise (row ``row`` of ``world.enterprises``): its rules
    run vectorised in this module's phases; the view gives Mesa's tooling and the dashboard an
    agent to query."""

    def __init__(self, model, row: int):
        super().__init__(model)
        self.row = row

    @property
    def legal_form(self) -> str:
        return LEGAL_FORMS[self.model.world.enterprises.form[self.row]]

    @property
    def sector(self) -> str:
        return SECTORS[self.model.world.enterprises.sector[self.row]]

    @property
    def cash(self) -> float:
        return float(self.model.world.ledger.cash(self.row))

    @property
    def jobs(self) -> int:
        return int(jobs(self.model.world.enterprises, self.row))

    def describe(self) -> dict:
        """Everything an inspector shows: premises, lease, cash, staff, customers, history."""
        return snapshot(self.model, self.row)


_LANDLORDS = {FloorStock.TRUST: "land trust", FloorStock.HOST: "industrial host (implant)"}


def snapshot(m, row: int) -> dict:
    """One enterprise as the dashboard's inspector shows it."""
    w = m.world
    e, s, ties = w.enterprises, w.sites, w.ties.table
    sites = ((s.enterprise == row) & s.open).nonzero()[0]
    codes = w.territories.codes
    events = m.events.frame(codes)
    history = events[events.agent == e.serial[row]].tail(20)
    customers = (ties.active & (ties.enterprise == row)).nonzero()[0]
    return {
        "row": int(e.serial[row]), "alive": bool(e.alive[row]),
        "legal_form": LEGAL_FORMS[e.form[row]],
        "territory": str(codes[e.territory[row]]),
        "territory_name": str(w.territories.names[e.territory[row]]),
        "founded_month": int(e.founded[row]), "cash_eur": float(w.ledger.cash(row)),
        "debt_eur": float(e.debt[row]), "permanent": int(e.permanent[row]),
        "insertion": int(e.insertion[row]), "adapted": int(e.adapted[row]),
        "capacity_eur_month": float(e.capacity[row]), "sales_eur_month": float(e.sales[row]),
        "floor_m2": float(w.ledger.site_floor[sites].sum()),
        "rent_eur_month": float(e.rent_month[row]),
        "sites": [{"territory": str(codes[s.territory[i]]),
                   "floor_m2": float(w.ledger.site_floor[i]),
                   "landlord": _LANDLORDS.get(int(s.stock[i]), "private"),
                   "rent_eur_m2_yr": float(s.rent_m2_yr[i])} for i in sites],
        "customers": [int(ties.firm[i]) for i in customers],
        "scaled_up": bool(e.scaled_up[row]),
        "history": history.to_dict("records"),
    }


# --- staff, capacity, costs ----------------------------------------------------------------------
def jobs(e, rows):
    return e.permanent[rows] + e.insertion[rows] + e.adapted[rows]


def on_site_jobs(world, rows: np.ndarray, params=None) -> np.ndarray:
    """Jobs that need floor space (AI and ETTI place their insertion staff at clients); with
    ``params``, own machines too, each as the workers whose output it gives."""
    e = world.enterprises
    staff = e.permanent[rows] + e.adapted[rows] + e.insertion[rows] * world.forms.on_site[
        e.form[rows]]
    return staff if params is None else staff + automation.machine_workers(world, params, rows)


def wage_costs(world, econ, rows) -> np.ndarray:
    """Monthly wage bill at full pay (permanent staff, insertion FTE and adapted posts)."""
    e = world.enterprises
    return (e.permanent[rows] * econ.wage_permanent_month
            + (e.insertion[rows] * world.forms.fte[e.form[rows]] + e.adapted[rows])
            * econ.wage_insertion_month)


def effective_fte(world, params, rows: np.ndarray) -> np.ndarray:
    """Staff in full-time equivalents at a permanent worker's productivity, plus the workers
    whose output its own machines give (their operators are hired with them). A host's
    equipment in an implant adds nothing of its own: the enterprise's team runs it
    (``sim/markets/implants.py``)."""
    e, econ = world.enterprises, params.economy
    return (e.permanent[rows]
            + e.insertion[rows] * world.forms.fte[e.form[rows]] * econ.insertion_productivity
            + e.adapted[rows] * econ.adapted_productivity
            + automation.machine_workers(world, params, rows))


def capacity(world, params, rows: np.ndarray) -> np.ndarray:
    """Monthly sales capacity (€) from staff and productivity, bounded by feedstock won."""
    e, econ = world.enterprises, params.economy
    staff_capacity = econ.sales_per_fte_month * e.productivity[rows] * effective_fte(
        world, params, rows)
    return feedstock_bounded(world, rows, staff_capacity)


def feedstock_bounded(world, rows: np.ndarray, staff_capacity: np.ndarray) -> np.ndarray:
    """Capacity of collectors and reuse workshops is their staff capacity times the share of
    the feedstock they need that they won (markets/feedstock.py); other sectors need none."""
    e = world.enterprises
    return np.where(world.sectors.needs_feedstock[e.sector[rows]],
                    staff_capacity * e.feedstock_access[rows], staff_capacity)


def staff_and_capacity(world, params, rng, effects) -> None:
    """Support staff leave and are replaced (brake 5); capacity follows staff and feedstock."""
    e, hr = world.enterprises, params.human_resources
    draws = rng.random((2, e.appended))[:, e.serial]  # one per enterprise ever (by serial)
    cut = effects.support_turnover_cut[e.territory]
    leaving = ~e.support_vacant & (draws[0] < hr.support_turnover_month * (1 - cut))
    refilled = e.support_vacant & (draws[1] < 1.0 / hr.refill_months)
    if hr.enabled:
        e.support_vacant[:] = (e.support_vacant & ~refilled) | leaving
    # capacity is computed element by element: live rows only (a failed one's is zero), the
    # same numbers at a cost that stays with the live rows
    live = e.alive.nonzero()[0]
    e.capacity[:] = 0.0
    e.capacity[live] = capacity(world, params, live) * hr.capacity_factor(
        e.support_vacant[live])


def produce(m) -> None:
    """Capacity from staff, productivity (entrants' converging as they age), support
    vacancies (brake 5) and feedstock (brake 2)."""
    mature_productivity(m.world, m.params, m.month)
    staff_and_capacity(m.world, m.params, m.streams["hr.turnover"], m.effects.production)


def draw_staff_and_sector(world, params, rng, rows, scale: float) -> None:
    """Staff around the form's means (Poisson), an insertion structure's staff scaled by its
    region's insertion structure size, and a sector from the form's mix."""
    e = world.enterprises
    forms = params.population.forms
    form = e.form[rows]
    mean = np.array([[forms[f].permanent_staff, forms[f].insertion_staff, forms[f].adapted_staff]
                     for f in LEGAL_FORMS])[form] * scale
    # a region's insertion structures are larger or smaller than the national ones; their
    # supervisors scale with the people they supervise (the form's national ratio)
    size = np.where(_IS_INSERTION_FORM[form], world.insertion_size_factors[
        e.territory[rows]], 1.0)
    mean[:, :2] *= size[:, None]
    staff = rng.poisson(mean)
    e.permanent[rows] = np.maximum(staff[:, 0], 1)
    e.insertion_posts[rows] = staff[:, 1]
    e.insertion[rows] = staff[:, 1]
    e.adapted[rows] = staff[:, 2]
    supervise_adapted_posts(world, rows)
    mix = np.cumsum(np.array([forms[f].sector_mix for f in LEGAL_FORMS]), axis=1)[form]
    e.sector[rows] = np.minimum((rng.random(rows.size)[:, None] > mix).sum(axis=1),
                                len(SECTORS) - 1)


def supervise_adapted_posts(world, rows) -> None:
    """An adapted enterprise's permanent staff (supervisors, support) is the form's share of its
    adapted posts (at least one): its accounts are set at that mix (``calibrate_productivity``)
    and the posts it is granted later bring supervisors at the same ratio (``_hire``), so the
    mix it is calibrated on is the mix it keeps. Drawn apart from the posts, a structure with
    fewer supervisors than the form's ratio was calibrated on a lower productivity, for which
    the supervisors that come with redeployed posts are a loss."""
    e, forms = world.enterprises, world.forms
    adapted = rows[forms.adapted_share[e.form[rows]] > 0]
    if adapted.size:
        e.permanent[adapted] = np.maximum(
            _supervisors_for(forms, e.form[adapted], e.adapted[adapted]), 1)


def calibrate_productivity(world, params, rng, rows, rent_month, dispersion,
                           survivors=True) -> None:
    """Set each enterprise's productivity so that, at its creation, it earns its form's target
    margin (plus a dispersion) given its wages, rent, materials, State aid and co-funding
    (docs/ODD.md, initialisation): the baseline starts near equilibrium, and what moves it
    afterwards are markets, shocks and levers. Incumbents are survivors, none structurally
    loss-making; entrants (``survivors=False``) draw widely and learn their margin by
    operating."""
    e, econ, forms = world.enterprises, params.economy, world.forms
    e.productivity[rows] = 1.0
    unit_sales = econ.utilisation_at_start * capacity(world, params, rows)
    ins_fte = e.insertion[rows] * forms.fte[e.form[rows]] + e.adapted[rows]
    wages = wage_costs(world, econ, rows)
    aid = ins_fte * forms.aid_month[e.form[rows]]
    target = forms.target_margin[e.form[rows]]
    cofunding = _convention_cofunding(world, econ, rows, wages + rent_month, aid, target)
    margin = target + rng.normal(0.0, dispersion, rows.size)

    def at(margin):
        kept = 1.0 - econ.materials_share - margin
        productivity = np.divide(wages + rent_month - aid - cofunding, kept * unit_sales,
                                 out=np.ones(rows.size), where=unit_sales > 0)
        return np.clip(productivity, 0.05, 10.0)

    drawn = at(np.maximum(margin, 0.0) if survivors else margin)
    e.productivity[rows] = drawn
    # an entrant's gap to its form's productivity at the target margin fades as it learns
    # (mature_productivity); a survivor's draw is its settled productivity
    settled = drawn if survivors else at(target)
    e.productivity_settled[rows] = settled
    e.productivity_gap[rows] = drawn - settled


def mature_productivity(world, params, month: int) -> None:
    """The liability of newness (Stinchcombe 1965; Brüderl & Schüssler 1990): an entrant's
    productivity was drawn around its form's target margin (``entrant_margin_sd``, it did not
    know its costs yet); as it ages, the gap to its productivity at the target margin fades
    with a half-life of ``newness_half_life_months``. The badly drawn may fail before they
    catch up, and the lucky ones lose their head start, so the survivors converge to the
    incumbents instead of ratcheting the form's productivity up. 0: no fading (a draw is for
    life)."""
    half_life = params.economy.newness_half_life_months
    if half_life <= 0:
        return
    e = world.enterprises
    rows = (e.alive & (e.productivity_gap != 0.0)).nonzero()[0]
    if rows.size == 0:
        return
    age = np.maximum(month - e.founded[rows], 0)
    e.productivity[rows] = (e.productivity_settled[rows]
                            + e.productivity_gap[rows] * 0.5 ** (age / half_life))


def _convention_cofunding(world, econ, rows, fixed_costs, aid, target) -> np.ndarray:
    """Monthly co-funding of enterprises ``rows`` at creation, and its rate per insertion FTE
    kept in ``cofunding_per_fte``. A chantier d'insertion's sales may cover only a share of its
    charges (``commercial_share_of_charges``, Code du travail D5132-34): its budget plans sales
    at that share of its charges (wages, rent, and materials in proportion to sales) and its
    local co-funders (département, communes, FSE) pay what the State's aid per post leaves
    short of its charges and target margin, a yearly convention paid monthly per insertion
    FTE whatever its sales. Forms with no cap (share 1) get none."""
    e, forms = world.enterprises, world.forms
    share = forms.commercial_share[e.form[rows]]
    charges = fixed_costs / (1.0 - econ.materials_share * share)
    planned_sales = share * charges
    gap = np.where(share < 1.0, charges + target * planned_sales - planned_sales - aid, 0.0)
    ins_fte = e.insertion[rows] * forms.fte[e.form[rows]]
    per_fte = np.divide(np.maximum(gap, 0.0), ins_fte, out=np.zeros(rows.size),
                        where=ins_fte > 0)
    e.cofunding_per_fte[rows] = per_fte
    return per_fte * ins_fte


def cofunding(world) -> np.ndarray:
    """(enterprises,) € the local co-funders pay each live enterprise this month: its
    convention's rate per insertion FTE times the insertion FTE it employs."""
    e = world.enterprises
    return e.cofunding_per_fte * e.insertion * world.forms.fte[e.form] * e.alive


def add_market_demand(world, econ, rows, residual) -> None:
    """Set the territories' pools at start: the households' and businesses' demand the
    incumbents serve, worth ``residual`` € a month each, and their claims on it. Afterwards
    pools move only with the scenario's demand index (and levers acting on prices): they are
    not the sum of the enterprises present."""
    consumer, business = _residual_split(world, econ, rows, residual)
    e = world.enterprises
    e.consumer_weight[rows] = consumer
    e.business_weight[rows] = business
    market = clearing.market_of(e.territory[rows], e.sector[rows])
    np.add.at(world.consumer_market.pool, market, consumer * (1 + econ.vat_standard))
    np.add.at(world.business_market.generic_pool, market, business)


def share_market_demand(world, econ, rows, residual) -> None:
    """Give entrants a claim on their territory's households' and businesses' pools, as
    large as that of incumbents serving ``residual`` € a month today (claims grow as
    incumbents expand). The pools are shared in proportion to claims, so an entrant takes
    clients from incumbents rather than bringing new demand, and a failed enterprise (no
    longer alive) leaves the sharing, its clients going to the others."""
    e = world.enterprises
    e.consumer_weight[rows], e.business_weight[rows] = _claim_on_pools(
        world, econ, rows, e.territory[rows], residual)


def _claim_on_pools(world, econ, rows, territory, residual) -> tuple[np.ndarray, np.ndarray]:
    """Households' and businesses' claims of enterprises ``rows`` on the pools of their sector
    in ``territory``, worth ``residual`` € a month each at today's claims per euro there (every
    live claim counts: enterprises' at home, sites' away)."""
    consumer, business = _residual_split(world, econ, rows, residual)
    live = clearing.claims(world)
    market = clearing.market_of(territory, world.enterprises.sector[rows])
    out = []
    for weight, pool, part in (
            (live.consumer, world.consumer_market.pool / (1 + econ.vat_standard), consumer),
            (live.business, world.business_market.generic_pool, business)):
        claims = np.bincount(live.market, weights=weight, minlength=pool.size)
        per_euro = np.divide(claims, pool, out=np.ones(pool.size),
                             where=(pool > 0) & (claims > 0))
        out.append(part * per_euro[market])
    return out[0], out[1]


def _residual_split(world, econ, rows, residual) -> tuple[np.ndarray, np.ndarray]:
    """Households' and other businesses' parts of ``residual`` by the enterprises' sectors."""
    consumer = residual * econ.consumer_share_of_residual * world.sectors.consumer_facing[
        world.enterprises.sector[rows]]
    return consumer, residual - consumer


# --- growth -------------------------------------------------------------------------------------
def _envelope(m, start):
    """The State's yearly envelope of funded posts: its size at start, moved only by the
    funded-posts trend."""
    return start * (1.0 + m.params.economy.funded_posts_growth_yr) ** (max(m.month, 0) // 12)


def _insertion_posts_by_form(e) -> np.ndarray:
    """(forms,) insertion posts held by living structures, per legal form."""
    live = e.alive.nonzero()[0]  # an index is cheaper than a mask over every row ever made
    return np.bincount(e.form[live], weights=e.insertion_posts[live],
                       minlength=len(LEGAL_FORMS))


def _insertion_room(m, held: np.ndarray, envelope=None, may_lend=None) -> np.ndarray:
    """(forms,) insertion posts a form may still be granted when forms hold ``held``: its own
    envelope's unused posts, plus what the other forms may lend (at most
    ``insertion_envelope_fungibility`` of their envelope, out of their unused posts) less what
    has been borrowed already; never more than all envelopes together leave unused. The aide au
    poste is budgeted by kind of structure (ACI, EI, ETTI, AI), so at zero fungibility a full
    form cannot hire although another has room. ``envelope`` and ``may_lend`` (the envelopes,
    and the share of them each form may lend) may be passed in when computed already."""
    if envelope is None:
        envelope = _envelope(m, m.world.funded_posts_start)
        may_lend = m.params.economy.insertion_envelope_fungibility * envelope
    unused = np.maximum(envelope - held, 0.0)
    lendable = np.minimum(unused, may_lend)
    borrowed = np.maximum(held - envelope, 0.0).sum()
    room = unused + np.maximum(lendable.sum() - lendable - borrowed, 0.0)
    return np.minimum(room, max(unused.sum() - borrowed, 0.0))


def _numpy_sum(values: list[float]) -> float:
    """``np.add.reduce`` of a short float64 array, in its order of summation: NumPy's pairwise
    sum adds fewer than 8 numbers in turn, and up to 128 in eight running sums (every eighth
    number) combined as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), then the rest in
    turn; longer arrays go to NumPy itself (``tests/test_thirteenth_fast_paths.py`` compares)."""
    n = len(values)
    if n < 8:
        total = 0.0
        for v in values:
            total += v
        return total
    if n > 128:
        return float(np.add.reduce(np.array(values, dtype=np.float64)))
    r0, r1, r2, r3, r4, r5, r6, r7 = values[:8]
    end = n - n % 8
    for i in range(8, end, 8):
        r0 += values[i]
        r1 += values[i + 1]
        r2 += values[i + 2]
        r3 += values[i + 3]
        r4 += values[i + 4]
        r5 += values[i + 5]
        r6 += values[i + 6]
        r7 += values[i + 7]
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for v in values[end:]:
        total += v
    return total


def _form_room(f: int, held: list, envelope: list, may_lend: list) -> float:
    """``_insertion_room(m, held, envelope, may_lend)[f]`` (the room of form ``f``) in Python
    floats over the forms' lists: the same operations on the same numbers in the same order
    (IEEE arithmetic on floats is NumPy's on float64; the sums in NumPy's order,
    ``_numpy_sum``; none of the numbers is NaN or -0.0: envelopes and posts are >= +0.0)."""
    unused = [e - h if e - h > 0.0 else 0.0 for e, h in zip(envelope, held, strict=True)]
    lendable = [u if u < cap else cap for u, cap in zip(unused, may_lend, strict=True)]
    over = [h - e if h - e > 0.0 else 0.0 for e, h in zip(envelope, held, strict=True)]
    if len(unused) == 8:  # the eight legal forms: ``_numpy_sum``'s eight running sums, inline
        a0, a1, a2, a3, a4, a5, a6, a7 = over
        borrowed = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))
        a0, a1, a2, a3, a4, a5, a6, a7 = lendable
        lent = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))
        a0, a1, a2, a3, a4, a5, a6, a7 = unused
        free = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))
    else:
        borrowed, lent, free = _numpy_sum(over), _numpy_sum(lendable), _numpy_sum(unused)
    others = lent - lendable[f] - borrowed
    room = unused[f] + (others if others > 0.0 else 0.0)
    total = free - borrowed
    total = total if total > 0.0 else 0.0
    return room if room < total else total


def funded_posts_slack(m) -> np.ndarray:
    """(forms,) insertion posts each form's envelope (with what others may lend) funds that no
    living structure holds."""
    return _insertion_room(m, _insertion_posts_by_form(m.world.enterprises))


def _grant_insertion_posts(m, form, wanted, cap=None, held=None) -> np.ndarray:
    """Insertion posts granted out of ``wanted`` (rows of legal forms ``form``), each form
    rationed pro rata by its room (and by ``cap``, per form or one for all, if given); forms in
    turn, so posts lent between forms are counted once. ``held``: the posts living structures
    hold by form (``_insertion_posts_by_form``), when counted already."""
    asks = wanted > 0
    asking = form[asks]
    if asking.size == 0:
        return np.zeros_like(wanted)
    e = m.world.enterprises
    n_forms = len(LEGAL_FORMS)
    # held as Python floats: ``held[f] += given.sum()`` on the float64 array added the same
    # float64 numbers (the posts given are integers, exact as floats)
    held = (_insertion_posts_by_form(e) if held is None else held).tolist()
    # no cap: ``min(room, inf)`` is ``room`` itself, so the cap is only looked at when given
    cap = None if cap is None else np.broadcast_to(cap, (n_forms,))
    # the envelopes do not move within a call: computed once, not once per form
    envelope = _envelope(m, m.world.funded_posts_start)
    may_lend = m.params.economy.insertion_envelope_fungibility * envelope
    # the room of one form in Python floats over the forms' lists (``_form_room``): the same
    # number as ``_insertion_room(m, held, envelope, may_lend)[f]``, without its ten NumPy calls
    envelope, may_lend = envelope.tolist(), may_lend.tolist()
    # each form's posts asked, summed once (integers, exact as float64 sums); a form whose ask
    # fits its room gets it whole (``_ration`` returns its rows' asks themselves): its rows keep
    # ``wanted``, and only a rationed form's rows are selected and rationed
    asked = np.bincount(form, weights=wanted, minlength=n_forms).tolist()
    marked = np.bincount(asking, minlength=n_forms)
    granted = np.where(marked[form] > 0, wanted, 0).astype(wanted.dtype, copy=False)
    # the forms asking, in ascending order (``np.unique``'s), marked instead of sorted
    for f in marked.nonzero()[0].tolist():
        room = _form_room(f, held, envelope, may_lend)
        slack = room if cap is None else min(room, cap[f])
        total = int(asked[f])
        if total > int(slack):
            of_form = form == f
            given = _ration(wanted[of_form], slack).astype(granted.dtype, copy=False)
            granted[of_form] = given
            total = int(given.sum())
        held[f] += total
    return granted


def adapted_posts_slack(m) -> float:
    """Adapted-enterprise posts (aide au poste) the envelope funds that no structure holds."""
    e = m.world.enterprises
    envelope = _envelope(m, m.world.funded_adapted_start)
    return max(envelope - float(e.adapted[e.alive.nonzero()[0]].sum()), 0.0)


def _ration_adapted(m, wanted: np.ndarray) -> np.ndarray:
    """``_ration(wanted, adapted_posts_slack(m))`` without counting the adapted posts held when
    none is asked (most hiring structures are not adapted enterprises): ``_ration`` returns
    ``wanted`` itself when its total, here 0, is within the slack, which is never negative."""
    if not wanted.any():
        return wanted
    return _ration(wanted, adapted_posts_slack(m))


def _ration(wanted: np.ndarray, slack: float) -> np.ndarray:
    """Posts granted out of ``wanted`` when only ``slack`` remain: pro rata, the posts left by
    rounding down going to the largest remainders (the whole slack is used)."""
    total, slack = int(wanted.sum()), int(slack)
    if total <= slack:
        return wanted
    exact = wanted * slack / total
    granted = np.floor(exact).astype(np.int64)
    left = slack - int(granted.sum())
    if left > 0:
        granted[(granted - exact).argsort(kind="stable")[:left]] += 1
    return granted


def grow(m) -> None:
    """Profitable enterprises whose demand outruns capacity add a step of output, hiring their
    form's staff mix and, where machines cost less per unit of output and their mission allows,
    buying machines for a share of it (``sim.agents.automation``), if they find both finance
    and floor space; money is committed only once both are secured."""
    w, econ = m.world, m.params.economy
    e, m2_job = w.enterprises, m.params.population.m2_per_job
    cash = w.ledger.cash_view(e.n)
    # a structure short of its support staff (brake 5) refills the post before it expands: a
    # capacity lost for a few months is no reason to hire for good
    rows = (e.alive & (e.pressure > econ.growth_trigger) & (cash >= 0)
            & ~e.support_vacant & ~e.loss_making & (e.refused_months == 0)
            & (m.month - e.last_growth >= econ.growth_cooldown_months)).nonzero()[0]
    if rows.size == 0:
        return
    delta = np.maximum(1, np.round(econ.growth_step * jobs(e, rows))).astype(np.int64)
    machine, operators, hires = automation.plan(m, rows, delta)
    # counted once for the step's two grants: the first (``_funded_step``) only sizes the step,
    # and nothing between them takes or gives back a post
    held = _insertion_posts_by_form(e)
    # hires of funded posts only as the envelopes grant them: the step is fitted out and
    # equipped for the jobs it gets (machines may still grow output without posts)
    funded = np.minimum(hires, _funded_step(m, rows, hires, held))
    delta = delta - (hires - funded)
    keep = (funded > 0) | (machine > 0)
    rows, delta, machine, operators, hires = (rows[keep], delta[keep], machine[keep],
                                              operators[keep], funded[keep])
    if rows.size == 0:
        return
    automates = machine > 0
    need_m2 = np.maximum((on_site_jobs(w, rows, m.params) + delta) * m2_job - e.floor[rows],
                         0.0)
    cost = (need_m2 * econ.fitout_eur_per_m2
            + (operators + hires) * econ.equipment_eur_per_job
            + automation.investment(m.params, machine))
    source = _funding_source(m, rows, cost)
    keep = source != REFUSED
    rows, hires, need_m2, cost, source, machine, operators, automates = (
        rows[keep], hires[keep], need_m2[keep], cost[keep], source[keep], machine[keep],
        operators[keep], automates[keep])
    wants_floor = need_m2 > 0
    served = np.ones(rows.size, dtype=bool)
    asking = rows[wants_floor]
    served[wants_floor] = premises.lease(
        m, "premises.growth", asking, e.territory[asking], need_m2[wants_floor],
        premises.max_rent_m2(m, asking, e.floor[asking] + need_m2[wants_floor]), extend=True)
    e.premises_wait[rows[~served]] += 1
    e.premises_wait[rows[served]] = 0
    _invest(m, rows[served], cost[served], source[served])
    hiring = served & (hires > 0)
    _hire(m, rows[hiring], hires[hiring], held)
    automated = served & automates
    automation.install(m, rows[automated], machine[automated], operators[automated])


def _funded_step(m, rows, delta, held=None) -> np.ndarray:
    """The jobs of a growth step of ``delta`` that ``_hire`` can staff: a structure whose jobs
    are funded posts (insertion or adapted) asks the State for them before it invests, and
    sizes its floor and equipment on the posts granted and the supervisors that come with
    them. Without this it fitted out and equipped a whole step for posts the envelope did not
    fund (adapted enterprises' growth, seed 0: ~46 k€ invested per job added, cooperatives
    ~12 k€), and carried the loans. ``held``: as for ``_grant_insertion_posts``."""
    e, forms = m.world.enterprises, m.world.forms
    form = e.form[rows]
    ratio = _supervisors_per_insertion_post(forms, form)
    if not (ratio > 0).any():
        return delta
    wanted_ins = np.round(delta * forms.insertion_share[form]).astype(np.int64)
    wanted_ad = np.round(delta * forms.adapted_share[form]).astype(np.int64)
    granted = (_grant_insertion_posts(m, form, wanted_ins, held=held)
               + _ration_adapted(m, wanted_ad))
    posts = e.insertion_posts[rows] + e.adapted[rows]
    step = (granted + _supervisors_for(forms, form, posts + granted, ratio)
            - _supervisors_for(forms, form, posts, ratio))
    return np.where(ratio > 0, step, delta)


def _funding_source(m, rows, cost) -> np.ndarray:
    """Self-finance, outside equity where the legal form allows it, else a bank loan (brake 3)."""
    w = m.world
    e = w.enterprises
    cash = w.ledger.cash_view(e.n)[rows]
    buffer = e.permanent[rows] * m.params.economy.wage_permanent_month
    rng = m.streams["credit.investment"]
    draws = rng.random((2, rows.size))
    open_capital = w.forms.outside_equity[e.form[rows]] | (
        draws[1] < m.effects.credit.equity_for_closed_forms[e.territory[rows]])
    source = np.full(rows.size, LOAN, dtype=np.int8)
    source[open_capital & (draws[0] < m.params.impact_equity_chance)] = EQUITY
    source[cash >= cost + buffer] = OWN
    ask = source == LOAN
    if ask.any():
        a = rows[ask]
        approved = credit.screen_applications(m, rng, a, jobs(e, a),
                                               leverage=(e.debt[a] + cost[ask])
                                               / credit.repayment_base(w, a))
        source[ask.nonzero()[0][~approved]] = REFUSED
        refused = a[~approved]
        m.events.record(m.month, EventKind.LOAN_REFUSED, refused, e.territory[refused],
                        "investment")
    return source


def _invest(m, rows, cost, source) -> None:
    L = m.world.ledger
    equity = source == EQUITY
    credit.raise_equity(m, rows[equity], cost[equity])
    loan = source == LOAN
    credit.grant_loans(m, rows[loan], cost[loan], m.params.economy.investment_loan_months,
                       "investment")
    L.pay_enterprises_to_sector(rows, cost, Sector.SUPPLIERS, "investment")


def _hire(m, rows, delta, held=None) -> None:
    """Add staff by the form's composition; insertion and adapted posts only within the
    State's envelopes. Without funded posts a structure does not hire supervisors either: its
    permanent staff grows with the posts it gets, keeping the ratio its aid is built on.
    ``held``: as for ``_grant_insertion_posts``."""
    if rows.size == 0:
        return
    e, forms = m.world.enterprises, m.world.forms
    form = e.form[rows]  # gathered once (was five times)
    old_jobs = jobs(e, rows)
    wanted_ins = np.round(delta * forms.insertion_share[form]).astype(np.int64)
    wanted_ad = np.round(delta * forms.adapted_share[form]).astype(np.int64)
    d_ins = _grant_insertion_posts(m, form, wanted_ins, held=held)
    d_ad = _ration_adapted(m, wanted_ad)
    wanted = wanted_ins + wanted_ad
    d_posts = d_ins + d_ad
    granted = np.divide(d_posts, wanted, out=np.ones(rows.size), where=wanted > 0)
    posts = e.insertion_posts[rows] + e.adapted[rows]
    per_post = _supervisors_per_insertion_post(forms, form)
    d_perm = np.where(per_post > 0,
                      _supervisors_for(forms, form, posts + d_posts, per_post)
                      - _supervisors_for(forms, form, posts, per_post),
                      np.round(np.maximum(delta - wanted, 0) * granted)).astype(np.int64)
    e.insertion_posts[rows] += d_ins
    e.insertion[rows] += d_ins
    e.adapted[rows] += d_ad
    e.permanent[rows] += d_perm
    # the jobs after hiring are the jobs before plus those added (integers: exact in any order)
    growth = (old_jobs + (d_posts + d_perm)) / np.maximum(old_jobs.astype(float), 1.0)
    e.consumer_weight[rows] *= growth
    e.business_weight[rows] *= growth
    e.last_growth[rows] = m.month


def _supervisors_per_insertion_post(forms, form) -> np.ndarray:
    """Permanent staff per funded post (insertion or adapted) of the form's mix; 0 for forms
    without funded posts. Element by element, so computed once per form (the forms' tables do
    not change during a run) and gathered: the same numbers as computed on the rows' forms."""
    per_form = forms.__dict__.get("_supervisors_per_post")
    if per_form is None:
        ins, adapted = forms.insertion_share, forms.adapted_share
        per_form = np.divide(1.0 - ins - adapted, ins + adapted, out=np.zeros(ins.size),
                             where=(ins + adapted) > 0)
        forms.__dict__["_supervisors_per_post"] = per_form
    return per_form[form]


def _supervisors_for(forms, form, posts, per_post=None) -> np.ndarray:
    """Supervisors the form's mix gives ``posts`` insertion posts, rounded. Supervisors hired
    as the difference of two such counts telescope, so posts granted one at a time (a
    redeployed post, a small structure's step) keep the form's ratio instead of rounding up to
    a supervisor a post, which shedding (a share of each kind of staff) does not take back."""
    if per_post is None:  # ``_supervisors_per_insertion_post``, when not computed already
        per_post = _supervisors_per_insertion_post(forms, form)
    return (posts * per_post).round().astype(np.int64)


def redeploy_posts(m) -> None:
    """The State redeploys the funded posts left unused by failures and cuts (insertion posts,
    and adapted-enterprise posts) to structures in good standing: the yearly conventions are
    amended as posts free up, so each stock is rationed by its envelope, not by which
    structures survive (Dares: ~flat insertion stock). Freed posts go first to new structures
    (entries): only those no entrant claimed last month are redeployed. A structure takes at
    most one growth step of posts a month; on-site posts need spare floor or a lease on the
    premises market."""
    w = m.world
    e, forms = w.enterprises, w.forms
    insertion_left, adapted_left = w.posts_unclaimed_by_entrants
    # counted once for the offer's grant and the hire's: the offer only sizes the hire, and
    # nothing between them takes or gives back a post
    held = _insertion_posts_by_form(e)
    _redeploy(m, e.insertion_posts, lambda rows, offer: _grant_insertion_posts(
        m, e.form[rows], offer, cap=insertion_left, held=held), forms.insertion_share,
        forms.on_site, held)
    adapted_slack = min(adapted_posts_slack(m), adapted_left)
    _redeploy(m, e.adapted, lambda rows, offer: _ration(offer, adapted_slack),
              forms.adapted_share, np.ones(forms.on_site.size))


def _has_clients_for_a_step(e, econ) -> np.ndarray:
    """Structures whose demand keeps the utilisation their accounts were set at (month 0's,
    ``calibrate_productivity``) once a step of posts is added: one below it has no clients for
    the staff, and taking posts (with their supervisors) would lower its utilisation and
    margin, then shed them. Judged before the step, adapted enterprises took posts whose
    supervisors their sales did not pay (EA failures 57 -> 48 per ten years, ARA, 12 seeds)."""
    return e.pressure >= econ.utilisation_at_start * (1.0 + econ.growth_step)


def _redeploy(m, posts_held, grant, share_of_form, on_site_of_form, held=None) -> None:
    """Offer one growth step of posts to each structure holding some; ``grant(rows, offer)``
    says how many of them the envelope funds. ``held``: as for ``_grant_insertion_posts``."""
    w, econ = m.world, m.params.economy
    e = w.enterprises
    rows = (e.alive & (posts_held > 0) & (e.refused_months == 0)
            & _has_clients_for_a_step(e, econ)).nonzero()[0]
    if rows.size == 0:
        return
    share = share_of_form[e.form[rows]]
    offer = np.ceil(econ.growth_step * posts_held[rows]).astype(np.int64)
    posts = grant(rows, offer)
    take = posts > 0
    if not take.any():
        return
    rows, posts, share = rows[take], posts[take], share[take]
    delta = np.round(posts / share).astype(np.int64)
    # on-site posts need floor: spare floor first, else a lease on the premises market
    m2_job = m.params.population.m2_per_job
    on_site = on_site_of_form[e.form[rows]] > 0
    need_m2 = np.where(on_site, np.maximum(
        (on_site_jobs(w, rows, m.params) + delta) * m2_job - e.floor[rows], 0.0), 0.0)
    served = np.ones(rows.size, dtype=bool)
    wants = need_m2 > 0
    asking = rows[wants]
    served[wants] = premises.lease(
        m, "premises.redeployment", asking, e.territory[asking], need_m2[wants],
        premises.max_rent_m2(m, asking, e.floor[asking] + need_m2[wants]), extend=True)
    _hire(m, rows[served], delta[served], held)


def shrink(m) -> None:
    """Enterprises short of demand, or losing money and refused cash, shed staff (and the posts
    that go); a profitable one refused in a bad month waits for its receipts instead. Clients
    stay: shedding capacity restores utilisation, as a restructuring does."""
    e, econ = m.world.enterprises, m.params.economy
    distressed = (e.refused_months > 0) & e.loss_making
    rows = (e.alive & ((e.pressure < econ.shrink_trigger) | distressed)
            & (m.month - e.last_growth >= econ.growth_cooldown_months)).nonzero()[0]
    if rows.size == 0:
        return
    cut = 1.0 / (1.0 + econ.growth_step)  # the mirror of one growth step
    e.permanent[rows] = np.maximum(np.round(e.permanent[rows] * cut), 1).astype(np.int64)
    e.insertion_posts[rows] = np.round(e.insertion_posts[rows] * cut).astype(np.int64)
    e.insertion[rows] = np.minimum(e.insertion[rows], e.insertion_posts[rows])
    e.adapted[rows] = np.round(e.adapted[rows] * cut).astype(np.int64)
    automation.scrap(m.world, rows, cut)
    e.last_growth[rows] = m.month
    _release_spare_sites(m, rows)
    _shorten_home_leases(m, rows)


def _release_spare_sites(m, rows) -> None:
    """Give back the smallest extra lease of each shrinking enterprise when it is not needed."""
    w = m.world
    s, e, floor = w.sites, w.enterprises, w.ledger.site_floor
    m2_job = m.params.population.m2_per_job
    # implants follow the host tie
    candidates = (s.open & among(s.enterprise, rows, e.n)
                  & (s.stock != FloorStock.HOST)).nonzero()[0]
    if candidates.size == 0:
        return
    order = candidates[np.lexsort((floor[candidates], s.enterprise[candidates]))]
    owners = s.enterprise[order]
    first = np.ones(order.size, dtype=bool)
    first[1:] = owners[1:] != owners[:-1]
    count = np.bincount(owners, minlength=e.n)
    smallest = order[first & (count[owners] > 1)]
    slack = (e.floor[s.enterprise[smallest]]
             - on_site_jobs(w, s.enterprise[smallest], m.params) * m2_job)
    spare = smallest[slack >= floor[smallest]]
    other_place = spare[s.territory[spare] != e.territory[s.enterprise[spare]]]
    m.events.record(m.month, EventKind.SITE_CLOSURE, s.enterprise[other_place],
                    s.territory[other_place])
    premises.close_sites(w, spare)


def _shorten_home_leases(m, rows) -> None:
    """Give back the spare floor of each shrinking enterprise's extended home lease, down to
    the floor its staff needs and never below the lease's size at opening."""
    w = m.world
    s, e = w.sites, w.enterprises
    extended = (s.open & among(s.enterprise, rows, e.n) & (s.extended_m2 > 0)
                & (s.territory == e.territory[s.enterprise])).nonzero()[0]
    if extended.size == 0:
        return
    _, first = np.unique(s.enterprise[extended], return_index=True)
    extended = extended[first]  # one per enterprise
    owners = s.enterprise[extended]
    slack = e.floor[owners] - on_site_jobs(w, owners, m.params) * m.params.population.m2_per_job
    shorten = slack > 0
    premises.give_back_floor(w, extended[shorten], slack[shorten])


# --- sites, relocation, entries -----------------------------------------------------------------
def open_sites(m) -> None:
    """Large, profitable enterprises look for a site in another territory when they cannot serve
    more from where they are: blocked by premises at home while their demand outruns capacity,
    or their sites already employ as many FTE as a territory's catchment supports. They open it
    only where ESS demand outruns ESS capacity (a market to win), if it is financed (fit-out and
    equipment, brake 3) and premises are found (brake 4); at most one site per growth
    cooldown."""
    w, su, econ = m.world, m.params.scale_up, m.params.economy
    e, s = w.enterprises, w.sites
    every = slice(None)  # every row: the columns themselves, not gathered copies
    cash = w.ledger.cash_view(e.n)
    blocked = (e.premises_wait >= su.site_wait_months) & (e.pressure > econ.growth_trigger)
    # a catchment is a territory: extra floor leased where it already is serves the same clients
    beyond_catchment = (full_time_equivalents(w, every)
                        >= su.site_catchment_fte * np.maximum(e.n_sites, 1))
    # only sites opened within the cooldown can hold an enterprise back: the others need no pass
    recent = s.open & (s.opened > m.month - econ.growth_cooldown_months)
    last_site = np.full(e.n, np.iinfo(np.int32).min, dtype=np.int64)
    np.maximum.at(last_site, s.enterprise[recent], s.opened[recent])
    rows = (e.alive & (jobs(e, every) >= su.min_staff_for_new_site)
            & (blocked | beyond_catchment)
            & ~e.loss_making & (cash >= 0) & (e.last_growth < m.month)
            & (m.month - last_site >= econ.growth_cooldown_months)).nonzero()[0]
    draws = m.streams["demography.sites"].random((3, rows.size))
    rows = rows[draws[0] < su.site_opening_rate_month]
    if rows.size == 0:
        return
    draws = draws[:, draws[0] < su.site_opening_rate_month]
    home = e.territory[rows]
    target = w.random_neighbour(home, draws[1])
    # a far territory is drawn for each row on its own: only the rows going far need one (in
    # the int64 that ``np.where`` with ``_far_territory``'s rows gave)
    target = target.astype(np.int64, copy=False)
    far = (draws[2] < su.foreign_region_share).nonzero()[0]
    if far.size:
        target[far] = _far_territory(w, home[far], draws[1][far])
    wanted = _unserved_demand_ratio(w)[target] > econ.growth_trigger
    rows, target = rows[wanted], target[wanted]
    m2 = np.full(rows.size, su.new_site_jobs * m.params.population.m2_per_job)
    cost = m2 * econ.fitout_eur_per_m2 + su.new_site_jobs * econ.equipment_eur_per_job
    source = _funding_source(m, rows, cost)
    funded = source != REFUSED
    rows, target, m2, cost, source = (rows[funded], target[funded], m2[funded], cost[funded],
                                      source[funded])
    served = premises.lease(m, "premises.sites", rows, target, m2,
                            premises.max_rent_m2(m, rows, e.floor[rows] + m2))
    opened = rows[served]
    m.events.record(m.month, EventKind.SITE_OPENING, opened, target[served])
    e.premises_wait[opened] = 0
    _invest(m, opened, cost[served], source[served])
    _staff_site_away(m, opened, target[served], w.sites.n - opened.size)


def _staff_site_away(m, rows, territory, first_site) -> None:
    """Hire the new sites' staff (sites ``first_site`` onwards, one per enterprise of ``rows``,
    in ``territory``). Their clients are where the site stands: the capacity they add claims
    the pools of the site's territory, as an entrant's would, not its enterprise's home pools."""
    w, econ = m.world, m.params.economy
    e, s = w.enterprises, w.sites
    before = jobs(e, rows).astype(float)
    home = e.consumer_weight[rows].copy(), e.business_weight[rows].copy()
    _hire(m, rows, np.full(rows.size, m.params.scale_up.new_site_jobs))
    e.consumer_weight[rows], e.business_weight[rows] = home
    added = jobs(e, rows) / np.maximum(before, 1.0) - 1.0
    residual = (econ.utilisation_at_start * e.capacity[rows] * added
                * (1.0 - m.params.procurement.initial_share_of_demand))
    consumer, business = _claim_on_pools(w, econ, rows, territory, residual)
    sites = np.arange(first_site, s.n)
    slot = np.empty(e.n, dtype=np.int64)
    slot[rows] = np.arange(rows.size)
    s.consumer_weight[sites] = consumer[slot[s.enterprise[sites]]]
    s.business_weight[sites] = business[slot[s.enterprise[sites]]]


def _unserved_demand_ratio(world) -> np.ndarray:
    """Each territory's ESS demand over its ESS capacity (last month's markets); infinite where
    households' and businesses' pools find no ESS capacity at all."""
    e, n_t = world.enterprises, world.territory_region.size
    live = e.alive.nonzero()[0]
    demand = np.bincount(e.territory[live], weights=e.demand[live], minlength=n_t)
    capacity = np.bincount(e.territory[live], weights=e.capacity[live], minlength=n_t)
    pools = clearing.per_territory(world.consumer_market.pool
                                   + world.business_market.generic_pool)
    return np.divide(demand, capacity, out=np.where(pools > 0, np.inf, 0.0),
                     where=capacity > 0)


def _far_territory(world, home, uniforms) -> np.ndarray:
    """A territory drawn in proportion to population among those of other regions, or, in a
    one-region run, among the region's other territories (never always the same one)."""
    far = np.empty(home.size, dtype=np.int64)
    for h in np.unique(home):
        at = (home == h).nonzero()[0]
        places, cumulative = _far_places(world, int(h))
        if places is None:
            far[at] = h
            continue
        pick = np.searchsorted(cumulative, uniforms[at] * cumulative[-1], side="right")
        far[at] = places[np.minimum(pick, places.size - 1)]
    return far


def _far_places(world, h: int):
    """The territories ``_far_territory`` draws from for home ``h`` and their cumulative
    population (None where there is none), computed once per home: territories, regions and
    populations do not change during a run."""
    cache = world.__dict__.setdefault("_far_places", {})
    if h not in cache:
        region = world.territory_region
        elsewhere = region != region[h]
        if not elsewhere.any():
            elsewhere = np.arange(region.size) != h
        if not elsewhere.any():
            cache[h] = None, None
        else:
            places = elsewhere.nonzero()[0]
            population = world.territories.population.astype(float)
            cache[h] = places, np.cumsum(population[places])
    return cache[h]


def relocate(m) -> None:
    """Brake 4's last resort: blocked in a tense territory, an enterprise moves next door."""
    w, su = m.world, m.params.scale_up
    e, t, s = w.enterprises, w.territories, w.sites
    rows = (e.alive & (e.premises_wait >= su.relocation_wait_months)
            & (t.tension[e.territory] >= su.relocation_min_tension)).nonzero()[0]
    draws = m.streams["demography.relocation"].random((2, rows.size))
    moving = draws[0] < su.relocation_rate_month
    rows = rows[moving]
    if rows.size == 0:
        return
    target = w.random_neighbour(e.territory[rows], draws[1][moving])
    calmer = t.tension[target] < t.tension[e.territory[rows]]
    rows, target = rows[calmer], target[calmer]
    m2 = on_site_jobs(w, rows, m.params) * m.params.population.m2_per_job * (
        1 + m.params.economy.growth_step)
    old_sites = (s.open & among(s.enterprise, rows, e.n)
                 & (s.territory == e.territory[s.enterprise])
                 & (s.stock != FloorStock.HOST)).nonzero()[0]
    served = premises.lease(m, "premises.relocation", rows, target, m2,
                            premises.max_rent_m2(m, rows, m2))
    moved = rows[served]
    premises.close_sites(w, old_sites[among(s.enterprise[old_sites], moved, e.n)])
    m.events.record(m.month, EventKind.RELOCATION, moved, target[served],
                    Labelled("from=", t.codes[e.territory[moved]]))
    e.territory[moved] = target[served]
    e.region[moved] = w.territory_region[target[served]]
    e.premises_wait[moved] = 0


def entry_intensity(m) -> np.ndarray:
    """Per territory, attempted creations relative to the observed base rate: the demand per
    structure of the territory (what a founder can hope to win: it shares the clients with
    the structures there), over its month-0 level, raised to the entry elasticity (1 at the
    month-0 equilibrium; Bresnahan & Reiss 1991, entry thresholds). Crowded markets draw fewer
    founders; demand left by failures, or grown with the demand index, draws more. A
    territory whose structures have all gone while its clients remain draws the most; one
    that had no structure (no clients) at start, none."""
    w, econ = m.world, m.params.economy
    e, n_t = w.enterprises, w.n_territories
    alive = e.alive.nonzero()[0]
    demand = np.bincount(e.territory[alive], weights=e.demand[alive], minlength=n_t)
    structures = np.bincount(e.territory[alive], minlength=n_t)
    reference = w.demand_per_structure_start
    ratio = np.divide(demand, structures * reference, out=np.zeros(n_t),
                      where=(structures > 0) & (reference > 0))
    intensity = np.minimum(ratio ** econ.entry_demand_elasticity, econ.entry_intensity_cap)
    return np.where(structures > 0, intensity,
                    np.where(reference > 0, econ.entry_intensity_cap, 0.0))


def demand_per_form_structure(e, rows: np.ndarray, n_t: int,
                              demand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(forms, territories): mean ``demand`` (€ a month) of the structures ``rows`` (a mask) of
    each legal form in each territory (0 where the form has none there), and their number."""
    cell = e.form[rows].astype(np.int64) * n_t + e.territory[rows]
    size = len(LEGAL_FORMS) * n_t
    count = np.bincount(cell, minlength=size)
    total = np.bincount(cell, weights=demand[rows], minlength=size)
    mean = np.divide(total, count, out=np.zeros(size), where=count > 0)
    return mean.reshape(-1, n_t), count.reshape(-1, n_t)


def form_entry_intensity(m) -> np.ndarray:
    """(forms, territories): how strongly each legal form draws founders in each territory,
    ``entry_intensity``'s rule form by form: the demand per structure of the form there over
    its month-0 level, raised to the entry elasticity, at most ``entry_intensity_cap``. Forms
    fail at different rates (associations are refused cash more often: brake 3), and the
    structures that remain take the clients and funded posts of those that closed, so demand
    per structure rises in the forms that lose structures and founders of those forms come
    (Bresnahan & Reiss 1991, entry thresholds, by kind of structure); a form whose
    structures crowd their market draws fewer. A form that had no structure in a territory at
    start keeps its density's weight (1); one whose structures there have all gone draws the
    most."""
    w, econ = m.world, m.params.economy
    e = w.enterprises
    demand, count = demand_per_form_structure(e, e.alive, w.n_territories, e.demand)
    reference = w.demand_per_form_structure_start
    ratio = np.divide(demand, reference, out=np.ones_like(demand), where=reference > 0)
    intensity = np.minimum(ratio ** econ.entry_demand_elasticity, econ.entry_intensity_cap)
    return np.where(reference > 0, np.where(count > 0, intensity, econ.entry_intensity_cap),
                    1.0)


def _grant_entrant_posts(m, rows) -> np.ndarray:
    """Entrants' insertion and adapted posts come out of the State's envelopes like any other
    (conventionnement, aide au poste): rationed pro rata, and a structure whose form needs
    posts does not open without any. Returns which entrants may open."""
    e = m.world.enterprises
    wanted_ins, wanted_ad = e.insertion_posts[rows].copy(), e.adapted[rows].copy()
    e.insertion_posts[rows] = _grant_insertion_posts(m, e.form[rows], wanted_ins)
    e.insertion[rows] = e.insertion_posts[rows]
    e.adapted[rows] = _ration(wanted_ad, adapted_posts_slack(m))
    supervise_adapted_posts(m.world, rows)  # supervisors for the posts granted
    wanted = wanted_ins + wanted_ad
    return (wanted == 0) | (e.insertion_posts[rows] + e.adapted[rows] > 0)


def entries(m) -> None:
    """New ESS structures appear in proportion to population and to the demand they can hope
    for (``entry_intensity``), if they find funded posts and premises; they compete for the
    territory's existing clients."""
    w, econ = m.world, m.params.economy
    t = w.territories
    rng = m.streams["demography.entries"]
    forms = m.params.population.forms
    national = sum(forms[f].per_100k_inhabitants for f in LEGAL_FORMS)
    regional = _form_weights(m).sum(axis=0) / national  # structures per inhabitant vs France
    births = rng.poisson(econ.entry_rate_per_100k_yr * t.population / 1e5 / 12.0
                         * entry_intensity(m) * regional)
    open_structures(m, rng, births)
    w.posts_unclaimed_by_entrants = (funded_posts_slack(m), adapted_posts_slack(m))


def _sector_with_clients(m, rows) -> np.ndarray:
    """A founder's sector: among its form's sectors, weighted by the form's mix times the
    clients left per euro of claims in that sector of its territory (households' and
    businesses' pools over the claims on them: 1 at start, higher where structures failed,
    ``entry_intensity_cap`` where clients remain and nobody serves them, 0 where the sector has
    no clients there). The pools are kept by sector, so founders open where clients are rather
    than where the form's national mix sends them; a form with no sector holding clients
    there keeps its drawn sector."""
    w, econ = m.world, m.params.economy
    e = w.enterprises
    forms = m.params.population.forms
    live = clearing.claims(w)
    pool = w.consumer_market.pool / (1 + econ.vat_standard) + w.business_market.generic_pool
    claimed = np.bincount(live.market, weights=live.consumer + live.business,
                          minlength=pool.size)
    per_claim = np.divide(pool, claimed, out=np.where(pool > 0, econ.entry_intensity_cap, 0.0),
                          where=claimed > 0)
    per_claim = np.minimum(per_claim, econ.entry_intensity_cap).reshape(-1, len(SECTORS))
    mix = np.array([forms[f].sector_mix for f in LEGAL_FORMS])[e.form[rows]]
    weights = mix * per_claim[e.territory[rows]]
    total = weights.sum(axis=1)
    draws = m.streams["demography.entry_sectors"].random(rows.size)
    chosen = (draws[:, None] * total[:, None] > np.cumsum(weights, axis=1)).sum(axis=1)
    return np.where(total > 0, np.minimum(chosen, len(SECTORS) - 1), e.sector[rows])


def _form_weights(m) -> np.ndarray:
    """(forms, territories): founders' legal forms follow each territory's density by form, so
    turnover keeps the regional pattern of the initial structures."""
    forms = m.params.population.forms
    national = np.array([forms[f].per_100k_inhabitants for f in LEGAL_FORMS])
    return national[:, None] * m.world.form_density_factors


def count_turnover(m, closed: np.ndarray) -> None:
    """Once a month, before the structures ``closed`` (rows, still alive) leave: each legal
    form's closures and structure-months, exponentially weighted with a half-life of
    ``turnover_half_life_months`` (``World.form_closures``, ``World.form_exposure``). Called by
    the failures phase and, while settling, by its replacement (``sim.warmup.restructure``),
    so month 0 inherits the steady state's turnover."""
    w, econ = m.world, m.params.economy
    e = w.enterprises
    keep = 0.5 ** (1.0 / econ.turnover_half_life_months)
    live = e.alive.nonzero()[0]
    n = len(LEGAL_FORMS)
    w.form_exposure = keep * w.form_exposure + np.bincount(e.form[live], minlength=n)
    w.form_closures = keep * w.form_closures + np.bincount(e.form[closed], minlength=n)
    w.form_attempts = keep * w.form_attempts
    w.form_openings = keep * w.form_openings


def form_turnover(m) -> np.ndarray:
    """(forms,): each legal form's recent exit hazard (closures per structure-month, from
    ``count_turnover``) over the share of its founders who opened (those refused funded posts
    or premises try again: a niche stays open until a structure of its kind takes it), that
    share at least 1 / ``entry_intensity_cap``; ones while no closure has been counted (no
    information yet)."""
    w, n = m.world, len(LEGAL_FORMS)
    if w.form_closures.sum() <= 0:
        return np.ones(n)
    hazard = np.divide(w.form_closures, w.form_exposure, out=np.zeros(n),
                       where=w.form_exposure > 0)
    opened = np.divide(w.form_openings, w.form_attempts, out=np.ones(n),
                       where=w.form_attempts > 0)
    return hazard / np.maximum(opened, 1.0 / m.params.economy.entry_intensity_cap)


def founders_form_weights(m) -> np.ndarray:
    """(forms, territories): the weight of each legal form among a territory's founders. The
    territory's density by form (``_form_weights``); with ``founders_follow_turnover``, times
    each form's recent exit hazard (``form_turnover``): a structure that closes leaves a niche
    of its kind (its clients, its funded posts and convention for an insertion form, its local
    funders and members' projects), and new projects of the same kind take it up, so founders
    come in each form as structures of that form leave. In a population whose forms have
    different exit hazards (cooperatives fail about half as often as other firms, CG Scop;
    structures refused cash fail more), founders drawn by density alone keep entering every
    form at its share of the stock while the forms that fail more lose ground: the mix of
    forms drifts although the number of structures holds (issue 13: ARA, zero trends, ten
    years, ACI -37%, SCOP +50%). Founding rates of each organisational population respond to
    its own exits and density (Hannan & Freeman 1989, Carroll & Hannan 2000). With
    ``entry_by_form``, times the form's demand per structure (``form_entry_intensity``). A
    territory where no form has a hazard keeps its densities."""
    econ = m.params.economy
    density = _form_weights(m)
    weights = density
    if econ.founders_follow_turnover:
        weights = weights * form_turnover(m)[:, None]
        weights = np.where(weights.sum(axis=0) > 0, weights, density)
    if econ.entry_by_form:
        weights = weights * form_entry_intensity(m)
    return weights


def open_structures(m, rng, births, form=None) -> None:
    """``births[t]`` founders try to open a structure in territory ``t``, in the legal forms
    ``form`` (one per founder, territories in order) or drawn from the territory's mix."""
    if births.sum() == 0:
        return
    w, econ = m.world, m.params.economy
    e, t = w.enterprises, w.territories
    territory = np.repeat(np.arange(len(t)), births)
    if form is None:
        weights = founders_form_weights(m)[:, territory]  # (forms, founders)
        cumulative = np.cumsum(weights, axis=0) / weights.sum(axis=0)
        form = (rng.random(territory.size) > cumulative).sum(axis=0)
        form = np.minimum(form, len(LEGAL_FORMS) - 1)
    rows = e.append(territory.size, alive=False, form=form, territory=territory,
                    region=w.territory_region[territory], founded=m.month,
                    owner_firm=-1, last_growth=m.month,
                    pressure=econ.utilisation_at_start)
    w.ledger.grow_enterprises(e.allocated)
    draw_staff_and_sector(w, m.params, rng, rows, scale=econ.entrant_size_share)
    e.sector[rows] = _sector_with_clients(m, rows)
    funded = _grant_entrant_posts(m, rows)
    m2 = on_site_jobs(w, rows) * m.params.population.m2_per_job
    market_rent = w.premises_market.market_rent(m.conditions.rent_index)[territory]
    # an entrant learns its true costs only once it operates (Jovanovic 1982): its margin is
    # drawn more widely than incumbents', the survivors of that selection
    e.feedstock_access[rows] = w.feedstock_market.territory_access[territory]
    calibrate_productivity(w, m.params, m.streams["init.margins"], rows,
                           m2 * market_rent / 12.0, econ.entrant_margin_sd, survivors=False)
    e.capacity[rows] = capacity(w, m.params, rows)
    served = np.zeros(rows.size, dtype=bool)
    asking = rows[funded]
    served[funded] = premises.lease(m, "premises.entries", asking, territory[funded],
                                    m2[funded], premises.max_rent_m2(m, asking, m2[funded]))
    born = rows[served]
    n_forms = len(LEGAL_FORMS)
    w.form_attempts = w.form_attempts + np.bincount(e.form[rows], minlength=n_forms)
    w.form_openings = w.form_openings + np.bincount(e.form[born], minlength=n_forms)
    e.alive[born] = True
    e.n_sites[born] = 1
    e.n_regions[born] = 1
    public_share = m.params.procurement.initial_share_of_demand
    share_market_demand(w, econ, born, econ.utilisation_at_start * e.capacity[born]
                        * (1.0 - public_share))
    w.ledger.pay_sector_to_enterprises(Sector.FOUNDERS, born,
                                       wage_costs(w, econ, born) * econ.cash_months_at_start,
                                       "founders_equity")
    for row in born:
        m.ess_views[int(row)] = ESSEnterprise(m, int(row))
    m.events.record(m.month, EventKind.ENTRY, born, e.territory[born],
                    np.asarray(LEGAL_FORMS)[e.form[born]])


# --- failures, scale-ups, surplus ----------------------------------------------------------------
def failures(m) -> None:
    """Repeatedly refused cash: the enterprise fails, its sites, ties, loans and public
    contracts end (the contracts' unfinished work is tendered again). Established structures
    also close for other reasons (``voluntary_closures``), counted apart; both count in each
    form's turnover, which founders' forms follow."""
    w = m.world
    e, L = w.enterprises, w.ledger
    rows = (e.alive & (e.refused_months >= m.params.economy.failure_cash_months)).nonzero()[0]
    closing = voluntary_closures(m, rows)
    count_turnover(m, np.concatenate([rows, closing]) if closing.size else rows)
    if closing.size:
        _release(m, closing)
        credit.settle_loans(m, closing)
        # members' shares returned, reserves devolved to other ESS bodies (loi 1947, art. 19)
        L.pay_enterprises_to_sector(closing, np.maximum(L.cash_view(e.n)[closing], 0.0),
                                    Sector.FOUNDERS, "dissolution")
        m.now.closures += closing.size
        _remove(m, closing, EventKind.CLOSURE)
    if rows.size == 0:
        return
    _release(m, rows)
    credit.default_loans(m, rows)
    cash = L.cash_view(e.n)[rows]
    L.pay_enterprises_to_sector(rows, np.maximum(cash, 0.0), Sector.BANKS, "liquidation")
    e.payables[rows] = 0.0
    m.now.failures += rows.size
    _remove(m, rows, EventKind.FAILURE)


def voluntary_closures(m, failing) -> np.ndarray:
    """Rows of the structures closing this month for reasons other than failure: founders or
    managers retiring without a successor, dissolution, a merger, the end of a project. Each
    structure at least ``voluntary_closure_min_age_months`` old, not failing, owing its
    suppliers nothing and whose cash covers its loans and stakes (a dissolution settles its
    debts: one that cannot fails instead) closes with its form's yearly hazard
    ``voluntary_closure_yr`` (monthly 1 - (1 - h)^(1/12)). No draw when every hazard is 0."""
    w, econ = m.world, m.params.economy
    e = w.enterprises
    forms = m.params.population.forms
    yearly = np.array([forms[f].voluntary_closure_yr for f in LEGAL_FORMS])
    if not yearly.any():
        return np.zeros(0, dtype=np.int64)
    eligible = (e.alive & (m.month - e.founded >= econ.voluntary_closure_min_age_months)
                & (e.payables <= 0)
                & (w.ledger.cash_view(e.n) >= credit.outstanding_claims(w)))
    eligible[failing] = False
    rows = eligible.nonzero()[0]
    monthly = 1.0 - (1.0 - yearly) ** (1.0 / 12.0)
    draws = m.streams["demography.closures"].random(rows.size)
    return rows[draws < monthly[e.form[rows]]]


def _release(m, rows) -> None:
    """What a leaving structure frees: its sites close (premises back on the market), its
    public contracts are tendered again, its supply ties end (their buyers look elsewhere)."""
    w = m.world
    e = w.enterprises
    premises.close_sites(w, (w.sites.open & among(w.sites.enterprise, rows, e.n)).nonzero()[0])
    procurement.terminate(m, rows)  # the buyers tender the unfinished work again
    ties = w.ties.table
    w.ties.drop((ties.active & among(ties.enterprise, rows, e.n)).nonzero()[0], m.month,
                m.events)


def _remove(m, rows, kind: EventKind) -> None:
    """The structures ``rows`` leave (a dead row has no capacity, no claim on the clients'
    pools and no funded posts), recorded as ``kind`` with their legal form."""
    e = m.world.enterprises
    e.alive[rows] = False
    e.capacity[rows] = 0.0
    for row in rows:
        m.ess_views.pop(int(row)).remove()
    m.events.record(m.month, kind, rows, e.territory[rows],
                    np.asarray(LEGAL_FORMS)[e.form[rows]])


def pay_out_surplus(m) -> None:
    """At each year's end, cash beyond the reserve a debt-free structure keeps leaves it:
    profit-sharing and dividends where the form allows, projects and equipment otherwise.
    Without it cash would pile up and no structure would run short again (France Active 2013:
    40% of ESS short of cash several times a year)."""
    if m.month % 12 != 11:
        return
    w, econ = m.world, m.params.economy
    e = w.enterprises
    rows = (e.alive & (e.debt <= 0) & (e.payables <= 0)).nonzero()[0]
    surplus = np.maximum(w.ledger.cash(rows) - wage_costs(w, econ, rows)
                         * econ.cash_reserve_months, 0.0)
    w.ledger.pay_enterprises_to_sector(rows, surplus, Sector.FOUNDERS, "surplus_paid_out")


def scale_ups(m) -> None:
    """Mark the enterprises that are scale-ups this month (see ``scale_up_kinds``) and record
    those newly reaching it, by kind."""
    e = m.world.enterprises
    regional, national = m.now.scale_up_kinds = scale_up_kinds(m.world, m.params.scale_up)
    now = regional | national
    new = (now & ~e.scaled_up).nonzero()[0]
    e.scaled_up[:] = now
    m.events.record(m.month, EventKind.SCALE_UP, new, e.territory[new],
                    np.where(national[new], "national_swarming", "regional_footprint"))


def scale_up_kinds(world, su) -> tuple[np.ndarray, np.ndarray]:
    """The study's scale-up (seed, introduction: "le passage à l'échelle industrielle de
    structures ESS indépendantes, soit pour développer une implantation régionale significative,
    soit pour essaimer au niveau national"): a live structure no firm owns, at industrial scale
    by FTE or sales, with (first mask) a significant regional footprint — sites in several
    territories of its region, or a large share of its region's ESS FTE in its sector — or
    (second mask) sites in several regions. Also refreshes ``n_sites`` and ``n_regions``."""
    e = world.enterprises
    _count_places(world)
    every = slice(None)  # every row: the columns themselves, not gathered copies
    fte = full_time_equivalents(world, every)
    industrial = (fte >= su.industrial_fte) | (e.sales * 12.0 >= su.industrial_sales_eur_yr)
    eligible = e.alive & (e.owner_firm < 0) & industrial
    regional = eligible & ((_home_region_places(world) >= su.regional_sites)
                           | (_regional_sector_share(world, fte) >= su.regional_sector_share))
    national = eligible & (e.n_regions >= su.swarming_regions)
    return regional, national


def full_time_equivalents(world, rows) -> np.ndarray:
    """Staff in FTE: insertion heads weighted by their form's FTE per head."""
    e = world.enterprises
    return (e.permanent[rows] + e.adapted[rows]
            + e.insertion[rows] * world.forms.fte[e.form[rows]])


def _count_places(world) -> None:
    """Distinct territories (``n_sites``) and regions (``n_regions``) with an open site."""
    e, s = world.enterprises, world.sites
    open_sites = s.open.nonzero()[0]
    owner = s.enterprise[open_sites]
    for column, place, home in ((e.n_sites, s.territory, e.territory),
                                (e.n_regions, s.region, e.region)):
        # home counts once; only the few sites away from home need sorting out
        where = place[open_sites]
        away = where != home[owner]
        pairs = np.unique(owner[away] * (1 << 20) + where[away])
        column[:] = ((np.bincount(owner[~away], minlength=e.n) > 0)
                     + np.bincount(pairs >> 20, minlength=e.n))


def _home_region_places(world) -> np.ndarray:
    """Distinct territories of its own region where each enterprise has an open site."""
    e, s = world.enterprises, world.sites
    live = s.open.nonzero()[0]
    owner = s.enterprise[live]
    where = s.territory[live]
    at_home = where == e.territory[owner]
    # home counts once; only the few sites elsewhere in the region need sorting out
    elsewhere = ~at_home & (s.region[live] == e.region[owner])
    pairs = np.unique(owner[elsewhere] * (1 << 20) + where[elsewhere])
    return (np.bincount(owner[at_home], minlength=e.n) > 0) + np.bincount(pairs >> 20,
                                                                          minlength=e.n)


def _regional_sector_share(world, fte) -> np.ndarray:
    """Each enterprise's share of its region's live ESS FTE in its sector."""
    e = world.enterprises
    n_sectors = len(SECTORS)
    cell = e.region * n_sectors + e.sector
    total = np.bincount(cell, weights=fte * e.alive,
                        minlength=int(cell.max(initial=0)) + 1)
    return np.divide(fte, total[cell], out=np.zeros(e.n), where=total[cell] > 0)
