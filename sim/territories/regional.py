"""Regional calibration: how much denser than the national average each region is, by group of
legal forms and for industry, from public regional counts (issue 14, item 1).

Wired on by default (``params.population.regional_calibration``): :func:`form_multipliers`,
:func:`industry_multipliers` and :func:`insertion_size_factors` give, for a run's territories,
the factors on the national per-inhabitant densities of the schema (``per_100k_inhabitants``
of each form, ``industrial_firms_per_100k``) and on the insertion staff of insertion
structures (docs/regional_calibration.md says where each enters).

The figures are in ``data/regional_*.csv``, each row
with its source, table or page and year; nothing is estimated there. From them:

* Structures (groups ``insertion`` EI/ACI/AI/ETTI, ``adapted`` EA, ``cooperative`` SCOP/SCIC,
  ``association``): ``multiplier = (regional count / national count) / (regional population /
  national population)``, the national count of the same or the nearest year, populations from
  the shipped EPCI table. A region without a figure gets the *residual*: the density left by the
  national count once the observed regions are taken out, so that the national total (the
  schema's calibration) is kept; clipped to the observed multipliers' range. A group without any
  regional figure (``association``) stays at the national density. A département figure
  (``data/regional_departements.csv``) refines its région the same way: its own multiplier, and
  the residual that keeps the région's multiplier for the région's other départements.
* Industry: ``multiplier = industrial jobs per inhabitant / the same over all observed regions``,
  industrial jobs being the Insee industry share x salaried employment. A region without a figure
  (Martinique, La Réunion, Mayotte) stays at 1, which keeps the national mean at 1.
* Insertion size (``data/regional_insertion_people.csv``): insertion employees per insertion
  structure in the region over the national figure; 1.0 (the national size) without a figure.

Uncertainty, carried into ``low`` and ``high`` for the sensitivity analysis: an observed figure
has the relative uncertainty of its row (``rel_uncertainty``: 0.10 for a same-year count, more
for a year gap, a rounded or lower-bound figure, 0.30 at most); an industry share is printed as
an integer percent, hence +-0.5 point; a fallback ranges over the group's observed multipliers
(over every observed structure multiplier when its group has fewer than two).
``params.population.regional_position`` moves each group within that range (-1 low, 0 the
value, +1 high) for the sensitivity analysis.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from sim.vocabulary import LEGAL_FORMS

FORM_GROUP = {"EI": "insertion", "ACI": "insertion", "AI": "insertion", "ETTI": "insertion",
              "EA": "adapted", "SCOP": "cooperative", "SCIC": "cooperative",
              "ASSOCIATION": "association"}
STRUCTURE_GROUPS = ("insertion", "adapted", "cooperative", "association")
INSERTION_SIZE = "insertion_size"
"""Insertion employees per insertion structure in a region, relative to France."""
GROUPS = (*STRUCTURE_GROUPS, "industry", INSERTION_SIZE)
INDUSTRY_SHARE_ROUNDING_PCT = 0.5
"""Insee prints the industry share as an integer percent."""


@dataclass(frozen=True)
class Multiplier:
    """One region's density relative to the national density, for one group."""

    region_code: str
    group: str
    value: float
    low: float
    high: float
    basis: str
    """``observed`` (from ``source``), or which fallback was used."""
    source: str
    departement: str = ""
    """Empty for a whole region; a département code for a département figure; ``rest`` for the
    région's départements without a figure once some have one."""


def read_rows(name: str) -> list[dict[str, str]]:
    """Rows of a CSV shipped in ``sim/territories/data``."""
    path = resources.files("sim.territories").joinpath("data", name)
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def region_populations() -> dict[str, float]:
    """Inhabitants per INSEE region code, summed over the shipped EPCI table."""
    from sim.territories.real import national

    table = national()
    codes, inverse = np.unique(table.region_code, return_inverse=True)
    totals = np.bincount(inverse, weights=table.population)
    return dict(zip(codes.tolist(), totals.tolist(), strict=True))


def structure_multipliers(rows: list[Mapping[str, str]],
                          population: Mapping[str, float]) -> list[Multiplier]:
    """Per region and structure group, from regional and national counts (module docstring)."""
    national_population = sum(population.values())
    share = {code: p / national_population for code, p in population.items()}
    observed: dict[str, list[Multiplier]] = {g: [] for g in STRUCTURE_GROUPS}
    # a figure for several regions first: a later figure for one of them alone replaces it
    for row in sorted(rows, key=lambda r: -len(r["region_code"].split("+"))):
        codes = row["region_code"].split("+")
        population_share = sum(share[c] for c in codes)
        value = (float(row["count"]) / float(row["national_count"])) / population_share
        spread = float(row["rel_uncertainty"])
        source = f"{row['source_url']} ({row['table_or_page']}, {row['year']})"
        observed[row["group"]] += [
            Multiplier(c, row["group"], value, value * (1 - spread), value * (1 + spread),
                       "observed", source) for c in codes]
    every = [m for group in observed.values() for m in group]
    overall = (min(m.low for m in every), max(m.high for m in every)) if every else (1.0, 1.0)
    out = []
    for group in STRUCTURE_GROUPS:
        seen = {m.region_code: m for m in observed[group]}
        out += seen.values()
        out += _fallbacks(group, seen, share, overall)
    return sorted(out, key=lambda m: (m.group, m.region_code))


def _fallbacks(group: str, seen: Mapping[str, Multiplier], share: Mapping[str, float],
               overall: tuple[float, float]) -> list[Multiplier]:
    """The residual density of the regions without a figure (module docstring)."""
    missing = [c for c in share if c not in seen]
    if not missing:
        return []
    if not seen:
        return [Multiplier(c, group, 1.0, *overall, "fallback: no regional figure, national "
                           "density (range of all observed structure multipliers)", "")
                for c in missing]
    residual = (1 - sum(share[c] * m.value for c, m in seen.items())) / sum(
        share[c] for c in missing)
    values = [m.value for m in seen.values()]
    low, high = ((min(m.low for m in seen.values()), max(m.high for m in seen.values()))
                 if len(seen) >= 2 else overall)
    clipped = float(np.clip(residual, min(values), max(values))) if len(seen) >= 2 else residual
    basis = ("fallback: residual of the national count over regions without a figure"
             + (f" ({residual:.2f}, clipped to the observed range)" if clipped != residual
                else ""))
    return [Multiplier(c, group, clipped, min(low, clipped), max(high, clipped), basis, "")
            for c in missing]


def industry_region_multipliers(rows: list[Mapping[str, str]],
                                population: Mapping[str, float]) -> list[Multiplier]:
    """Per region, industrial jobs per inhabitant relative to all observed regions."""
    jobs = {r["region_code"]: float(r["industry_share_pct"]) / 100 * float(
        r["salaried_employment"]) for r in rows}
    reference = sum(jobs.values()) / sum(population[c] for c in jobs)
    out = []
    for row in rows:
        code = row["region_code"]
        value = jobs[code] / population[code] / reference
        spread = INDUSTRY_SHARE_ROUNDING_PCT / float(row["industry_share_pct"])
        out.append(Multiplier(code, "industry", value, value * (1 - spread),
                              value * (1 + spread), "observed",
                              f"{row['source_url']} ({row['table_or_page']}, {row['year']})"))
    low, high = min(m.low for m in out), max(m.high for m in out)
    out += [Multiplier(c, "industry", 1.0, low, high, "fallback: no regional figure, national "
                       "density (range of the observed regions)", "")
            for c in population if c not in jobs]
    return sorted(out, key=lambda m: m.region_code)


def departement_populations() -> dict[str, float]:
    """Inhabitants per département code (an EPCI counts in the département holding most of its
    population), summed over the shipped EPCI table."""
    from sim.territories.real import national

    table = national()
    codes, inverse = np.unique(table.departement, return_inverse=True)
    totals = np.bincount(inverse, weights=table.population)
    return dict(zip(codes.tolist(), totals.tolist(), strict=True))


def departement_multipliers(rows: list[Mapping[str, str]], regional: list[Multiplier],
                            departements: Mapping[str, float],
                            regions: Mapping[str, float]) -> list[Multiplier]:
    """Département figures refine their region: each observed département gets its own
    multiplier (as a region would), and the région's other départements share the residual
    that keeps the région's multiplier (``departement == "rest"``), clipped to the group's
    observed range."""
    national_population = sum(departements.values())
    of_region = {(m.group, m.region_code): m for m in regional if not m.departement}
    observed = [m for m in regional if m.basis == "observed"]
    out = []
    for row in rows:
        value = (float(row["count"]) / float(row["national_count"])) / (
            departements[row["departement"]] / national_population)
        spread = float(row["rel_uncertainty"])
        out.append(Multiplier(row["region_code"], row["group"], value, value * (1 - spread),
                              value * (1 + spread), "observed",
                              f"{row['source_url']} ({row['table_or_page']}, {row['year']})",
                              row["departement"]))
    for group, region in sorted({(m.group, m.region_code) for m in out}):
        inside = [m for m in out if (m.group, m.region_code) == (group, region)]
        whole = of_region[group, region]
        covered = sum(departements[m.departement] for m in inside)
        rest = (whole.value * regions[region] - sum(
            m.value * departements[m.departement] for m in inside)) / (regions[region] - covered)
        values = [m.value for m in observed + out if m.group == group]
        clipped = float(np.clip(rest, min(values), max(values)))
        basis = ("fallback: residual within the region, keeping its multiplier"
                 + (f" ({rest:.2f}, clipped to the observed range)" if clipped != rest else ""))
        out.append(Multiplier(region, group, clipped, min(whole.low, clipped),
                              max(whole.high, clipped), basis, "", "rest"))
    return out


def insertion_size_multipliers(rows: list[Mapping[str, str]], population: Mapping[str, float],
                               structures: list[Multiplier]) -> list[Multiplier]:
    """Per region, insertion employees per insertion structure relative to France: the
    structure count alone would give a region of many small structures (Corse: 38 SIAE for
    1,228 employees in the year, half the national size) too many insertion jobs. Regions
    without a figure share the residual that keeps the national insertion employees (weights:
    each region's insertion structures, ``structures``' insertion multipliers): the national
    stock is the schema's calibration, so the residual's range only follows the observed
    factors' ranges."""
    density = {m.region_code: m.value for m in structures if m.group == "insertion"}
    weight = {c: population[c] * density[c] for c in population}
    out = []
    for row in rows:
        value = (float(row["people"]) / float(row["structures"])) / (
            float(row["national_people"]) / float(row["national_structures"]))
        spread = float(row["rel_uncertainty"])
        out.append(Multiplier(row["region_code"], INSERTION_SIZE, value, value * (1 - spread),
                              value * (1 + spread), "observed",
                              f"{row['source_url']} ({row['table_or_page']}, {row['year']})"))
    missing = [c for c in population if c not in {m.region_code for m in out}]

    def residual(bound: str) -> float:
        held = sum(weight[m.region_code] * getattr(m, bound) for m in out)
        return (sum(weight.values()) - held) / sum(weight[c] for c in missing)

    value, low, high = residual("value"), residual("high"), residual("low")
    out += [Multiplier(c, INSERTION_SIZE, value, low, high, "fallback: residual keeping the "
                       "national insertion employees per structure (range: the observed "
                       "factors at their ends)", "") for c in missing]
    return sorted(out, key=lambda m: m.region_code)


@cache
def calibration_table() -> tuple[Multiplier, ...]:
    """Every region x group multiplier, then the département refinements, from the shipped
    figures and populations."""
    population = region_populations()
    regional = structure_multipliers(read_rows("regional_structures.csv"), population)
    return (*regional,
            *industry_region_multipliers(read_rows("regional_industry.csv"), population),
            *insertion_size_multipliers(read_rows("regional_insertion_people.csv"), population,
                                        regional),
            *departement_multipliers(read_rows("regional_departements.csv"), regional,
                                     departement_populations(), population))


def at_position(m: Multiplier, position: float) -> float:
    """The multiplier ``position`` of the way from its value to an end of its range: 0 is the
    value, -1 ``low``, +1 ``high`` (linear in between); the sensitivity analysis samples it."""
    if not -1.0 <= position <= 1.0:
        raise ValueError(f"regional position {position!r}: allowed values are -1 to 1")
    if position >= 0:
        return m.value + position * (m.high - m.value)
    return m.value + position * (m.value - m.low)


def territory_multipliers(territories, group: str, table: tuple[Multiplier, ...] | None = None,
                          bound: str = "value", position: float = 0.0) -> np.ndarray:
    """The multiplier of ``group`` for each territory: its département's when the table has
    one, else its région's (the région's ``rest`` once some of its départements have their
    own); 1.0 for a region the table does not know (synthetic territories). ``bound`` is
    ``value``, ``low`` or ``high`` (the ends of the range); with ``bound="value"``,
    ``position`` moves every multiplier of the group within its range (:func:`at_position`)."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}; allowed: {', '.join(GROUPS)}")
    rows = [m for m in (table if table is not None else calibration_table()) if m.group == group]

    def pick(m: Multiplier) -> float:
        return at_position(m, position) if bound == "value" else getattr(m, bound)

    by_region = {m.region_code: pick(m) for m in rows if not m.departement}
    by_region |= {m.region_code: pick(m) for m in rows if m.departement == "rest"}
    by_departement = {m.departement: pick(m) for m in rows
                      if m.departement not in ("", "rest")}
    return np.array([by_departement.get(str(d), by_region.get(str(r), 1.0))
                     for r, d in zip(territories.region_code, territories.departement,
                                     strict=True)], dtype=np.float64)


def insertion_size_factors(territories, table: tuple[Multiplier, ...] | None = None,
                           position: float = 0.0) -> np.ndarray:
    """The factor on the insertion staff of insertion structures (EI, ACI, AI, ETTI) in each
    territory: its region's insertion employees per structure relative to France."""
    return territory_multipliers(territories, INSERTION_SIZE, table, position=position)


def form_multipliers(territories, table: tuple[Multiplier, ...] | None = None,
                     positions: Mapping[str, float] | None = None) -> np.ndarray:
    """(forms in ``LEGAL_FORMS`` order, territories): the factor on each form's national density
    ``per_100k_inhabitants`` in each territory (``positions``: group -> :func:`at_position`)."""
    positions = positions or {}
    by_group = {g: territory_multipliers(territories, g, table, position=positions.get(g, 0.0))
                for g in STRUCTURE_GROUPS}
    return np.stack([by_group[FORM_GROUP[form]] for form in LEGAL_FORMS])


def industry_multipliers(territories, archetype_factors: Mapping[str, float] | None = None,
                         table: tuple[Multiplier, ...] | None = None,
                         position: float = 0.0) -> np.ndarray:
    """The factor on ``industrial_firms_per_100k`` in each territory, on top of the archetype
    multipliers (``archetype_factors``: archetype -> multiplier, 1.0 for the others).

    Given the archetype factors, a region's factor is divided by its population-weighted mean
    archetype factor over the national one (both over all French EPCIs, whatever the
    selection), so that archetypes only redistribute firms *within* a region and the region's
    industrial firms per inhabitant are the national ones times its multiplier: stacked
    without it, old industrial basins and metropolises would push Hauts-de-France or Grand Est
    ~10 % above their Insee figure and Île-de-France ~15 % below it."""
    factor = territory_multipliers(territories, "industry", table, position=position)
    if not archetype_factors:
        return factor
    from sim.territories.real import national

    france = national()
    archetype = np.array([archetype_factors.get(a, 1.0) for a in france.archetype.tolist()])
    codes, inverse = np.unique(france.region_code, return_inverse=True)
    regional = (np.bincount(inverse, weights=archetype * france.population)
                / np.bincount(inverse, weights=france.population))
    national_mean = np.average(archetype, weights=france.population)
    correction = dict(zip(codes.tolist(), (national_mean / regional).tolist(), strict=True))
    return factor * np.array([correction.get(str(c), 1.0) for c in territories.region_code])


@dataclass(frozen=True)
class PatternCheck:
    """The out-of-sample regional check: per region, the model's ESS share of salaried jobs and
    the observed one, both relative to France, and whether they sit on the same side of it."""

    model_ratio: dict[str, float]
    observed_ratio: dict[str, float]
    agrees: dict[str, bool]

    @property
    def passed(self) -> bool:
        return bool(self.agrees) and all(self.agrees.values())


def ess_share_check(ess_jobs_by_region: Mapping[str, float],
                    observed: list[Mapping[str, str]] | None = None,
                    employment: list[Mapping[str, str]] | None = None) -> PatternCheck:
    """Compare the model's regional ESS pattern with the ESS share of salaried jobs by region
    (``data/regional_ess_share.csv``: Atlas de l'ESS, end 2019), which the calibration does NOT
    use: it fits structure counts of four groups of forms, never the ESS share of jobs.

    The model's share is its ESS jobs over Insee salaried employment (``regional_industry.csv``,
    2019); both shares are divided by their value for France (the model's: over the regions it
    holds), and a region agrees when both sit on the same side of 1. Regions the model does not
    hold are left out.
    """
    observed = observed if observed is not None else read_rows("regional_ess_share.csv")
    employment = employment if employment is not None else read_rows("regional_industry.csv")
    salaried = {r["region_code"]: float(r["salaried_employment"]) for r in employment}
    held = [c for c in ess_jobs_by_region if c in salaried]
    france_model = sum(ess_jobs_by_region[c] for c in held) / sum(salaried[c] for c in held)
    france_observed = next(float(r["ess_share_of_salaried_jobs_pct"]) for r in observed
                           if r["region_code"] == "FR")
    model_ratio, observed_ratio, agrees = {}, {}, {}
    for row in observed:
        code = row["region_code"]
        if code == "FR" or code not in held:
            continue
        model_ratio[code] = ess_jobs_by_region[code] / salaried[code] / france_model
        observed_ratio[code] = float(row["ess_share_of_salaried_jobs_pct"]) / france_observed
        agrees[code] = (model_ratio[code] > 1) == (observed_ratio[code] > 1)
    return PatternCheck(model_ratio, observed_ratio, agrees)


def ess_jobs_by_region(territories, ess_jobs: np.ndarray) -> dict[str, float]:
    """Sum per-territory ESS jobs (aligned with ``territories``) by region code."""
    codes, inverse = np.unique(territories.region_code, return_inverse=True)
    totals = np.bincount(inverse, weights=np.asarray(ess_jobs, dtype=np.float64),
                         minlength=codes.size)
    return dict(zip(codes.tolist(), totals.tolist(), strict=True))


def ess_share_check_over_seeds(jobs_by_seed: list[Mapping[str, float]],
                               observed: list[Mapping[str, str]] | None = None,
                               employment: list[Mapping[str, str]] | None = None,
                               ) -> tuple[PatternCheck, float]:
    """:func:`ess_share_check` on the mean ESS jobs by region over seeds, and the share of
    seeds whose own check passes (the issue asks for the check over at least ten seeds)."""
    regions = sorted(set().union(*jobs_by_seed))
    mean = {c: float(np.mean([jobs.get(c, 0.0) for jobs in jobs_by_seed])) for c in regions}
    passing = [ess_share_check(jobs, observed, employment).passed for jobs in jobs_by_seed]
    return ess_share_check(mean, observed, employment), float(np.mean(passing))
