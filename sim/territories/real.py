"""Real French territories: INSEE's EPCIs, their shared borders and a curated list of old
industrial basins, all shipped in ``data/`` (see ``data/README.md`` for sources and licence).

The tables are read once per process through :mod:`importlib.resources`, so they load from an
installed wheel and whatever the working directory; a selection then only slices arrays.

Two modelling choices live here:

* Missing population. Mayotte's five EPCIs carry population 0 in the source, which means missing,
  not empty. A missing population is imputed as area x the median density of the other EPCIs of
  its region; Mayotte has none, so the median density of the other overseas EPCIs (Guadeloupe,
  Martinique, Guyane, La Réunion: about 211 inh/km²) is used. This gives Mayotte about 77,000
  inhabitants, a clear underestimate of INSEE's later estimates (over 300,000) but a usable
  non-zero order of magnitude. The imputation only serves national runs (``france``), so that
  national totals cover every EPCI; a selection that names such an EPCI (Mayotte's EPCIs,
  département 976, region 06) is refused, since its run would rest on the imputed figure alone.
* Archetype. ``metropolis`` for a métropole (ME) or a communauté urbaine (CU) of density >= 400
  inh/km²; ``industrial_basin`` for an EPCI of ``industrial_basins.csv``; ``medium_town`` for any
  other communauté d'agglomération (CA) or CU; ``rural`` for a communauté de communes (CC) under
  100 inh/km²; ``medium_town`` for the remaining, denser CCs.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from sim.territories import (
    DENSE_MIN_DENSITY,
    INTERMEDIATE_MIN_DENSITY,
    Territories,
    TerritorySelectionError,
    assemble,
)

OVERSEAS_REGION_CODES = ("01", "02", "03", "04", "06")
"""Guadeloupe, Martinique, Guyane, La Réunion, Mayotte."""
EPCI_FILE = "sim/territories/data/epci_france.csv"


@dataclass(frozen=True, eq=False)
class NationalTable:
    """All French EPCIs, sorted by SIREN, with derived archetypes and the border graph."""

    siren: np.ndarray
    name: np.ndarray
    kind: np.ndarray
    departement: np.ndarray
    region_code: np.ndarray
    region: np.ndarray
    population: np.ndarray
    area_km2: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    archetype: np.ndarray
    population_missing: np.ndarray
    edges: np.ndarray
    edge_km: np.ndarray
    median_density: float


def _read_csv(name: str) -> dict[str, np.ndarray]:
    """Columns of a CSV of the package data, as arrays of strings."""
    path = resources.files("sim.territories").joinpath("data", name)
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        columns = zip(*reader, strict=True)
        return {h: np.array(c) for h, c in zip(header, columns, strict=True)}


def _impute_population(
    population: np.ndarray, area_km2: np.ndarray, region_code: np.ndarray
) -> np.ndarray:
    """Replace zero populations by area x median density of a reference set (module docstring)."""
    population = population.copy()
    missing = population <= 0
    density = np.divide(population, area_km2)
    for code in np.unique(region_code[missing]):
        reference = ~missing & (region_code == code)
        if not reference.any():
            reference = ~missing & np.isin(region_code, OVERSEAS_REGION_CODES)
        rows = missing & (region_code == code)
        population[rows] = np.round(area_km2[rows] * np.median(density[reference]))
    return population


def _archetypes(siren: np.ndarray, kind: np.ndarray, density: np.ndarray) -> np.ndarray:
    """Archetype of each EPCI (module docstring)."""
    basins = _read_csv("industrial_basins.csv")["siren"]
    return np.select(
        [
            (kind == "ME") | ((kind == "CU") & (density >= DENSE_MIN_DENSITY)),
            np.isin(siren, basins),
            np.isin(kind, ("CA", "CU")) | (density >= INTERMEDIATE_MIN_DENSITY),
        ],
        ["metropolis", "industrial_basin", "medium_town"],
        default="rural",
    )


@cache
def national() -> NationalTable:
    """The national table, read once per process."""
    epci = _read_csv("epci_france.csv")
    order = np.argsort(epci["siren"], kind="stable")
    epci = {k: v[order] for k, v in epci.items()}
    area = epci["area_km2"].astype(np.float64)
    source_population = epci["population"].astype(np.float64)
    population = _impute_population(source_population, area, epci["region_code"])
    density = population / area

    adjacency = _read_csv("epci_adjacency.csv")
    ends = np.column_stack(
        [
            np.searchsorted(epci["siren"], adjacency["siren_a"]),
            np.searchsorted(epci["siren"], adjacency["siren_b"]),
        ]
    )
    return NationalTable(
        siren=epci["siren"],
        name=epci["name"],
        kind=epci["kind"],
        departement=epci["departement"],
        region_code=epci["region_code"],
        region=epci["region"],
        population=population,
        area_km2=area,
        lon=epci["lon"].astype(np.float64),
        lat=epci["lat"].astype(np.float64),
        archetype=_archetypes(epci["siren"], epci["kind"], density),
        population_missing=source_population <= 0,
        edges=np.sort(ends, axis=1),
        edge_km=adjacency["distance_km"].astype(np.float64),
        median_density=float(np.median(density)),
    )


def select(kind: str, codes: Sequence[str]) -> Territories:
    """Territories of a ``region``, ``departement``, ``epci`` or ``france`` selection.

    Codes are stripped strings; a single string is one code; duplicates count once; for regions
    and départements a one-digit code is zero-padded ('1' -> '01'), as YAML may have read ``01``
    as the integer 1.

    Raises:
        TerritorySelectionError: on an unknown code (naming the kind it belongs to, if any), an
            empty selection, codes given to ``france``, or a selection holding an EPCI whose
            population is missing in the source.
    """
    table = national()
    wanted = normalise_codes(kind, codes)
    if kind == "france":
        if wanted:
            raise TerritorySelectionError(
                f"territory.codes: kind 'france' takes no codes, got {', '.join(wanted)}; "
                "allowed: [] (or set territory.kind to region, departement or epci)"
            )
        rows = np.arange(len(table.siren))
    else:
        if not wanted:
            raise TerritorySelectionError(
                f"territory.codes: empty selection for kind {kind!r}; give at least one code"
            )
        column = {"region": table.region_code, "departement": table.departement}.get(
            kind, table.siren
        )
        rows = np.flatnonzero(np.isin(column, _resolve(kind, wanted, table)))
        _refuse_missing_population(rows, table)

    position = np.full(len(table.siren), -1)
    position[rows] = np.arange(len(rows))
    kept = (position[table.edges] >= 0).all(axis=1)
    return assemble(
        codes=table.siren[rows],
        names=table.name[rows],
        region=table.region[rows],
        region_code=table.region_code[rows],
        departement=table.departement[rows],
        population=table.population[rows],
        area_km2=table.area_km2[rows],
        lon=table.lon[rows],
        lat=table.lat[rows],
        archetype=table.archetype[rows],
        force_dense=table.kind[rows] == "ME",
        edges=position[table.edges[kept]],
        edge_km=table.edge_km[kept],
        median_density=table.median_density,
    )


def normalise_codes(kind: str, codes: Sequence[str] | None) -> list[str]:
    """Stripped, de-duplicated codes in input order (see :func:`select`)."""
    if isinstance(codes, str):
        codes = [codes]
    codes = codes or []
    out = [str(c).strip() for c in codes]
    if kind in ("region", "departement"):
        out = [c.zfill(2) if c.isdigit() else c for c in out]
    return list(dict.fromkeys(out))


def _resolve(kind: str, wanted: list[str], table: NationalTable) -> list[str]:
    """Map the wanted codes to values of the selection column, or raise naming the unknown."""
    if kind == "region":
        regions = dict(zip(table.region_code.tolist(), table.region.tolist(), strict=True))
        lookup = {code: code for code in regions} | {name: code for code, name in regions.items()}
        allowed = ", ".join(f"{code} ({name})" for code, name in regions_with_population().items())
    elif kind == "departement":
        lookup = {code: code for code in np.unique(table.departement).tolist()}
        allowed = (
            ", ".join(lookup)
            + " (an EPCI belongs to the département holding most of its population)"
        )
    else:
        lookup = {code: code for code in table.siren.tolist()}
        allowed = f"see {EPCI_FILE}"
    unknown = [c for c in wanted if c not in lookup]
    if unknown:
        described = ", ".join(
            repr(c) + (_other_kind(kind, c, table) or
                       (_suggest(c, table) if kind == "epci" else "")) for c in unknown
        )
        raise TerritorySelectionError(
            f"territory.codes: unknown {kind} {described}; allowed: {allowed}"
        )
    return [lookup[c] for c in wanted]


def _other_kind(kind: str, code: str, table: NationalTable) -> str:
    """' (a departement code: set territory.kind=departement)' when a code of another kind was
    mixed into the selection; one selection has one kind."""
    columns = {"region": (table.region_code, table.region),
               "departement": (table.departement,), "epci": (table.siren,)}
    padded = code.zfill(2) if code.isdigit() else code
    for other, values in columns.items():
        candidate = code if other == "epci" else padded
        if other != kind and any(candidate in v for v in values):
            return f" (a {other} code: one selection has one kind, set territory.kind={other})"
    return ""


def _refuse_missing_population(rows: np.ndarray, table: NationalTable) -> None:
    """Refuse a selection holding EPCIs whose population the source does not give (Mayotte)."""
    missing = rows[table.population_missing[rows]]
    if missing.size:
        regions = ", ".join(sorted(set(table.region[missing].tolist())))
        raise TerritorySelectionError(
            f"territory.codes: {missing.size} selected EPCI(s) of {regions} have no population "
            f"in the source ({', '.join(table.siren[missing].tolist())}: population 0 in "
            f"{EPCI_FILE}); allowed: territories with a population, or kind 'france' (imputed)"
        )


def regions_with_population() -> dict[str, str]:
    """INSEE region code -> name of every region that can be selected (all but Mayotte)."""
    table = national()
    selectable = ~np.isin(table.region_code, table.region_code[table.population_missing])
    return dict(sorted(zip(table.region_code[selectable].tolist(),
                           table.region[selectable].tolist(), strict=True)))


def _suggest(code: str, table: NationalTable) -> str:
    """' (did you mean ...?)' with the SIRENs or names closest to an unknown EPCI code."""
    sirens = table.siren.tolist()
    names = table.name.tolist()
    close = difflib.get_close_matches(code, sirens, n=3)
    close += [sirens[names.index(n)] for n in difflib.get_close_matches(code, names, n=3)]
    if not close:
        return ""
    options = ", ".join(f"{s} ({names[sirens.index(s)]})" for s in dict.fromkeys(close))
    return f" (did you mean {options}?)"
