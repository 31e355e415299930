"""Synthetic territories: a seeded layout of archetypal French intercommunalities.

Synthetic territories let experiments vary the territorial mix (how many metropolises, towns,
rural areas and old industrial basins) independently of geography, and give tests a small, fast
world. Orders of magnitude follow real French EPCIs: a metropolis has 0.5-1.5 M inhabitants at
about 1,500 inh/km², a medium town 60-150 k at about 300, a rural communauté de communes 10-30 k at
about 40, an industrial basin 50-120 k at about 200. Populations are uniform in their range,
densities log-normal around their typical value; centroids are uniform in a disc of 150 km around
(2.5° E, 46.5° N), each territory is linked to its three nearest neighbours, and the graph is then
connected like a real selection. Tension uses the national median density of the real EPCIs, so
synthetic and real tensions are comparable.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sim.territories import (
    ARCHETYPES,
    Territories,
    TerritorySelectionError,
    assemble,
    great_circle_km,
)
from sim.territories.real import national


@dataclass(frozen=True)
class ArchetypeProfile:
    """Population range (inhabitants, uniform) and typical density (inh/km², log-normal median)."""

    population: tuple[float, float]
    density: float


PROFILES = {
    "metropolis": ArchetypeProfile((500_000, 1_500_000), 1_500.0),
    "medium_town": ArchetypeProfile((60_000, 150_000), 300.0),
    "rural": ArchetypeProfile((10_000, 30_000), 40.0),
    "industrial_basin": ArchetypeProfile((50_000, 120_000), 200.0),
}
DENSITY_SIGMA = 0.25
"""Standard deviation of log density around the archetype's typical density."""
CENTRE = (2.5, 46.5)
"""Longitude, latitude (degrees) of the centre of the layout."""
RADIUS_KM = 150.0
NEAREST = 3
"""Each territory is linked to this many nearest neighbours."""
MAX_TERRITORIES = 2_000
"""Most synthetic territories in one layout: the layout holds an n x n distance matrix (32 MB at
2,000), and a national run has 1,253 real territories."""
MAX_POPULATION = 100_000_000
"""Most inhabitants a layout may hold at the top of its archetypes' population ranges: about 1.5
times France (66.6 M in the EPCI table), so a synthetic world never outgrows a national run by
more than that (agents scale with inhabitants)."""
KM_PER_DEGREE = 111.195


def generate(counts: Mapping[str, int] | None, seed: int) -> Territories:
    """Draw synthetic territories, ``counts[archetype]`` of each, deterministically from ``seed``.

    Codes are ``SYN-00``, ``SYN-01``... ordered by archetype (in ``ARCHETYPES`` order), then draw.

    Raises:
        TerritorySelectionError: on missing, unknown, negative, non-integer or all-zero counts, or
            above ``MAX_TERRITORIES`` territories or ``MAX_POPULATION`` inhabitants.
    """
    per_archetype = _validate(counts)
    archetype = np.repeat(np.array(ARCHETYPES), [per_archetype[a] for a in ARCHETYPES])
    n = len(archetype)
    low = np.array([PROFILES[a].population[0] for a in archetype])
    high = np.array([PROFILES[a].population[1] for a in archetype])
    typical = np.array([PROFILES[a].density for a in archetype])

    rng = np.random.default_rng(seed)
    population = np.round(rng.uniform(low, high))
    density = typical * np.exp(rng.normal(0.0, DENSITY_SIGMA, n))
    radius = RADIUS_KM * np.sqrt(rng.uniform(size=n))
    angle = rng.uniform(0.0, 2.0 * math.pi, n)
    lat = CENTRE[1] + radius * np.sin(angle) / KM_PER_DEGREE
    lon = CENTRE[0] + radius * np.cos(angle) / (KM_PER_DEGREE * math.cos(math.radians(CENTRE[1])))

    distance = great_circle_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    np.fill_diagonal(distance, np.inf)
    k = min(NEAREST, n - 1)
    nearest = np.argsort(distance, axis=1, kind="stable")[:, :k]
    edges = np.sort(np.column_stack([np.repeat(np.arange(n), k), nearest.ravel()]), axis=1)
    edges = np.unique(edges, axis=0)

    width = max(2, len(str(n - 1)))
    codes = np.array([f"SYN-{i:0{width}d}" for i in range(n)])
    names = np.array([f"Synthetic {a.replace('_', ' ')} {i}" for i, a in enumerate(archetype)])
    synthetic = np.full(n, "Synthetic")
    return assemble(
        codes=codes,
        names=names,
        region=synthetic,
        region_code=np.full(n, "SYN"),
        departement=np.full(n, "SYN"),
        population=population,
        area_km2=population / density,
        lon=lon,
        lat=lat,
        archetype=archetype,
        force_dense=archetype == "metropolis",
        edges=edges,
        edge_km=distance[edges[:, 0], edges[:, 1]],
        median_density=national().median_density,
    )


def _validate(counts: Mapping[str, int] | None) -> dict[str, int]:
    """Counts per archetype (missing archetypes count 0), or a one-line error."""
    allowed = ", ".join(ARCHETYPES)
    if not isinstance(counts, Mapping):
        raise TerritorySelectionError(
            f"territory.synthetic: expected counts per archetype ({allowed}), got {counts!r}"
        )
    unknown = [a for a in counts if a not in ARCHETYPES]
    if unknown:
        raise TerritorySelectionError(
            f"territory.synthetic: unknown archetype {', '.join(map(repr, unknown))}; "
            f"allowed: {allowed}"
        )
    out = {}
    for archetype in ARCHETYPES:
        value = counts.get(archetype, 0)
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise TerritorySelectionError(
                f"territory.synthetic.{archetype}: expected a non-negative integer, got {value!r}"
            )
        out[archetype] = int(value)
    if sum(out.values()) == 0:
        raise TerritorySelectionError(
            f"territory.synthetic: all counts are zero; give at least one of {allowed}"
        )
    if sum(out.values()) > MAX_TERRITORIES:
        raise TerritorySelectionError(
            f"territory.synthetic: {sum(out.values()):,} territories is too many; allowed: at "
            f"most {MAX_TERRITORIES:,} in all"
        )
    most = sum(n * PROFILES[a].population[1] for a, n in out.items())
    if most > MAX_POPULATION:
        raise TerritorySelectionError(
            f"territory.synthetic: up to {most:,.0f} inhabitants is too many; allowed: at most "
            f"{MAX_POPULATION:,} (metropolis up to {PROFILES['metropolis'].population[1]:,.0f}, "
            f"medium_town {PROFILES['medium_town'].population[1]:,.0f}, rural "
            f"{PROFILES['rural'].population[1]:,.0f}, industrial_basin "
            f"{PROFILES['industrial_basin'].population[1]:,.0f} each)"
        )
    return out
