"""The fifteenth session's shortcuts in the ESS phases give what the plain code gives, bit for bit
(issue 20; ``python -m benchmarks.regression`` checks the outputs): insertion posts granted whole
to the forms whose ask fits their room without a pass over each form's rows, supervisors per
post looked up by form, a hire's new jobs from the posts added, and a new site's far territory
drawn only for the rows going far, and the posts held counted once for two grants of a phase.
Each test compares with the code it replaced, kept here as the reference."""

from __future__ import annotations

import copy
import pickle
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents import ess
from sim.events import EventKind
from sim.model import EcosystemModel
from sim.vocabulary import LEGAL_FORMS

N_FORMS = len(LEGAL_FORMS)


# --- insertion posts granted ---------------------------------------------------------------------
def _grant_reference(m, form, wanted, cap=None) -> np.ndarray:
    """``_grant_insertion_posts`` of the fourteenth session: every asking form's rows selected
    and rationed, its posts held counted in a float64 array."""
    granted = np.zeros_like(wanted)
    asking = form[wanted > 0]
    if asking.size == 0:
        return granted
    held = ess._insertion_posts_by_form(m.world.enterprises)
    cap = None if cap is None else np.broadcast_to(cap, held.shape)
    envelope = ess._envelope(m, m.world.funded_posts_start)
    may_lend = m.params.economy.insertion_envelope_fungibility * envelope
    envelope, may_lend = envelope.tolist(), may_lend.tolist()
    for f in np.bincount(asking, minlength=held.size).nonzero()[0].tolist():
        of_form = form == f
        room = ess._form_room(f, held.tolist(), envelope, may_lend)
        given_ = ess._ration(wanted[of_form], room if cap is None else min(room, cap[f])).astype(
            granted.dtype, copy=False
        )
        granted[of_form] = given_
        held[f] += given_.sum()
    return granted


@pytest.fixture(scope="module", params=[0.0, 0.1])
def roomy(request, envelope_room_model):
    return envelope_room_model(request.param)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), dtype=st.sampled_from([np.int64, np.int32, np.float64]))
def test_insertion_grants_match_the_passes_per_form(roomy, data, dtype):
    """Random asks (some negative: a form asking nothing keeps zeros), caps none, one for all
    or per form, small enough that some forms are rationed and others not."""
    n = data.draw(st.integers(0, 40))
    form = np.array(
        data.draw(st.lists(st.integers(0, N_FORMS - 1), min_size=n, max_size=n)), dtype=np.int8
    )
    wanted = np.array(data.draw(st.lists(st.integers(-3, 400), min_size=n, max_size=n)),
                      dtype=dtype)
    cap = data.draw(
        st.one_of(
            st.none(),
            st.floats(0, 500),
            st.lists(st.floats(0, 500), min_size=N_FORMS, max_size=N_FORMS).map(np.array),
        )
    )
    fast = ess._grant_insertion_posts(roomy, form, wanted, cap)
    slow = _grant_reference(roomy, form, wanted, cap)
    assert fast.dtype == slow.dtype and fast.tobytes() == slow.tobytes()


def test_insertion_grant_comparison_sees_both_paths(roomy):
    """The comparison above meets forms served whole and forms rationed in one call."""
    form = np.repeat(np.arange(N_FORMS, dtype=np.int8), 3)
    held = ess._insertion_posts_by_form(roomy.world.enterprises)
    envelope = ess._envelope(roomy, roomy.world.funded_posts_start)
    wanted = np.where(np.arange(form.size) % 2 == 0, 1, 0).astype(np.int64)
    wanted[form == 0] = int(envelope.sum() - held.sum()) + 10  # more than any room
    granted = ess._grant_insertion_posts(roomy, form, wanted)
    assert (granted[form == 0] < wanted[form == 0]).any()
    assert (granted[form != 0] == wanted[form != 0]).any()
    assert granted.tobytes() == _grant_reference(roomy, form, wanted).tobytes()


# --- the posts held, counted once for two grants ------------------------------------------------
@pytest.mark.parametrize("overrides", [
    {"territory": "classroom", "policies": ["land_trust", "reserved_markets", "impact_vat",
                                            "conditional_aid"], "horizon_months": 36},
    {"horizon_months": 24},  # the default regional run
])
def test_posts_counted_once_are_the_posts_held(monkeypatch, overrides):
    """``grow`` and ``redeploy_posts`` count the insertion posts held once and hand the count
    to both grants of the phase: at every grant given a count, a count made there and then
    gives the same numbers (nothing took or gave back a post in between)."""
    grant = ess._grant_insertion_posts
    handed = []

    def checked(m, form, wanted, cap=None, held=None):
        if held is not None:
            fresh = ess._insertion_posts_by_form(m.world.enterprises)
            assert held.tobytes() == fresh.tobytes()
            handed.append(m.month)
        return grant(m, form, wanted, cap, held)

    monkeypatch.setattr(ess, "_grant_insertion_posts", checked)
    m = EcosystemModel(rng=2, **{"params.population.settling_months": 0, **overrides})
    m.run()
    assert len(handed) > m.config.horizon_months  # both phases, most months


# --- supervisors per post -------------------------------------------------------------------------
def _supervisors_reference(forms, form) -> np.ndarray:
    ins, adapted = forms.insertion_share[form], forms.adapted_share[form]
    return np.divide(1.0 - ins - adapted, ins + adapted, out=np.zeros(form.size),
                     where=(ins + adapted) > 0)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_supervisors_per_post_by_form_are_the_rows(data):
    shares = st.lists(st.one_of(st.just(0.0), st.floats(1e-6, 1.0)), min_size=N_FORMS,
                      max_size=N_FORMS).map(np.array)
    forms = SimpleNamespace(insertion_share=data.draw(shares), adapted_share=data.draw(shares))
    form = np.array(data.draw(st.lists(st.integers(0, N_FORMS - 1), max_size=30)),
                    dtype=np.int8)
    fast = ess._supervisors_per_insertion_post(forms, form)
    assert fast.tobytes() == _supervisors_reference(forms, form).tobytes()


# --- hiring -------------------------------------------------------------------------------------
def _hire_reference(m, rows, delta) -> None:
    """``_hire`` of the fourteenth session: the jobs after hiring gathered again."""
    if rows.size == 0:
        return
    e, forms = m.world.enterprises, m.world.forms
    form = e.form[rows]
    old_jobs = ess.jobs(e, rows).astype(float)
    wanted_ins = np.round(delta * forms.insertion_share[form]).astype(np.int64)
    wanted_ad = np.round(delta * forms.adapted_share[form]).astype(np.int64)
    d_ins = _grant_reference(m, form, wanted_ins)
    d_ad = ess._ration_adapted(m, wanted_ad)
    wanted = wanted_ins + wanted_ad
    granted = np.divide(d_ins + d_ad, wanted, out=np.ones(rows.size), where=wanted > 0)
    posts = e.insertion_posts[rows] + e.adapted[rows]
    per_post = _supervisors_reference(forms, form)
    d_perm = np.where(per_post > 0,
                      ess._supervisors_for(forms, form, posts + d_ins + d_ad, per_post)
                      - ess._supervisors_for(forms, form, posts, per_post),
                      np.round(np.maximum(delta - wanted, 0) * granted)).astype(np.int64)
    e.insertion_posts[rows] += d_ins
    e.insertion[rows] += d_ins
    e.adapted[rows] += d_ad
    e.permanent[rows] += d_perm
    growth = ess.jobs(e, rows) / np.maximum(old_jobs, 1.0)
    e.consumer_weight[rows] *= growth
    e.business_weight[rows] *= growth
    e.last_growth[rows] = m.month


def _state(m) -> bytes:
    """The world (its tables, ledger and markets), the events and every stream's state."""
    streams = {name: stream.bit_generator.state
               for name, stream in sorted(m.streams._streams.items())}
    return pickle.dumps((m.world, m.events, streams))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_hire_matches_the_jobs_gathered_again(roomy, data):
    live = roomy.world.enterprises.alive.nonzero()[0]
    rows = np.array(sorted(data.draw(st.sets(st.sampled_from(live.tolist()), max_size=12))),
                    dtype=np.int64)
    delta = np.array(data.draw(st.lists(st.integers(1, 40), min_size=rows.size,
                                        max_size=rows.size)), dtype=np.int64)
    fast, slow = copy.deepcopy(roomy), copy.deepcopy(roomy)
    ess._hire(fast, rows, delta)
    _hire_reference(slow, rows, delta)
    assert _state(fast) == _state(slow)


# --- new sites ------------------------------------------------------------------------------------
def _open_sites_reference(m) -> None:
    """``open_sites`` of the fourteenth session: every row gathered, a far territory drawn for
    every row and kept where the row goes far."""
    w, su, econ = m.world, m.params.scale_up, m.params.economy
    e, s = w.enterprises, w.sites
    every = np.arange(e.n)
    cash = w.ledger.cash_view(e.n)
    blocked = (e.premises_wait >= su.site_wait_months) & (e.pressure > econ.growth_trigger)
    beyond_catchment = (ess.full_time_equivalents(w, every)
                        >= su.site_catchment_fte * np.maximum(e.n_sites, 1))
    recent = s.open & (s.opened > m.month - econ.growth_cooldown_months)
    last_site = np.full(e.n, np.iinfo(np.int32).min, dtype=np.int64)
    np.maximum.at(last_site, s.enterprise[recent], s.opened[recent])
    rows = (e.alive & (ess.jobs(e, every) >= su.min_staff_for_new_site)
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
    far = draws[2] < su.foreign_region_share
    target = np.where(far, ess._far_territory(w, home, draws[1]), target)
    wanted = ess._unserved_demand_ratio(w)[target] > econ.growth_trigger
    rows, target = rows[wanted], target[wanted]
    m2 = np.full(rows.size, su.new_site_jobs * m.params.population.m2_per_job)
    cost = m2 * econ.fitout_eur_per_m2 + su.new_site_jobs * econ.equipment_eur_per_job
    source = ess._funding_source(m, rows, cost)
    funded = source != ess.REFUSED
    rows, target, m2, cost, source = (rows[funded], target[funded], m2[funded], cost[funded],
                                      source[funded])
    served = ess.premises.lease(m, "premises.sites", rows, target, m2,
                                ess.premises.max_rent_m2(m, rows, e.floor[rows] + m2))
    opened = rows[served]
    m.events.record(m.month, EventKind.SITE_OPENING, opened, target[served])
    e.premises_wait[opened] = 0
    ess._invest(m, opened, cost[served], source[served])
    ess._staff_site_away(m, opened, target[served], w.sites.n - opened.size)


@pytest.fixture(scope="module")
def expanding():
    """A classroom model a few months in whose structures look for sites often, half of them
    in a far territory (the shortcut's path)."""
    m = EcosystemModel(rng=4, territory="classroom", horizon_months=24,
                       **{"params.population.settling_months": 0,
                          "params.scale_up.site_opening_rate_month": 1.0,
                          "params.scale_up.min_staff_for_new_site": 1,
                          "params.scale_up.site_catchment_fte": 1.0,
                          "params.scale_up.foreign_region_share": 0.5})
    for _ in range(3):
        m.step()
    return m


def _site_openings(m) -> int:
    return int((m.events.frame(m.world.territories.codes).kind == "site_opening").sum())


def test_open_sites_matches_the_far_draws_for_every_row(expanding):
    """On copies of the model, month after month: the same state after the phase, and sites
    were opened so the comparison can see a difference."""
    base = copy.deepcopy(expanding)
    before, opened = _site_openings(base), 0
    for _ in range(6):
        fast, slow = copy.deepcopy(base), copy.deepcopy(base)
        ess.open_sites(fast)
        _open_sites_reference(slow)
        assert _state(fast) == _state(slow)
        opened += _site_openings(fast) - before
        base.step()
        before = _site_openings(base)
    assert opened > 0
