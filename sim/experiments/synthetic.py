"""A synthetic stand-in for the model: contract-shaped outputs in milliseconds.

`experiment.backend=synthetic` runs a sweep without the model, to check a launcher, a cluster
setup or the report pipeline, and the tests use it to know the true effects in advance. Nothing
here is a model of the ESS: each lever adds a fixed monthly growth to ESS jobs (land trust in
dense territories, conditional aid in relaxed ones, the other two everywhere) on top of a
baseline path whose shocks depend on the seed only, which is what common random numbers mean.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config.schema import ProcurementParams
from sim.experiments.arms import HEADLINE_LEVERS
from sim.outcomes import PAYERS, payer_cost

MONTHS = 36
EPCI_CSV = Path(__file__).resolve().parents[1] / "territories" / "data" / "epci_france.csv"
REGION_CODE = 76
N_TERRITORIES = 24
# Extra monthly growth of ESS jobs by lever and density class, and monthly public cost per
# territory (euros).
GROWTH = {
    "land_trust": {"dense": 0.004, "intermediate": 0.002, "relaxed": 0.0},
    "reserved_markets": {"dense": 0.0015, "intermediate": 0.0015, "relaxed": 0.0015},
    "impact_vat": {"dense": 0.001, "intermediate": 0.001, "relaxed": 0.001},
    "conditional_aid": {"dense": 0.0, "intermediate": 0.001, "relaxed": 0.003},
}
COST = {"land_trust": 30_000.0, "reserved_markets": 5_000.0, "impact_vat": 12_000.0,
        "conditional_aid": 20_000.0}
# Who bears each lever's cost, as in the model (`sim.policies`, `sim.outcomes.PAYERS`): shares
# by payer; the reserved lots' premium falls on their buyers at procurement's default shares.
_BUYERS = ProcurementParams()
_SHARES = {"state": _BUYERS.buyer_share_state, "regions": _BUYERS.buyer_share_regions,
           "departements": _BUYERS.buyer_share_departements,
           "intercommunalities": _BUYERS.buyer_share_communes}
PAYER = {"land_trust": {"public_investment_bank": 1.0},
         "reserved_markets": {k: v / sum(_SHARES.values()) for k, v in _SHARES.items()},
         "impact_vat": {"state": 1.0}, "conditional_aid": {"regions": 1.0}}


@dataclass
class SyntheticResult:
    """Same attributes as the model's RunResult."""

    timeseries: pd.DataFrame
    territories: pd.DataFrame
    events: pd.DataFrame
    summary: dict
    manifest: dict


def _tag(value: str, size: int) -> pd.Categorical:
    """A constant string column, dictionary-encoded as the model's (`sim.frames.tagged_frame`)."""
    return pd.Categorical([value] * size)


def _selected(epci: pd.DataFrame, kind: str, codes: list[str]) -> pd.DataFrame:
    """The EPCIs a real selection names (France, regions, départements, EPCIs)."""
    if kind == "france":
        return epci
    column = {"region": "region_code", "departement": "departement", "epci": "siren"}[kind]
    wanted = {c.zfill(2) if kind != "epci" else c for c in codes}
    picked = epci[epci[column].isin(wanted) | (kind == "region") & epci.region.isin(codes)]
    if picked.empty:
        raise ValueError(f"territory.codes={codes}: no EPCI of kind {kind!r} found")
    return picked


def _territories(kind: str = "synthetic", codes: tuple[str, ...] = ()) -> pd.DataFrame:
    """A real selection's EPCIs (with population), else a sample of Occitanie's that keeps
    every density class."""
    epci = pd.read_csv(EPCI_CSV, dtype={"siren": str, "departement": str, "region_code": str})
    epci = epci[epci.population > 0]
    if kind in ("france", "region", "departement", "epci"):
        picked = _selected(epci, kind, list(codes)).sort_values("siren")
    else:
        epci = epci[epci.region_code == str(REGION_CODE)].sort_values("siren")
        density = epci.population / epci.area_km2
        # Keep every density class: the densest, then evenly spread through the rest.
        picked = epci.loc[density.sort_values(ascending=False).index]
        picked = picked.iloc[np.linspace(0, len(picked) - 1, N_TERRITORIES).astype(int)]
    dens = (picked.population / picked.area_km2).to_numpy()
    return pd.DataFrame({
        "territory_code": picked.siren.to_numpy(),
        "territory_name": picked.name.to_numpy(),
        "density_class": np.select([dens > 300, dens > 60], ["dense", "intermediate"], "relaxed"),
        "archetype": np.select([dens > 300, dens > 60], ["urban", "periurban"], "rural"),
        "lon": picked.lon.to_numpy(),
        "lat": picked.lat.to_numpy(),
        "population": picked.population.to_numpy(),
    })


def _preset(name: str) -> tuple[str, tuple[str, ...]]:
    """kind and codes of a territory preset (`territory=drome`)."""
    from omegaconf import OmegaConf

    from sim.config import config_dir

    preset = OmegaConf.load(Path(config_dir()) / "territory" / f"{name}.yaml")
    return str(preset.kind), tuple(str(c) for c in preset.get("codes") or ())


def _parse(overrides: list[str]) -> tuple[int, tuple[str, ...], str, tuple[str, ...]]:
    """seed, levers, and the territory selection (kind, codes) the overrides name."""
    seed, levers, kind, codes = 0, (), "synthetic", ()
    for item in overrides:
        key, _, value = item.lstrip("+").partition("=")
        if key == "seed":
            seed = int(value)
        elif key == "policies":
            levers = tuple(sorted(v for v in value.strip("[]").split(",") if v))
        elif key == "territory":
            kind, codes = _preset(value)
        elif key == "territory.kind":
            kind = value
        elif key == "territory.codes":
            codes = tuple(c.strip(" '\"") for c in value.strip("[]").split(",") if c.strip())
    unknown = set(levers) - set(HEADLINE_LEVERS)
    if unknown:
        raise ValueError(f"unknown lever(s) {sorted(unknown)}; known: {list(HEADLINE_LEVERS)}")
    return seed, levers, kind, codes


def run(overrides: list[str]) -> SyntheticResult:
    """Synthetic run for `seed=`, `policies=[...]` and territory overrides (`territory=`,
    `territory.kind=`, `territory.codes=`: the EPCIs of that selection); others are ignored."""
    seed, levers, kind, codes = _parse(overrides)
    terr = _territories(kind, codes)
    n = len(terr)
    world = np.random.default_rng([seed, 0])
    shocks = world.normal(0.0, 0.01, size=(MONTHS, n))
    growth = np.full((MONTHS, n), 0.002) + shocks
    cost = np.zeros((MONTHS, n))
    lever_cost = {}
    for lever in levers:
        own = np.random.default_rng([seed, 1 + HEADLINE_LEVERS.index(lever)])
        boost = terr.density_class.map(GROWTH[lever]).to_numpy()
        growth += boost * (1 + own.normal(0.0, 0.2, size=(MONTHS, n)))
        monthly = np.full((MONTHS, n), COST[lever])
        cost += monthly
        lever_cost[lever] = monthly.sum(axis=1).cumsum()
    jobs = terr.population.to_numpy() / 1000 * 8 * np.cumprod(1 + growth, axis=0)
    insertion = 0.2 * jobs
    exits = 0.01 * insertion
    enterprises = jobs / 12
    months = np.arange(1, MONTHS + 1)
    panel = pd.DataFrame({
        "month": np.repeat(months, n),
        "territory_code": np.tile(terr.territory_code, MONTHS),
        "ess_jobs_total": jobs.ravel(),
        "ess_jobs_insertion": insertion.ravel(),
        "ess_enterprises": enterprises.ravel(),
        "insertion_exits_employment": exits.ravel(),
        "public_cost_eur": cost.ravel(),
    })
    panel = panel.merge(terr.drop(columns="population"), on="territory_code")
    panel["seed"] = seed
    panel["levers"] = _tag(",".join(levers), len(panel))
    total = jobs.sum(axis=1)
    ts = pd.DataFrame({
        "month": months,
        "ess_jobs_permanent": 0.7 * total,
        "ess_jobs_insertion": insertion.sum(axis=1),
        "ess_jobs_adapted": 0.1 * total,
        "ess_enterprises": enterprises.sum(axis=1),
        "ess_scaled_up": np.floor(total / 4000),
        "insertion_exits_employment": exits.sum(axis=1),
        "insertion_exits_durable": 0.5 * exits.sum(axis=1),
        "industrial_jobs": 50_000 + 0.1 * total,
        "industrial_vacancies_filled_by_insertion": 0.05 * exits.sum(axis=1),
        "ess_industry_ties": total / 100,
        "mean_rent_ess_eur_m2": 45.0 * (1 - 0.2 * ("land_trust" in levers)) + shocks.mean(axis=1),
        "public_cost_eur": cost.sum(axis=1).cumsum(),
    })
    for lever, series in lever_cost.items():
        ts[f"public_cost_{lever}_eur"] = series
    for payer in PAYERS:  # the payers' columns add up to the total, as the model's
        ts[payer_cost(payer)] = sum((series * PAYER[lever][payer]
                                     for lever, series in lever_cost.items()
                                     if payer in PAYER[lever]), np.zeros(MONTHS))
    ts["seed"] = seed
    ts["levers"] = _tag(",".join(levers), len(ts))
    events = pd.DataFrame({"month": months, "event": "synthetic_month", "seed": seed})
    summary = {k: float(v) for k, v in ts.iloc[-1].items() if k not in ("seed", "levers")}
    manifest = {"seed": seed, "levers": list(levers), "config": {"backend": "synthetic",
                                                                  "overrides": overrides}}
    return SyntheticResult(ts, panel, events, summary, manifest)
