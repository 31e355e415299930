"""Figures of the lever-comparison report (matplotlib, Agg: no display, same bytes everywhere).

Each figure is saved as PNG and SVG under the report's `figures/<lang>/` and embedded in the
HTML as base64 PNG, so the report is one file that opens offline. Ticks are written as the
report's text is (`texts.number`, `texts.money`: French separators in French, no offset or
scientific notation), every value axis names its unit, and legends sit outside the plot.
"""

import base64
import io
import math
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import TwoSlopeNorm
from matplotlib.ticker import FuncFormatter
from scipy import stats
from scipy.spatial import ConvexHull, Voronoi
from scipy.spatial.distance import cdist

from sim.experiments import texts
from sim.experiments.report_places import short_epci_name
from sim.experiments.stats import LEVEL

plt.rcParams.update({"svg.hashsalt": "ess-sim", "figure.dpi": 100, "font.size": 9,
                     "axes.formatter.useoffset": False})
EPCI_CSV = Path(__file__).resolve().parents[1] / "territories" / "data" / "epci_france.csv"
# Metropolitan France (overseas EPCIs would stretch a national map to the Indian Ocean).
METROPOLE = {"lon": (-5.5, 10.0), "lat": (41.0, 51.5)}
# A cell reaches at most this many "radii" (√(area/π)) from its centre: keeps the cells of
# coastal and border EPCIs from running out to the hull of all centres.
CELL_REACH = 1.8
# Synthetic territories: a cell reaches this many times the largest nearest-neighbour gap
# (past the bisector at 0.5, so that neighbouring cells meet).
SYNTHETIC_REACH = 0.75
PLACE_NAMES = 4
SERIES_MONEY = {"public_cost_eur"}


def drawn(draw: Callable, args: tuple, directory: Path, name: str) -> str:
    """``save(draw(*args), directory, name)``: what a process drawing a report's figures runs
    (``sim.experiments.report.FigurePool``)."""
    return save(draw(*args), directory, name)


def save(fig, directory: Path, name: str) -> str:
    """Write `name`.png and `name`.svg, close the figure, return the PNG as base64."""
    directory.mkdir(parents=True, exist_ok=True)
    fig.savefig(directory / f"{name}.svg", metadata={"Date": None}, bbox_inches="tight")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
    (directory / f"{name}.png").write_bytes(buf.getvalue())
    return base64.b64encode(buf.getvalue()).decode("ascii")


def format_axis(axis, lang: str, money: bool = False) -> None:
    """Ticks written as in the report's text: "1 500", "2,5 M€" in French; "1,500", "€2.5m"."""
    fmt = texts.money if money else texts.number
    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt(v, lang, digits=6)))


def _bands(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """Mean and 95 % t interval of `value` across seeds, month by month."""
    g = frame.groupby("month")[value].agg(["mean", "std", "count"]).reset_index()
    half = stats.t.ppf(0.5 + LEVEL / 2, (g["count"] - 1).clip(lower=1)) * g["std"] / np.sqrt(
        g["count"])
    return g.assign(low=g["mean"] - half, high=g["mean"] + half)


def series(series: pd.DataFrame, key: str, arms: list[str], baseline: str | None, lang: str):
    """Level by arm, and paired difference to baseline, month by month with 95 % bands."""
    ncols = 2 if baseline else 1
    fig, axes = plt.subplots(1, ncols, figsize=(5.2 * ncols, 3.6), squeeze=False,
                             layout="constrained")
    colours = plt.get_cmap("tab10")
    base = series[series.arm == baseline].set_index(["seed", "month"])[key] if baseline else None
    for i, arm in enumerate(arms):
        own = series[series.arm == arm]
        b = _bands(own, key)
        ax = axes[0, 0]
        ax.plot(b.month, b["mean"], color=colours(i), label=texts.arm_label(arm, lang))
        ax.fill_between(b.month, b.low, b.high, color=colours(i), alpha=0.1, linewidth=0)
        if base is not None and arm != baseline:
            diff = own.set_index(["seed", "month"])[key].sub(base).dropna().rename("d")
            d = _bands(diff.reset_index(), "d")
            axes[0, 1].plot(d.month, d["mean"], color=colours(i))
            axes[0, 1].fill_between(d.month, d.low, d.high, color=colours(i), alpha=0.2,
                                    linewidth=0)
    unit = texts.unit(key, lang)
    axes[0, 0].set_title(texts.t(texts.WORDS, "level", lang))
    axes[0, 0].set_ylabel(unit)
    if baseline:
        axes[0, 1].axhline(0, color="grey", linewidth=0.8)
        axes[0, 1].set_title(texts.t(texts.WORDS, "difference", lang))
        axes[0, 1].set_ylabel(unit)
    for ax in axes[0]:
        ax.set_xlabel(texts.t(texts.WORDS, "month", lang))
        format_axis(ax.yaxis, lang, money=key in SERIES_MONEY)
        format_axis(ax.xaxis, lang)
    fig.legend(loc="outside lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle(texts.t(texts.OUTCOMES, key, lang).split(" (")[0])
    return fig


def forest(effects: pd.DataFrame, outcome: str, lang: str):
    """Paired effect with 95 % CI for each arm on one outcome."""
    rows = effects[(effects.outcome == outcome) & effects["diff"].notna()]
    fig, ax = plt.subplots(figsize=(6, 0.9 + 0.4 * max(len(rows), 1)), layout="constrained")
    y = np.arange(len(rows))[::-1]
    ax.errorbar(rows["diff"], y, xerr=[rows["diff"] - rows.diff_low, rows.diff_high - rows["diff"]],
                fmt="o", color="tab:blue", capsize=3)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks(y, [texts.arm_label(a, lang) for a in rows.arm])
    ax.set_xlabel(texts.t(texts.WORDS, "difference", lang) + " — "
                  + texts.t(texts.OUTCOMES, outcome, lang))
    format_axis(ax.xaxis, lang, money=outcome == "public_cost_eur")
    return fig


def cost_effectiveness(table: pd.DataFrame, lang: str):
    """Cost per net job-year with Fieller 95 % CI; unbounded intervals drawn as arrows."""
    rows = table[table.cost_per_job_year.notna()]
    fig, ax = plt.subplots(figsize=(6, 0.9 + 0.45 * max(len(rows), 1)), layout="constrained")
    y = np.arange(len(rows))[::-1]
    for yi, (_, r) in zip(y, rows.iterrows(), strict=True):
        if math.isinf(r.low) or math.isinf(r.high):
            ax.plot(r.cost_per_job_year, yi, "o", color="tab:red")
            ax.annotate(texts.t(texts.WORDS, "unbounded", lang), (r.cost_per_job_year, yi),
                        textcoords="offset points", xytext=(6, 4), fontsize=7, color="tab:red")
        else:
            ax.errorbar(r.cost_per_job_year, yi, xerr=[[r.cost_per_job_year - r.low],
                        [r.high - r.cost_per_job_year]], fmt="o", color="tab:blue", capsize=3)
    ax.set_yticks(y, [texts.arm_label(a, lang) for a in rows.arm])
    ax.set_xlabel(texts.t(texts.WORDS, "eur_per_job_year_axis", lang))
    format_axis(ax.xaxis, lang, money=True)
    ax.axvline(0, color="grey", linewidth=0.8)
    return fig


def _clip(polygon: np.ndarray, hull: np.ndarray) -> np.ndarray:
    """Sutherland–Hodgman: `polygon` clipped to the convex, counter-clockwise `hull`."""
    out = polygon
    for a, b in zip(hull, np.roll(hull, -1, axis=0), strict=True):
        if len(out) == 0:
            break
        edge = b - a
        inside = edge[0] * (out[:, 1] - a[1]) - edge[1] * (out[:, 0] - a[0]) >= 0
        kept = []
        for i in range(len(out)):
            p, q = out[i], out[(i + 1) % len(out)]
            if inside[i]:
                kept.append(p)
            if inside[i] != inside[(i + 1) % len(out)]:
                d = q - p
                denom = edge[0] * d[1] - edge[1] * d[0]
                s = (edge[1] * (p[0] - a[0]) - edge[0] * (p[1] - a[1])) / denom
                kept.append(p + s * d)
        out = np.array(kept)
    return out


def _disc(centre: np.ndarray, radius: float, sides: int = 24) -> np.ndarray:
    angle = np.linspace(0, 2 * np.pi, sides, endpoint=False)
    return centre + radius * np.column_stack([np.cos(angle), np.sin(angle)])


class Tessellation:
    """Voronoi cells of EPCI centres, on a plane where one unit is one km.

    With the EPCIs of France known (`epci_france.csv`), cells come from every metropolitan EPCI
    (so a region's cells meet its neighbours' as on a real map), each clipped to a disc of
    `CELL_REACH` radii of its own area; region outlines are the cell edges between regions.
    Otherwise (synthetic territories) the cells of the territories given, each clipped to a
    disc that reaches past the bisector with its nearest neighbour (`SYNTHETIC_REACH`).
    """

    def __init__(self, meta: pd.DataFrame):
        codes = meta.territory_code.astype(str)
        epci = pd.read_csv(EPCI_CSV, dtype={"siren": str})
        # real EPCIs (overseas ones included in a national run) are drawn on the metropolitan
        # tessellation; overseas cells are left out of the map
        self.national = bool(len(codes)) and codes.isin(epci.siren).all()
        epci = epci[epci.lon.between(*METROPOLE["lon"]) & epci.lat.between(*METROPOLE["lat"])]
        if self.national:
            points = epci.set_index("siren")
            self.region = points.region_code.to_numpy()
            self.population = points.population
            radius = np.sqrt(points.area_km2.to_numpy() / np.pi) * CELL_REACH
        else:
            points = meta.set_index(codes)
            self.region = np.zeros(len(points), dtype=int)
            self.population = pd.Series(dtype=float)
            radius = None
        self.codes = list(points.index)
        lat0 = math.radians(float(points.lat.mean()))
        self.xy = np.column_stack([points.lon * 111.3 * math.cos(lat0), points.lat * 111.3])
        span = np.ptp(self.xy, axis=0).max() * 10 + 1
        centre = self.xy.mean(axis=0)
        far = centre + span * np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]])
        self.vor = Voronoi(np.vstack([self.xy, far]))
        if radius is None:
            gaps = cdist(self.xy, self.xy)
            np.fill_diagonal(gaps, np.inf)
            reach = gaps.min(axis=1).max() if len(self.xy) > 1 else 10.0
            radius = np.full(len(self.xy), SYNTHETIC_REACH * reach)
        hull = (self.xy[ConvexHull(self.xy).vertices] if self.national and len(self.xy) > 2
                else None)
        self.cells = []
        drawn = set(codes)  # only the selection's cells are drawn: clip those alone
        for i, code in enumerate(self.codes):
            if code not in drawn:
                self.cells.append(np.empty((0, 2)))
                continue
            cell = self.vor.vertices[self.vor.regions[self.vor.point_region[i]]]
            if hull is not None:
                cell = _clip(cell, hull)
            cell = _clip(cell, _disc(self.xy[i], radius[i]))
            self.cells.append(cell)
        self.radius = radius

    def region_edges(self, shown: set[int]) -> np.ndarray:
        """Segments between cells of different regions, one of them shown; a ridge that runs
        beyond both cells' discs (out to sea, past the border) is not drawn."""
        segments = []
        n = len(self.xy)
        for (i, j), ridge in zip(self.vor.ridge_points, self.vor.ridge_vertices, strict=True):
            if (i < n and j < n and -1 not in ridge and self.region[i] != self.region[j]
                    and (i in shown or j in shown)):
                ends = self.vor.vertices[ridge]
                reach = max(self.radius[i], self.radius[j])
                if np.linalg.norm(ends - self.xy[i], axis=1).max() <= reach:
                    segments.append(ends)
        return np.array(segments)


def effect_map(data: pd.DataFrame, meta: pd.DataFrame, arms: list[str], lang: str):
    """One panel per arm: EPCI cells coloured by the mean paired effect on final ESS jobs.

    The colour scale is symmetric and capped at the 95th percentile of |effect| (one outlier
    would otherwise leave every other cell white); values beyond take the end colour.
    """
    tess = Tessellation(meta)
    index = {code: i for i, code in enumerate(tess.codes)}
    n = len(arms)
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.8 * ncols, 3.6 * nrows), squeeze=False,
                             layout="constrained")
    effects = data.effect.to_numpy(dtype=float)
    bound = float(np.nanpercentile(np.abs(effects), 95)) if len(data) else 1.0
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-(bound or 1.0), vmax=bound or 1.0)
    shown = [index[c] for c in meta.territory_code.astype(str) if c in index]
    corners = np.vstack([tess.cells[i] for i in shown if len(tess.cells[i])] or [tess.xy])
    lo, hi = corners.min(axis=0), corners.max(axis=0)
    margin = 0.03 * (hi - lo).max() + 1
    edges = tess.region_edges(set(shown)) if tess.national else np.empty((0, 2, 2))
    names = (meta.assign(pop=meta.territory_code.astype(str).map(tess.population))
             .dropna(subset=["pop"]).nlargest(PLACE_NAMES, "pop"))
    mappable = None
    for ax, arm in zip(axes.flat, arms, strict=False):
        d = data[data.arm == arm]
        rows = [(index[c], e) for c, e in zip(d.territory_code.astype(str), d.effect,
                                              strict=True) if c in index]
        cells = [tess.cells[i] for i, _ in rows]
        mappable = PolyCollection(cells, array=np.array([e for _, e in rows]), cmap="RdBu",
                                  norm=norm, edgecolors="#999", linewidths=0.2)
        ax.add_collection(mappable)
        if len(edges):
            ax.add_collection(LineCollection(edges, colors="#333", linewidths=0.8))
        for r in names.itertuples():
            x, y = tess.xy[index[str(r.territory_code)]]
            ax.plot(x, y, ".", color="black", markersize=3)
            ax.annotate(short_epci_name(r.territory_name), (x, y), xytext=(3, 2),
                        textcoords="offset points", fontsize=6)
        ax.set_xlim(lo[0] - margin, hi[0] + margin)
        ax.set_ylim(lo[1] - margin, hi[1] + margin)
        ax.set_aspect("equal")
        ax.set_title(texts.arm_label(arm, lang), fontsize=8)
        ax.set_axis_off()
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    if mappable is not None:
        bar = fig.colorbar(mappable, ax=axes, shrink=0.8, extend="both",
                           label=texts.t(texts.WORDS, "map_colour", lang))
        format_axis(bar.ax.yaxis, lang)
    return fig


def estimates(table: pd.DataFrame, label_col: str, xlabel: str, lang: str):
    """Horizontal bars of estimates with 95 % CI (factorial terms, sensitivity indices)."""
    fig, ax = plt.subplots(figsize=(6, 0.9 + 0.4 * max(len(table), 1)), layout="constrained")
    y = np.arange(len(table))[::-1]
    ax.barh(y, table.estimate, color="tab:blue", alpha=0.6)
    ax.errorbar(table.estimate, y, xerr=[table.estimate - table.low, table.high - table.estimate],
                fmt="none", color="black", capsize=3)
    ax.set_yticks(y, table[label_col])
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_xlabel(xlabel)
    format_axis(ax.xaxis, lang)
    return fig


def dose_response(table: pd.DataFrame, ylabel: str, lang: str):
    """Paired effect against the lever's dose, with 95 % CI bars."""
    fig, ax = plt.subplots(figsize=(5, 3.4), layout="constrained")
    ax.errorbar(table.dose, table["diff"], yerr=[table["diff"] - table.diff_low,
                table.diff_high - table["diff"]], fmt="o-", capsize=3)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xlabel(texts.t(texts.WORDS, "dose_axis", lang))
    ax.set_ylabel(ylabel)
    format_axis(ax.xaxis, lang)
    format_axis(ax.yaxis, lang)
    return fig


def group_effects(table: pd.DataFrame, arms: list[str], lang: str, xlabel: str):
    """Relative effect (per cent) with 95 % CI of each lever in each group (region,
    département or EPCI), levers side by side within a group's row."""
    groups = list(dict.fromkeys(table.group_name))
    fig, ax = plt.subplots(figsize=(6.5, 1.2 + 0.32 * len(groups) * max(1, len(arms)) ** 0.5),
                           layout="constrained")
    colours = plt.get_cmap("tab10")
    step = 0.7 / max(len(arms), 1)
    y0 = np.arange(len(groups))[::-1]
    for i, arm in enumerate(arms):
        rows = table[table.arm == arm].set_index("group_name").reindex(groups)
        y = y0 + 0.35 - step * (i + 0.5)
        value = 100 * rows.relative.to_numpy(dtype=float)
        low = 100 * rows.relative_low.to_numpy(dtype=float)
        high = 100 * rows.relative_high.to_numpy(dtype=float)
        ax.errorbar(value, y, xerr=[value - low, high - value], fmt="o", markersize=3,
                    capsize=2, color=colours(i), label=texts.arm_label(arm, lang))
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks(y0, groups)
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _: texts.percent_number(v, lang, digits=6)))
    fig.legend(loc="outside lower center", ncol=3, fontsize=8, frameon=False)
    return fig
