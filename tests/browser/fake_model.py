"""A stand-in for the ESS model, honouring the dashboard's contract (see sim/dashboard/adapter.py).

It let the dashboard and its browser tests be written before the real model existed, and still
gives a fast model when a test is about the page rather than the economics
(ESS_DASHBOARD_BUILDER=fake_model:build_model). Its numbers are plausible, not meaningful.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[2] / "sim" / "territories" / "data"
DENSITY = ("metropolis", "city", "town", "rural")


@dataclass
class Territories:
    codes: np.ndarray
    names: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    density_class: np.ndarray
    edges: np.ndarray


def classroom() -> Territories:
    """Twelve synthetic territories on a 4x3 grid, densest in the middle."""
    ix, iy = np.meshgrid(np.arange(4), np.arange(3))
    ix, iy = ix.ravel(), iy.ravel()
    ring = np.minimum(np.abs(ix - 1.5).round().astype(int) + np.abs(iy - 1), 3)
    edges = [
        (a, b)
        for a in range(12)
        for b in range(a + 1, 12)
        if abs(ix[a] - ix[b]) + abs(iy[a] - iy[b]) == 1
    ]
    return Territories(
        codes=np.array([f"T{i:02d}" for i in range(12)]),
        names=np.array([f"{DENSITY[r].title()} {i}" for i, r in enumerate(ring)]),
        lon=ix.astype(float),
        lat=iy.astype(float),
        density_class=np.array([DENSITY[r] for r in ring]),
        edges=np.array(edges),
    )


def region(code: str) -> Territories:
    epci = pd.read_csv(DATA / "epci_france.csv", dtype={"siren": str, "region_code": str})
    epci = epci[epci.region_code == code].reset_index(drop=True)
    adj = pd.read_csv(DATA / "epci_adjacency.csv", dtype={"siren_a": str, "siren_b": str})
    index = {s: i for i, s in enumerate(epci.siren)}
    adj = adj[adj.siren_a.isin(index) & adj.siren_b.isin(index)]
    density = epci.population / epci.area_km2
    cls = np.select([density > 1000, density > 300, density > 80], DENSITY[:3], DENSITY[3])
    return Territories(
        codes=epci.siren.to_numpy(),
        names=epci.name.to_numpy(),
        lon=epci.lon.to_numpy(),
        lat=epci.lat.to_numpy(),
        density_class=cls,
        edges=np.column_stack([adj.siren_a.map(index), adj.siren_b.map(index)]).astype(int),
    )


class FakeModel:
    def __init__(self, territories: Territories, seed: int, levers: dict[str, float]):
        self.territories, self.levers = territories, levers
        self.rng = np.random.default_rng(seed)
        self.month, self.running, self.horizon = 0, True, 120
        n = len(territories.codes)
        dense = np.array([3 - DENSITY.index(d) for d in territories.density_class])
        self.ent = self.rng.poisson(8 + 6 * dense, n).astype(float)
        self.jobs = np.column_stack([self.ent * 9, self.ent * 2, self.ent]).astype(float)
        self.scaled, self.exits, self.ties = np.zeros(n), np.zeros(n), self.rng.poisson(2, n) * 1.0
        self.cost, self.dense = np.zeros(n), dense
        self._series, self._panel = [], []
        self._collect()

    def _lever(self, name: str) -> float:
        return self.levers.get(name, 0.0)

    def step(self) -> None:
        self.month += 1
        n = len(self.ent)
        premises = 1 + self._lever("land_trust") * 0.4 * self.dense + self._lever("brownfields")
        growth = 0.002 * premises + 0.003 * self._lever("impact_finance")
        self.ent += self.rng.poisson(np.maximum(self.ent * growth, 0.01)) - self.rng.binomial(
            self.ent.astype(int), 0.002
        )
        demand = 1 + self._lever("reserved_markets") + 0.1 * self._lever("impact_vat")
        self.jobs[:, 0] += self.rng.normal(0.02 * demand, 0.05, n) * self.ent
        self.jobs[:, 1] += self.rng.normal(0.03 * demand, 0.05, n) * self.ent
        self.jobs[:, 2] += self.rng.normal(0.01, 0.02, n) * self.ent
        self.jobs = np.maximum(self.jobs, 0)
        self.scaled += self.rng.binomial(1, 0.01 * (1 + self._lever("impact_finance")), n)
        self.exits = self.rng.binomial(self.jobs[:, 1].astype(int), 0.02)
        link = self._lever("matchmaking") + self._lever("industrial_cooperation")
        self.ties += self.rng.poisson(0.05 * (1 + 4 * link), n)
        self.cost = 800.0 * self.ent * sum(self.levers.values()) + 50 * self.jobs[:, 1]
        self.running = self.month < self.horizon
        self._collect()

    def _collect(self) -> None:
        t = self.territories
        panel = pd.DataFrame(
            {
                "month": self.month,
                "territory_code": t.codes,
                "lon": t.lon,
                "lat": t.lat,
                "density_class": t.density_class,
                "ess_jobs_permanent": self.jobs[:, 0].round(),
                "ess_jobs_insertion": self.jobs[:, 1].round(),
                "ess_jobs_adapted": self.jobs[:, 2].round(),
                "ess_enterprises": self.ent,
                "ess_scaled_up": self.scaled,
                "insertion_exits_employment": self.exits,
                "public_cost_eur": self.cost,
                "ess_industry_ties": self.ties,
            }
        )
        self._panel.append(panel)
        row = panel.drop(columns=["territory_code", "lon", "lat", "density_class"]).sum()
        row["month"] = self.month
        self._series.append(row)

    def timeseries_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self._series).reset_index(drop=True)

    def territory_frame(self) -> pd.DataFrame:
        return pd.concat(self._panel, ignore_index=True)

    def ties_frame(self) -> pd.DataFrame:
        n = int(self.ties.sum())
        rng = np.random.default_rng(self.month)
        return pd.DataFrame(
            {
                "firm": [f"firm-{i}" for i in rng.integers(0, max(n // 2, 1), n)],
                "enterprise": [f"ess-{i}" for i in rng.integers(0, int(self.ent.sum()), n)],
                "kind": rng.choice(["supplier", "subcontractor", "feedstock"], n),
                "trust": rng.uniform(0.1, 1.0, n).round(2),
            }
        )

    def enterprise_snapshot(self, i: int) -> dict:
        if not 0 <= i < int(self.ent.sum()):
            raise IndexError(i)
        where = int(np.searchsorted(np.cumsum(self.ent), i, side="right"))
        return {
            "id": f"ess-{i}",
            "territory": str(self.territories.names[where]),
            "form": ("SCOP", "SIAE", "EA", "association")[i % 4],
            "jobs": 5 + i % 17,
        }


def build_model(overrides: list[str]) -> FakeModel:
    """Parse the overrides the dashboard sends, as Hydra would for the real model."""
    kv = dict(o.split("=", 1) for o in overrides)
    names = [n for n in kv.get("policies", "[]").strip("[]").split(",") if n]
    levers = {n: float(kv.get(f"policies.{n}.intensity", 1.0)) for n in names}
    terr = classroom() if kv["territory"] == "classroom" else region(kv["territory.region_code"])
    return FakeModel(terr, int(kv.get("seed", 0)), levers)
