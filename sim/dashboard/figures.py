"""The dashboard's charts: time series drawn in the browser, map and ties with matplotlib.

Both work offline. ECharts comes from the `solara-assets` cache the local server answers from;
Solara's Altair and Markdown components are not used since vega and KaTeX are missing from that
cache. Time series are redrawn every month of play, so the browser draws them: a matplotlib
rendering of six panels cost the server about a second per month and session. The map and the
ties view are PNG images built with `matplotlib.figure.Figure`, never pyplot, whose global state
is not safe across the sessions the server renders in parallel threads; their layouts are placed
by hand, since matplotlib's layout engines tripled the drawing time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import PowerNorm
from matplotlib.figure import Figure

from sim.dashboard.i18n import map_label, output_label, t

JOB_COLUMNS = ("ess_jobs_permanent", "ess_jobs_insertion", "ess_jobs_adapted")
PANELS = (
    ("jobs", JOB_COLUMNS),
    ("ess_enterprises", ("ess_enterprises",)),
    ("ess_scaled_up", ("ess_scaled_up",)),
    ("insertion_exits_employment", ("insertion_exits_employment",)),
    ("public_cost_eur", ("public_cost_eur",)),
    ("ess_industry_ties", ("ess_industry_ties",)),
)
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c")
CMAP = colormaps["viridis"].with_extremes(bad="0.85")  # grey: no value yet (before month 1)


def _points(frame: pd.DataFrame, column: str) -> list[list[float]]:
    return frame[["month", column]].astype(float).to_numpy().tolist()


def timeseries_option(ts: pd.DataFrame, base: pd.DataFrame | None, lang: str) -> dict:
    """ECharts option: six small multiples over months, the run without levers dashed.

    Drawn in the browser, so that a month of play costs the server a few kilobytes of JSON
    rather than a matplotlib rendering.
    """
    grids, titles, xs, ys, series = [], [], [], [], []
    for i, (key, columns) in enumerate(PANELS):
        left, top = 4 + 33 * (i % 3), 12 + 46 * (i // 3)
        grids.append(
            {
                "left": f"{left}%",
                "top": f"{top}%",
                "width": "26%",
                "height": "29%",
                "containLabel": True,
            }
        )
        title = t(lang, key) if key == "jobs" else output_label(lang, key)
        titles.append(
            {"text": title, "left": f"{left}%", "top": f"{top - 7}%", "textStyle": {"fontSize": 12}}
        )
        xs.append({"type": "value", "gridIndex": i, "min": 0, "max": "dataMax"})
        ys.append({"type": "value", "gridIndex": i, "scale": True})
        for j, column in enumerate(c for c in columns if c in ts):
            name = output_label(lang, column) if len(columns) > 1 else t(lang, "with_levers")
            runs = [(ts, name, "solid")]
            if base is not None and column in base:
                runs.append((base, f"{name} ({t(lang, 'without_levers')})", "dashed"))
            for frame, label, style in runs:
                series.append(
                    {
                        "type": "line",
                        "name": label,
                        "data": _points(frame, column),
                        "xAxisIndex": i,
                        "yAxisIndex": i,
                        "showSymbol": False,
                        "color": COLORS[j],
                        "lineStyle": {"type": style},
                    }
                )
    return {
        "animation": False,
        "title": titles,
        "grid": grids,
        "xAxis": xs,
        "yAxis": ys,
        "series": series,
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "type": "scroll"},
    }


def _values(territories, panel: pd.DataFrame, output: str) -> np.ndarray:
    if output not in panel:
        return np.full(len(territories.codes), np.nan)
    by_code = panel.set_index(panel["territory_code"].astype(str))[output]
    return by_code.reindex(np.asarray(territories.codes).astype(str)).to_numpy(float)


def map_figure(
    territories, panels: list[tuple[str, pd.DataFrame]], output: str, lang: str
) -> Figure:
    """Territories as points at their lon/lat, adjacency as lines, coloured by `output`.

    `panels` holds (title, territory frame of one month); several panels share one colour scale
    so that the run with levers and the run without compare at a glance.
    """
    lon, lat = np.asarray(territories.lon, float), np.asarray(territories.lat, float)
    edges = np.asarray(territories.edges, int).reshape(-1, 2)
    values = [_values(territories, panel, output) for _, panel in panels]
    finite = np.concatenate([v[np.isfinite(v)] for v in values])
    vmin = min(finite.min(), 0) if finite.size else 0
    vmax = max(finite.max(), vmin + 1e-9) if finite.size else 1
    fig = Figure(figsize=(5 * len(panels) + 1, 4.6))
    fig.subplots_adjust(left=0.02, right=0.86, top=0.93, bottom=0.03, wspace=0.05)
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    for ax, (title, _), vals in zip(axes, panels, values, strict=True):
        segments = np.stack(
            [np.column_stack([lon[edges[:, k]], lat[edges[:, k]]]) for k in (0, 1)], axis=1
        )
        ax.add_collection(LineCollection(segments, colors="0.75", linewidths=0.6, zorder=1))
        dots = ax.scatter(
            lon,
            lat,
            c=vals,
            cmap=CMAP,
            # Square-root scale: a metropolis would otherwise leave every other territory dark.
            norm=PowerNorm(0.5, vmin=vmin, vmax=vmax),
            s=36,
            edgecolors="0.2",
            linewidths=0.4,
            zorder=2,
        )
        ax.set_title(title, fontsize=10)
        ax.set_aspect(1 / np.cos(np.deg2rad(np.nanmean(lat))) if np.nanmax(np.abs(lat)) > 5 else 1)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(dots, cax=fig.add_axes((0.89, 0.1, 0.02, 0.8)), label=map_label(lang, output))
    return fig


def ties_figure(territories, ties: pd.DataFrame, lang: str) -> Figure:
    """Where ESS–industry ties run, and how much trust they carry.

    Left, a map: a line joins the territory of a firm and that of its ESS supplier, wider with
    more ties, darker with more trust; a ring marks ties within one territory. Right, the
    distribution of trust by kind of tie: brake 1 (firms buy only from suppliers they know) shows
    as few ties, many of them young and fragile.
    """
    fig = Figure(figsize=(10, 4.2))
    fig.subplots_adjust(left=0.02, right=0.98, top=0.9, bottom=0.14, wspace=0.15)
    ax, hist = fig.subplots(1, 2, width_ratios=[1.3, 1])
    ax.set_title(t(lang, "ties"), fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    lon, lat = np.asarray(territories.lon, float), np.asarray(territories.lat, float)
    ax.scatter(lon, lat, s=8, color="0.6", zorder=1)
    hist.set_title(t(lang, "trust"), fontsize=10)
    if ties.empty:
        ax.text(0.5, 0.5, t(lang, "no_ties"), ha="center", va="center", transform=ax.transAxes)
        return fig
    index = {str(code): i for i, code in enumerate(territories.codes)}
    pairs = (
        ties.assign(
            a=ties["firm_territory"].astype(str).map(index),
            b=ties["enterprise_territory"].astype(str).map(index),
        )
        .groupby(["a", "b"])["trust"]
        .agg(["size", "mean"])
        .reset_index()
    )
    width = 0.5 + 4 * pairs["size"] / pairs["size"].max()
    shade = colormaps["Blues"](0.35 + 0.65 * pairs["mean"].clip(0, 1))
    local = pairs["a"] == pairs["b"]
    ends = pairs.loc[~local, ["a", "b"]].to_numpy(int)
    segments = np.stack([np.column_stack([lon[ends[:, k]], lat[ends[:, k]]]) for k in (0, 1)], 1)
    ax.add_collection(LineCollection(segments, linewidths=width[~local], colors=shade[~local]))
    ax.scatter(
        lon[pairs.loc[local, "a"]],
        lat[pairs.loc[local, "a"]],
        s=20 * width[local] ** 2,
        facecolors="none",
        edgecolors=shade[local],
        linewidths=1.5,
        zorder=2,
    )
    ax.set_aspect(1 / np.cos(np.deg2rad(np.nanmean(lat))))
    kinds = sorted(ties["kind"].astype(str).unique())
    hist.hist(
        [ties.loc[ties["kind"].astype(str) == k, "trust"] for k in kinds],
        bins=np.linspace(0, 1, 11),
        stacked=True,
        label=[f"{k} ({(ties['kind'].astype(str) == k).sum()})" for k in kinds],
    )
    hist.set_xlabel(t(lang, "trust"), fontsize=8)
    hist.tick_params(labelsize=8)
    hist.legend(fontsize=7, loc="upper left")
    return fig
