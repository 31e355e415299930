"""Targeting by density class, archetype or region in the design: a lever acts and is paid only
in the territories its target reaches; a target reaching nothing in the run is refused."""

import numpy as np
import pytest

from sim.api import build_model, run
from sim.config.errors import ConfigError
from sim.design.config import DesignError, load
from sim.design.evaluate import Package
from sim.design.report import describe
from sim.design.search import targetable
from sim.policies import REGISTRY
from sim.policies.base import Policy

TINY = ["territory=tiny", "horizon_months=12", "seed=0"]
TARGETABLE = [name for name in sorted(REGISTRY) if targetable(name)]
BOOKED = Policy.booked


def _booked_by_lever(monkeypatch, overrides) -> dict[str, np.ndarray]:
    """Euros each lever booked per territory over a run."""
    booked: dict[str, np.ndarray] = {}

    def record(self, by_territory, payer):
        booked[self.name] = booked.get(self.name, 0) + np.asarray(by_territory, float)
        return BOOKED(self, by_territory, payer)

    monkeypatch.setattr(Policy, "booked", record)
    run(overrides)
    return booked


@pytest.mark.parametrize("where, column", [("rural", "archetype"), ("dense", "density_class")])
def test_a_targeted_package_books_its_cost_only_where_its_target_reaches(monkeypatch, where,
                                                                         column):
    territories = build_model(TINY).world.territories
    inside = getattr(territories, column) == where
    package = Package(tuple((name, 1.0, 0, where) for name in TARGETABLE))
    booked = _booked_by_lever(monkeypatch, [*TINY, *package.overrides()])
    assert sum(float(v[inside].sum()) for v in booked.values()) > 0  # the levers do act there
    for name, by_territory in booked.items():
        assert by_territory[~inside].sum() == 0, name


def test_a_region_target_reaches_the_levers_and_outside_it_they_cost_nothing(monkeypatch):
    package = Package((("reserved_markets", 1.0, 0, "region:SYN"),))
    assert package.overrides()[-1] == "policies.reserved_markets.target.regions=['SYN']"
    everywhere = _booked_by_lever(monkeypatch, [*TINY, *Package(
        (("reserved_markets", 1.0, 0, "all"),)).overrides()])
    in_region = _booked_by_lever(monkeypatch, [*TINY, *package.overrides()])
    # the run's only region: the same as everywhere, euro for euro
    assert in_region["reserved_markets"].sum() > 0
    np.testing.assert_array_equal(in_region["reserved_markets"], everywhere["reserved_markets"])


def test_a_lever_aimed_at_a_region_or_archetype_absent_from_the_run_is_refused():
    for target in ("regions=['53']", "archetypes=[medium_town]"):  # Bretagne; none in tiny
        with pytest.raises(ConfigError, match="reaches no territory"):
            run([*TINY, "policies=[reserved_markets]",
                 f"policies.reserved_markets.target.{target}"])
    for target in ("region:53", "medium_town"):
        with pytest.raises(DesignError, match=r"space\.targets: .*reaches no territory of the run"):
            load([f"space.targets=[all,{target}]", "out=/nonexistent/never-written"])


def test_groups_expand_to_what_the_run_holds_once_per_set_of_territories_reached():
    every = ["space.targets=[all,density_classes,archetypes,regions,region:Synthetic]",
             "out=/nonexistent/never-written"]
    # classroom: two intermediate archetypes (medium towns, the industrial basin) are choices
    # of their own; the metropolis is the dense class, rural the relaxed, its one region all
    design = load([*every, "model_overrides=[territory=classroom]"])
    assert design.space.targets == ["all", "dense", "intermediate", "relaxed", "medium_town",
                                    "industrial_basin"]
    assert load(every).space.targets == ["all", "dense", "intermediate", "relaxed"]  # tiny
    assert load(["space.targets=[rural,relaxed]", every[-1]]).space.targets == ["rural"]


def test_a_target_reads_clearly():
    params = "land_trust.intensity=1.0;land_trust.start_month=0;land_trust.target={}"
    assert describe(params.format("rural"), "en") == "Land trust 100% (in rural territories)"
    assert describe(params.format("industrial_basin"), "fr") == (
        "Foncière solidaire 100\u202f% (dans les bassins industriels)")
    assert describe(params.format("region:53"), "fr") == (
        "Foncière solidaire 100\u202f% (en région Bretagne)")


def test_a_combined_target_reaches_any_value_of_a_kind_and_every_kind(monkeypatch):
    """`dense+intermediate`: either class; `dense+region:SYN`: dense territories of the region
    (here all of them), booked euro for euro as `dense` alone."""
    territories = build_model(TINY).world.territories
    either = np.isin(territories.density_class, ["dense", "intermediate"])
    assert either.any() and not either.all()
    package = Package(tuple((name, 1.0, 0, "dense+intermediate") for name in TARGETABLE))
    booked = _booked_by_lever(monkeypatch, [*TINY, *package.overrides()])
    assert sum(float(v[either].sum()) for v in booked.values()) > 0
    for name, by_territory in booked.items():
        assert by_territory[~either].sum() == 0, name
    both = Package((("reserved_markets", 1.0, 0, "dense+region:SYN"),))
    assert both.overrides()[-2:] == ["policies.reserved_markets.target.density_classes=[dense]",
                                     "policies.reserved_markets.target.regions=['SYN']"]
    dense = Package((("reserved_markets", 1.0, 0, "dense"),))
    np.testing.assert_array_equal(
        _booked_by_lever(monkeypatch, [*TINY, *both.overrides()])["reserved_markets"],
        _booked_by_lever(monkeypatch, [*TINY, *dense.overrides()])["reserved_markets"])


def test_combinations_are_written_once_and_refused_in_one_line_when_wrong():
    out = "out=/nonexistent/never-written"
    classroom = "model_overrides=[territory=classroom]"
    assert load(["space.targets=[all,intermediate+dense,medium_town+metropolis]", classroom,
                 out]).space.targets == ["all", "dense+intermediate", "metropolis+medium_town"]
    # the same territories under another name: kept once (Synthetic is the run's region)
    assert load(["space.targets=[region:Synthetic+dense,dense]", out]).space.targets == [
        "dense+region:SYN"]
    for given, says in (("dense+foo", "'dense+foo': 'foo': unknown target"),
                        ("all+dense", "'all+dense': combine values only"),
                        ("dense+archetypes", "archetypes stands for one choice per value"),
                        ("dense+region:53", "'dense+region:53': 'region:53': reaches no "
                                            "territory of the run"),
                        ("dense+rural", "'dense+rural': reaches no territory of the run")):
        with pytest.raises(DesignError) as caught:
            load([f"space.targets=[all,{given}]", out])
        message = str(caught.value)
        assert message.startswith("space.targets: ") and says in message and "\n" not in message
        assert "allowed: all, density_classes, archetypes, regions, dense" in message


def test_a_combined_target_reads_clearly():
    params = "land_trust.intensity=1.0;land_trust.start_month=0;land_trust.target={}"
    assert describe(params.format("dense+intermediate+region:53"), "en") == (
        "Land trust 100% (in dense territories or in intermediate territories and in Bretagne)")
    assert describe(params.format("rural+region:53"), "fr") == (
        "Foncière solidaire 100\u202f% (dans les territoires ruraux et en région Bretagne)")
