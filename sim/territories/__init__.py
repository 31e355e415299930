"""Territories of the simulation: real French EPCIs or a seeded synthetic layout.

Every market of the model is local, so each territory needs a population, a land-market tension
and neighbours. This package turns either INSEE's table of EPCIs (shipped in ``data/``, see
:mod:`sim.territories.real`) or a synthetic set of archetypes (:mod:`sim.territories.synthetic`)
into one immutable struct of arrays whose neighbour graph is always connected, so the rest of the
model never has to care where a territory came from.

Derived quantities, identical for real and synthetic territories:

* ``density`` = population / area (inhabitants per km²).
* ``tension`` = clip((density / national median density) ** 1/3, 0.5, 6.0): 1.0 at the median
  density of the 1,253 French EPCIs (about 64 inh/km²), rising with density, a tenfold density
  ratio giving about 2.15 times the tension. Density is the proxy of land-market tension that the
  data README recommends; the elasticity and bounds are modelling assumptions. The upper bound
  leaves the Métropole de Lyon (3.4) and the Métropole du Grand Paris (5.2) apart: their observed
  activity-premises rents (90-104 and ~147 €/m²/yr) stand in the ratio of their tensions.
* ``density_class``: ``dense`` at >= 400 inh/km² (or any métropole / synthetic metropolis),
  ``intermediate`` at >= 100, ``relaxed`` below. This follows the spirit of INSEE's *grille
  communale de densité* but is only an approximation of it: INSEE classifies communes from 1 km²
  population grid clusters, whereas these thresholds apply to an EPCI's average density.
* Connectivity: every connected component of the selected border graph other than the largest is
  linked, one at a time and nearest first, to the largest (grown) component by a new edge between
  the closest pair of centroids (great-circle distance). This links islands, overseas territories
  and selections of non-adjacent EPCIs, deterministically.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from sim import portable

if TYPE_CHECKING:
    import networkx

__all__ = [
    "ARCHETYPES",
    "DENSITY_CLASSES",
    "KINDS",
    "Territories",
    "TerritorySelectionError",
    "load_territories",
]

ARCHETYPES = ("metropolis", "medium_town", "rural", "industrial_basin")
DENSITY_CLASSES = ("dense", "intermediate", "relaxed")
KINDS = ("region", "departement", "epci", "france", "synthetic")

DENSE_MIN_DENSITY = 400.0
"""Inhabitants per km² from which a territory is ``dense``."""
INTERMEDIATE_MIN_DENSITY = 100.0
"""Inhabitants per km² from which a territory is ``intermediate``."""
TENSION_ELASTICITY = 1.0 / 3.0
"""Exponent of the density ratio in the tension index."""
TENSION_BOUNDS = (0.5, 6.0)
"""Clip of the tension index."""
EARTH_RADIUS_KM = 6371.0


class TerritorySelectionError(ValueError):
    """An invalid territory selection; the message is one line naming the ``territory.`` field."""


@dataclass(frozen=True, eq=False, repr=False)
class Territories:
    """Immutable struct of arrays describing the territories of a run, one row per territory.

    Rows are sorted by ``codes``. All arrays are read-only. ``edges`` holds index pairs ``i < j``,
    sorted and unique, with their centroid distance in ``edge_km``; the graph is connected.
    """

    codes: np.ndarray
    names: np.ndarray
    region: np.ndarray
    region_code: np.ndarray
    departement: np.ndarray
    population: np.ndarray
    area_km2: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    density: np.ndarray
    tension: np.ndarray
    density_class: np.ndarray
    archetype: np.ndarray
    edges: np.ndarray
    edge_km: np.ndarray

    def __len__(self) -> int:
        return len(self.codes)

    def __repr__(self) -> str:
        return f"Territories(n={len(self)}, edges={len(self.edges)}, regions={len(self.regions)})"

    @property
    def regions(self) -> np.ndarray:
        """Unique region names, sorted."""
        return np.unique(self.region)

    def index_of(self, code: str) -> int:
        """Row index of a territory code.

        Raises:
            KeyError: if the code is not among the selected territories.
        """
        try:
            return self._index[str(code)]
        except KeyError:
            raise KeyError(f"territory code {code!r} is not in this selection") from None

    def neighbours(self) -> list[np.ndarray]:
        """Neighbour indices of each territory (sorted), computed once and cached."""
        return self._neighbours

    def graph(self) -> networkx.Graph:
        """The territories as a networkx graph (not for the hot path).

        Nodes are row indices with attributes ``code``, ``name``, ``population``,
        ``density_class`` and ``archetype``; edges carry ``distance_km``.
        """
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(
            (i, {"code": c, "name": n, "population": p, "density_class": d, "archetype": a})
            for i, (c, n, p, d, a) in enumerate(
                zip(
                    self.codes.tolist(),
                    self.names.tolist(),
                    self.population.tolist(),
                    self.density_class.tolist(),
                    self.archetype.tolist(),
                    strict=True,
                )
            )
        )
        g.add_edges_from(
            (i, j, {"distance_km": km})
            for (i, j), km in zip(self.edges.tolist(), self.edge_km.tolist(), strict=True)
        )
        return g

    @cached_property
    def _index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.codes.tolist())}

    @cached_property
    def _neighbours(self) -> list[np.ndarray]:
        src = np.concatenate([self.edges[:, 0], self.edges[:, 1]])
        dst = np.concatenate([self.edges[:, 1], self.edges[:, 0]])
        order = np.lexsort((dst, src))
        bounds = np.searchsorted(src[order], np.arange(len(self) + 1))
        return np.split(dst[order], bounds[1:-1])


def load_territories(
    kind: str,
    codes: Sequence[str] = (),
    synthetic: Mapping[str, int] | None = None,
    seed: int = 0,
) -> Territories:
    """Select the territories of a run.

    Args:
        kind: ``region`` (codes are region codes such as ``'84'`` or exact region names),
            ``departement`` (codes such as ``'26'``, ``'2A'``, ``'971'``), ``epci`` (SIREN
            codes), ``france`` (all 1,253 EPCIs; takes no codes) or ``synthetic``.
        codes: Codes to select for ``region``, ``departement`` and ``epci``.
        synthetic: For ``synthetic``, the number of territories per archetype.
        seed: For ``synthetic``, the seed of the layout.

    Raises:
        TerritorySelectionError: on an unknown kind or code, an empty selection, a selection
            holding a territory without population, or out-of-bounds synthetic counts.
    """
    if kind == "synthetic":
        from sim.territories import synthetic as synthetic_module

        if codes:
            raise TerritorySelectionError(
                f"territory.codes: kind 'synthetic' takes no codes, got {list(codes)}; allowed: "
                "[] (or set territory.kind to region, departement or epci)"
            )
        return synthetic_module.generate(synthetic, seed)
    if kind in KINDS:
        from sim.territories import real

        return real.select(kind, codes)
    raise TerritorySelectionError(
        f"territory.kind: unknown kind {kind!r}; allowed: {', '.join(KINDS)}"
    )


def great_circle_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Haversine distance in km between points given in degrees (broadcasting)."""
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(a, dtype=np.float64)) for a in (lon1, lat1, lon2, lat2)
    )
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def assemble(
    *,
    codes: np.ndarray,
    names: np.ndarray,
    region: np.ndarray,
    region_code: np.ndarray,
    departement: np.ndarray,
    population: np.ndarray,
    area_km2: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    archetype: np.ndarray,
    force_dense: np.ndarray,
    edges: np.ndarray,
    edge_km: np.ndarray,
    median_density: float,
) -> Territories:
    """Assemble a :class:`Territories` from rows sorted by code: derive density, tension and class,
    connect the graph, and freeze every array. ``force_dense`` marks rows dense whatever their
    density (métropoles)."""
    population = np.asarray(population, dtype=np.float64)
    area_km2 = np.asarray(area_km2, dtype=np.float64)
    density = population / area_km2
    tension = np.clip(portable.power(density / median_density, TENSION_ELASTICITY), *TENSION_BOUNDS)
    density_class = np.where(
        force_dense | (density >= DENSE_MIN_DENSITY),
        "dense",
        np.where(density >= INTERMEDIATE_MIN_DENSITY, "intermediate", "relaxed"),
    )
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    edges, edge_km = _connect(lon, lat, np.asarray(edges, dtype=np.int64).reshape(-1, 2), edge_km)
    arrays = {
        "codes": np.asarray(codes, dtype=str),
        "names": np.asarray(names, dtype=str),
        "region": np.asarray(region, dtype=str),
        "region_code": np.asarray(region_code, dtype=str),
        "departement": np.asarray(departement, dtype=str),
        "population": population,
        "area_km2": area_km2,
        "lon": lon,
        "lat": lat,
        "density": density,
        "tension": tension,
        "density_class": density_class.astype(str),
        "archetype": np.asarray(archetype, dtype=str),
        "edges": edges,
        "edge_km": edge_km,
    }
    for name, array in arrays.items():
        arrays[name] = array = np.array(array)  # own copy, so freezing never touches a caller's
        array.flags.writeable = False
    return Territories(**arrays)


def _connect(
    lon: np.ndarray, lat: np.ndarray, edges: np.ndarray, edge_km: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Make the graph connected (see the module docstring); return sorted unique edges."""
    n = len(lon)
    edge_km = np.asarray(edge_km, dtype=np.float64)
    graph = coo_array((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    n_components, labels = connected_components(graph, directed=False)
    if n_components > 1:
        sizes = np.bincount(labels)
        in_main = labels == np.argmax(sizes)  # argmax: the lowest label among equal sizes
        outside = np.flatnonzero(~in_main)
        dist = great_circle_km(lon[outside, None], lat[outside, None], lon[None, :], lat[None, :])
        new_edges, new_km = [], []
        for _ in range(n_components - 1):
            rows = ~in_main[outside]
            sub = np.where(rows[:, None] & in_main[None, :], dist, np.inf)
            r, j = np.unravel_index(np.argmin(sub), sub.shape)
            i = outside[r]
            new_edges.append((min(i, j), max(i, j)))
            new_km.append(dist[r, j])
            in_main |= labels == labels[i]
        edges = np.concatenate([edges, np.array(new_edges, dtype=np.int64)])
        edge_km = np.concatenate([edge_km, np.array(new_km)])
    edges = np.sort(edges, axis=1)
    edges, first = np.unique(edges, axis=0, return_index=True)
    return edges.astype(np.int64), edge_km[first]
