"""Territory choices, share links, the event feed, the info tab and labels: without a browser."""

from __future__ import annotations

import logging

import pytest

from sim import outcomes
from sim.dashboard.adapter import (
    FEED_KINDS,
    LIVE_POPULATION_MAX,
    Run,
    Settings,
    parse_territory,
    territory_key,
    territory_overrides,
)
from sim.dashboard.i18n import lever_label, output_label
from sim.dashboard.info import info_html, lever_sections
from sim.dashboard.share import read_query, share_query
from sim.dashboard.territory import size_of
from sim.policies import REGISTRY

logging.getLogger("MESA").setLevel(logging.WARNING)


@pytest.mark.parametrize("kind, codes, override", [
    ("classroom", [], "territory=classroom"),
    ("france", [], "territory=france"),
    ("region", ["84"], "territory.codes=['84']"),
    ("departement", ["26", "7"], "territory.codes=['26','07']"),
    ("epci", ["200040715", "200040715"], "territory.codes=['200040715']"),
])
def test_every_kind_the_command_line_takes_is_a_choice(kind, codes, override):
    key = territory_key(kind, codes)
    assert parse_territory(key)[0] == kind
    assert override in territory_overrides(key)


def test_a_refused_selection_is_the_models_one_line():
    refusal = size_of(territory_key("epci", ["123"]))
    assert isinstance(refusal, str) and refusal.startswith("territory.codes")
    assert "\n" not in refusal
    assert isinstance(size_of(territory_key("epci", [])), str)  # an empty list is refused too


def test_france_is_too_large_to_play_live_and_regions_are_not():
    assert not size_of("france").live
    assert size_of("france").territories == 1253
    biggest_region = max(size_of(territory_key("region", [c])).population
                         for c in ("11", "84", "76", "75"))
    assert biggest_region <= LIVE_POPULATION_MAX


def test_a_share_link_carries_territory_seed_levers_and_doses():
    settings = Settings(territory_key("departement", ["26"]), 7,
                        {"land_trust": 0.8, "brownfields": 0.55}, True)
    shared = read_query(share_query(settings))
    assert shared.settings == settings and shared.refused == ()


def test_a_bad_link_names_its_refused_fields_and_keeps_defaults():
    shared = read_query("territory=epci:123&seed=-4&levers=land_trust:3,nothing:0.5")
    assert shared.settings == Settings()
    assert shared.refused == ("territory", "seed", "levers (land_trust:3)", "levers (nothing:0.5)")
    assert read_query("") is None and read_query("foo=1") is None


def test_labels_come_from_the_registry_and_the_levers():
    for name, lever in REGISTRY.items():
        assert lever_label("fr", name) == lever.label.fr
    for outcome in outcomes.OUTCOMES:
        assert output_label("en", outcome.key) == outcome.en


def test_info_tab_documents_every_lever_from_its_own_docstring():
    for name in REGISTRY:
        assert set(lever_sections(name)) == {"Why", "Mechanism", "Public cost"}, name
    for lang in ("fr", "en"):
        text = info_html(lang)
        assert all(lever_label(lang, name) in text.replace("&#x27;", "'") for name in REGISTRY)


def test_the_feed_counts_what_the_event_log_records():
    run = Run(Settings("classroom", 1, {"matchmaking": 0.8}, False))
    for _ in range(4):
        run.step()
    feed = run.frames().feed
    assert [month for month, _ in feed] == [4, 3, 2, 1]
    events = run.model.events_frame()
    for kind in FEED_KINDS:
        logged = int((events["kind"] == str(kind)).sum())
        assert sum(counts.get(str(kind), 0) for _, counts in feed) == logged, kind
    assert sum(sum(c.values()) for _, c in feed) > 0  # a feed that is always empty tests nothing
