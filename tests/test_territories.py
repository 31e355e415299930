"""Tests of territory selection, imputation, classification, connectivity and synthesis."""

import csv
from importlib import resources

import networkx as nx
import numpy as np
import pytest

from sim.territories import (
    ARCHETYPES,
    DENSITY_CLASSES,
    TENSION_BOUNDS,
    TerritorySelectionError,
    load_territories,
    real,
)

VALENCE_ROMANS = "200068781"
SYNTHETIC = {"metropolis": 1, "medium_town": 2, "rural": 3, "industrial_basin": 1}


@pytest.fixture(scope="module")
def france():
    return load_territories("france")


def test_region_by_code_and_by_name_agree_and_are_diverse():
    by_code = load_territories("region", ["84"])
    by_name = load_territories("region", ["Auvergne-Rhône-Alpes"])
    assert np.array_equal(by_code.codes, by_name.codes)
    assert set(by_code.region) == {"Auvergne-Rhône-Alpes"}
    assert set(by_code.density_class) == set(DENSITY_CLASSES)
    assert {"industrial_basin", "metropolis"} <= set(by_code.archetype)
    assert set(by_code.archetype) <= set(ARCHETYPES)


def test_france_is_complete_sorted_and_connected(france):
    assert len(france) == 1253
    assert np.array_equal(france.codes, np.sort(france.codes))
    assert nx.is_connected(france.graph())
    # 3,499 borders plus one link per island component (13 components in the border graph).
    assert len(france.edges) == 3499 + 12
    assert (france.edges[:, 0] < france.edges[:, 1]).all()
    assert len(np.unique(france.edges, axis=0)) == len(france.edges)
    assert france.edges.dtype == np.int64


def test_neighbours_match_edges_and_are_cached(france):
    neighbours = france.neighbours()
    assert neighbours is france.neighbours()
    assert sum(len(n) for n in neighbours) == 2 * len(france.edges)
    i, j = france.edges[0]
    assert j in neighbours[i] and i in neighbours[j]


def test_arrays_are_read_only(france):
    with pytest.raises(ValueError):
        france.population[0] = 1.0


@pytest.mark.parametrize("codes", [["94"], ["01", "04"]])
def test_island_selections_are_connected(codes):
    territories = load_territories("region", codes)
    assert nx.is_connected(territories.graph())


def test_departement_contains_valence_romans():
    drome = load_territories("departement", ["26"])
    assert VALENCE_ROMANS in drome.codes
    assert drome.archetype[drome.index_of(VALENCE_ROMANS)] == "industrial_basin"
    assert set(drome.departement) == {"26"}


def test_non_adjacent_epcis_are_linked_by_an_added_edge():
    # Valence Romans Agglo (Drôme) and the Métropole européenne de Lille share no border.
    lille = "200093201"
    territories = load_territories("epci", [VALENCE_ROMANS, lille])
    assert len(territories) == 2
    assert territories.edges.tolist() == [[0, 1]]
    assert 500 < territories.edge_km[0] < 650
    assert nx.is_connected(territories.graph())


@pytest.mark.parametrize(
    ("kind", "codes", "fragment"),
    [
        ("region", ["99"], "unknown region '99'; allowed: 01 (Guadeloupe)"),
        ("departement", ["20"], "unknown departement '20'"),
        ("epci", ["20006878"], "did you mean 200068781"),
        ("region", [], "empty selection"),
        ("county", ["84"], "territory.kind: unknown kind 'county'"),
        ("epci", ["26"], "a departement code: one selection has one kind"),
        ("region", ["84", "26"], "set territory.kind=departement"),
        ("departement", ["200040715"], "set territory.kind=epci"),
        ("france", ["84"], "kind 'france' takes no codes"),
        ("synthetic", ["200040715"], "kind 'synthetic' takes no codes"),
        ("region", ["06"], "5 selected EPCI(s) of Mayotte have no population"),
        ("departement", ["976"], "of Mayotte have no population"),
        ("epci", ["200040715", "200050532"], "(200050532: population 0"),
    ],
)
def test_bad_selection_raises_one_line(kind, codes, fragment):
    with pytest.raises(TerritorySelectionError) as error:
        load_territories(kind, codes)
    message = str(error.value)
    assert message.startswith("territory.")
    assert "\n" not in message
    assert fragment in message


def test_unknown_epci_points_to_the_data_file_without_listing_all():
    with pytest.raises(TerritorySelectionError, match=r"epci_france\.csv") as error:
        load_territories("epci", ["nonsense"])
    assert len(str(error.value)) < 500


@pytest.mark.parametrize(
    "counts",
    [
        None,
        {"metropolis": -1},
        {"metropolis": 0, "rural": 0},
        {"megacity": 1},
        {"rural": 1.5},
        {"rural": 2001},
        {"metropolis": 67, "rural": 1},
    ],
)
def test_bad_synthetic_counts_raise_one_line(counts):
    with pytest.raises(TerritorySelectionError) as error:
        load_territories("synthetic", synthetic=counts)
    assert str(error.value).startswith("territory.synthetic")
    assert "\n" not in str(error.value)


def test_regions_in_error_messages_are_the_selectable_ones():
    with pytest.raises(TerritorySelectionError) as error:
        load_territories("region", ["99"])
    assert "06 (Mayotte)" not in str(error.value)
    assert "06" not in real.regions_with_population()
    assert len(real.regions_with_population()) == 17


def test_duplicated_codes_count_once():
    once = load_territories("epci", [VALENCE_ROMANS])
    twice = load_territories("epci", [VALENCE_ROMANS, f" {VALENCE_ROMANS} ", int(VALENCE_ROMANS)])
    assert twice.codes.tolist() == once.codes.tolist() == [VALENCE_ROMANS]
    assert len(load_territories("region", ["84", "Auvergne-Rhône-Alpes", 84])) == len(
        load_territories("region", ["84"]))


def test_synthetic_bounds_accept_their_limit():
    # 66 metropolises x 1.5 M = 99 M inhabitants at most: within the documented bound.
    from sim.territories import synthetic

    assert synthetic.MAX_POPULATION == 100_000_000
    assert len(load_territories("synthetic", synthetic={"metropolis": 66})) == 66
    assert len(load_territories("synthetic", synthetic={"rural": 2000})) == 2000


def test_mayotte_population_is_imputed(france):
    mayotte = france.region_code == "06"
    assert mayotte.sum() == 5
    assert (france.population[mayotte] > 0).all()
    assert 50_000 < france.population[mayotte].sum() < 400_000


def test_tension_is_monotone_in_density_and_one_at_the_median(france):
    order = np.argsort(france.density, kind="stable")
    assert (np.diff(france.tension[order]) >= 0).all()
    low, high = TENSION_BOUNDS
    assert france.tension.min() >= low and france.tension.max() <= high
    assert france.tension.min() < 1.0 < france.tension.max()
    median = np.median(france.density)
    assert np.isclose(
        np.interp(median, france.density[order], france.tension[order]), 1.0, atol=1e-3
    )


def test_density_classes_follow_thresholds(france):
    density, klass = france.density, france.density_class
    assert (klass[density >= 400] == "dense").all()
    assert (klass[(density >= 100) & (density < 400)] != "relaxed").all()
    assert (density[klass == "relaxed"] < 100).all()
    assert (density[klass == "intermediate"] >= 100).all()
    nice = france.index_of("200030195")  # a métropole below 400 inh/km2 is still dense
    assert density[nice] < 400 and klass[nice] == "dense"


def test_industrial_basins_exist_and_are_not_metropolises(france):
    path = resources.files("sim.territories").joinpath("data", "industrial_basins.csv")
    with path.open(encoding="utf-8", newline="") as f:
        basins = list(csv.DictReader(f))
    assert 25 <= len(basins) <= 40
    for row in basins:
        i = france.index_of(row["siren"])
        assert france.names[i] == row["name"]
        assert france.archetype[i] == "industrial_basin"
    assert (france.archetype == "industrial_basin").sum() == len(basins)


def test_synthetic_is_deterministic_connected_and_respects_counts():
    a = load_territories("synthetic", synthetic=SYNTHETIC, seed=1)
    b = load_territories("synthetic", synthetic=SYNTHETIC, seed=1)
    c = load_territories("synthetic", synthetic=SYNTHETIC, seed=2)
    assert np.array_equal(a.population, b.population)
    assert np.array_equal(a.lon, b.lon) and np.array_equal(a.edges, b.edges)
    assert not np.array_equal(a.population, c.population)
    assert nx.is_connected(a.graph())
    assert a.codes.tolist() == [f"SYN-{i:02d}" for i in range(7)]
    for archetype, count in SYNTHETIC.items():
        assert (a.archetype == archetype).sum() == count
    assert a.density_class[a.archetype == "metropolis"].tolist() == ["dense"]
    assert set(a.region) == {"Synthetic"} and set(a.region_code) == {"SYN"}


def test_large_synthetic_layout_is_connected_and_codes_sort():
    territories = load_territories("synthetic", synthetic={"rural": 120}, seed=0)
    assert np.array_equal(territories.codes, np.sort(territories.codes))
    assert nx.is_connected(territories.graph())


def test_loading_does_not_depend_on_the_working_directory(tmp_path, monkeypatch):
    real.national.cache_clear()  # force a fresh read of the data files
    monkeypatch.chdir(tmp_path)
    assert len(load_territories("departement", ["26"])) > 0
