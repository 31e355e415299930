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
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from sim.dashboard.i18n import output_label, t

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
        grids.append({"left": f"{left}%", "top": f"{top}%", "width": "26%", "height": "29%"})
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
    vmin, vmax = (finite.min(), max(finite.max(), finite.min() + 1e-9)) if finite.size else (0, 1)
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
            cmap="viridis",
            vmin=vmin,
            vmax=vmax,
            s=36,
            edgecolors="0.2",
            linewidths=0.4,
            zorder=2,
        )
        ax.set_title(title, fontsize=10)
        ax.set_aspect(1 / np.cos(np.deg2rad(np.nanmean(lat))) if np.nanmax(np.abs(lat)) > 5 else 1)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(dots, cax=fig.add_axes((0.89, 0.1, 0.02, 0.8)), label=output_label(lang, output))
    return fig


def ties_figure(ties: pd.DataFrame, lang: str, limit: int = 60) -> Figure:
    """Firms (left) and ESS enterprises (right) joined by their strongest ties.

    Line colour is the kind of tie, opacity its trust: the picture shows whether a few firms
    concentrate the links, which is what brake 1 (firms buy only from suppliers they know) predicts.
    """
    fig = Figure(figsize=(5.5, 4.6))
    fig.subplots_adjust(left=0.05, right=0.95, top=0.88, bottom=0.12)
    ax = fig.subplots()
    ax.set_title(t(lang, "ties"), fontsize=10)
    ax.axis("off")
    if ties.empty:
        ax.text(0.5, 0.5, t(lang, "no_ties"), ha="center", va="center")
        return fig
    top = ties.assign(
        firm=ties["firm"].astype(str),
        enterprise=ties["enterprise"].astype(str),
        kind=ties["kind"].astype(str),
    ).nlargest(limit, "trust")
    firms = sorted(top["firm"].unique())
    y_firm = dict(zip(firms, np.linspace(1, 0, len(firms)) if len(firms) > 1 else [0.5]))
    # Enterprises in the order of the firms they serve, so that lines cross as little as possible.
    ents = top.assign(y=top["firm"].map(y_firm)).groupby("enterprise")["y"].mean().sort_values()
    y_ent = dict(zip(ents.index[::-1], np.linspace(1, 0, len(ents)) if len(ents) > 1 else [0.5]))
    counts = ties["kind"].astype(str).value_counts()
    for k, (kind, rows) in enumerate(top.groupby("kind")):
        segments = [
            [(0, y_firm[f]), (1, y_ent[e])] for f, e in zip(rows["firm"], rows["enterprise"])
        ]
        colors = [(*to_rgb(f"C{k}"), a) for a in np.clip(rows["trust"].to_numpy(float), 0.15, 1)]
        ax.add_collection(LineCollection(segments, colors=colors, linewidths=1.2))
        ax.plot([], [], color=f"C{k}", label=f"{kind} ({counts[kind]})")
    ax.scatter(np.zeros(len(firms)), list(y_firm.values()), color="0.2", s=14, zorder=3)
    ax.scatter(np.ones(len(ents)), list(y_ent.values()), color="tab:green", s=14, zorder=3)
    ax.text(0, 1.06, t(lang, "industry"), ha="center", fontsize=9)
    ax.text(1, 1.06, "ESS", ha="center", fontsize=9)
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, -0.12), ncol=3)
    return fig
