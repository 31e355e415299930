"""The dashboard's charts, as ECharts options drawn in the browser (`chart.vue`).

Every view is a few kilobytes of JSON per month; the server draws nothing. The map and the ties
view used to be matplotlib PNGs: 0.4 s each per redraw on the classroom territories, most of a
month's server time. ECharts comes from the `solara-assets` cache, so the page stays offline.

Months on the x axis count months simulated: the row the model records at the end of its first
month (``month`` 0 in its tables) is drawn at 1, as the month counter above the charts says.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from sim.dashboard.i18n import map_label, output_label, t

JOB_COLUMNS = ("ess_jobs_permanent", "ess_jobs_insertion", "ess_jobs_adapted")


# key -> (columns, unit key, divisor for the unit)
PANELS = {
    "jobs": (JOB_COLUMNS, "unit_jobs", 1),
    "ess_enterprises": (("ess_enterprises",), "unit_enterprises", 1),
    "ess_scaled_up": (("ess_scaled_up",), "unit_enterprises", 1),
    "insertion_exits_employment": (("insertion_exits_employment",), "unit_people", 1),
    "public_cost_eur": (("public_cost_eur",), "unit_meur", 1e6),
    "ess_industry_ties": (("ess_industry_ties",), "unit_ties", 1),
}
COLORS = ("#0072b2", "#d55e00", "#009e73")  # Okabe-Ito: told apart with any colour vision
VIRIDIS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]
# ColorBrewer PuOr, colour-blind safe: orange where the levers lose, purple where they gain.
DIVERGING = ["#b35806", "#f1a340", "#fee0b6", "#f7f7f7", "#d8daeb", "#998ec3", "#542788"]
TEXT_COLOR = "#212121"  # 16:1 on white


def panel_title(key: str, lang: str) -> str:
    """The chart's title; its unit is on the y axis (M€ for costs), not repeated here."""
    return t(lang, key) if key == "jobs" else output_label(lang, key).removesuffix(" (€)")


def run_label(lang: str, has_levers: bool, baseline: bool) -> str:
    """'with levers' for the run with levers, 'without levers' for its twin or a run with none."""
    return t(lang, "without_levers") if baseline or not has_levers else t(lang, "with_levers")


class _Points:
    """A frame's columns as chart points ``[month + 1, value / divisor]``, each column read once.

    Reading a column out of the frame (pandas) was most of the cost of the charts' options,
    rebuilt once a second while a page plays: the month column was read again for every series
    (sixteen reads for the six charts where nine are needed per run)."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self._months: np.ndarray | None = None
        self._done: dict[tuple[str, float], list[list[float]]] = {}

    def __call__(self, column: str, divisor: float) -> list[list[float]]:
        key = (column, divisor)
        if key not in self._done:
            if self._months is None:
                self._months = self.frame["month"].to_numpy(float) + 1
            values = self.frame[column].to_numpy(float) / divisor
            self._done[key] = np.column_stack([self._months, values]).tolist()
        return self._done[key]


def panel_option(
    key: str,
    ts: pd.DataFrame,
    base: pd.DataFrame | None,
    lang: str,
    *,
    has_levers: bool,
    font_px: int = 13,
) -> dict:
    """One chart: the run (solid) and, side by side, its twin without levers (dashed).

    The legend names what each line is: with several columns (jobs) the column and the run,
    else the run alone; a run without any lever is never called "with levers".
    """
    return panel_options([key], ts, base, lang, has_levers=has_levers, font_px=font_px)[0]


def panel_options(
    keys,
    ts: pd.DataFrame,
    base: pd.DataFrame | None,
    lang: str,
    *,
    has_levers: bool,
    font_px: int = 13,
) -> list[dict]:
    """`panel_option` for each of `keys`, each column of the frames read once for all."""
    points = _Points(ts), None if base is None else _Points(base)
    return [_panel(key, ts, base, points, lang, has_levers, font_px) for key in keys]


def _panel(key, ts, base, points, lang, has_levers, font_px) -> dict:
    columns, unit, divisor = PANELS[key]
    runs = [(points[0], run_label(lang, has_levers, False), "solid")]
    if base is not None:
        runs.append((points[1], run_label(lang, has_levers, True), "dashed"))
    series = []
    for j, column in enumerate(c for c in columns if c in ts):
        for read, run, style in runs:
            name = f"{output_label(lang, column)} — {run}" if len(columns) > 1 else run
            series.append({
                "type": "line", "name": name, "data": read(column, divisor),
                "showSymbol": False, "color": COLORS[j], "lineStyle": {"type": style, "width": 2},
            })
    text = {"fontSize": font_px, "color": TEXT_COLOR}
    # Long names (jobs: column and run) take a legend row each; short ones share one row.
    legend_rows = len(series) if len(columns) > 1 else 1
    return {
        "animation": False,
        "textStyle": text,
        "title": {"text": panel_title(key, lang), "textStyle": {**text, "fontSize": font_px + 2}},
        "legend": {"top": font_px + 12, "textStyle": text, "itemWidth": 28,
                   "orient": "vertical" if legend_rows > 1 else "horizontal", "left": 0},
        "grid": {"left": 8, "right": 16, "bottom": 8, "containLabel": True,
                 "top": 2 * font_px + 24 + legend_rows * (font_px + 10)},
        "xAxis": {"type": "value", "min": 0, "minInterval": 1, "max": "dataMax",
                  "name": t(lang, "unit_month"),
                  "nameLocation": "middle", "nameGap": font_px + 10, "nameTextStyle": text,
                  "axisLabel": {"fontSize": font_px, "color": TEXT_COLOR}},
        "yAxis": {"type": "value", "scale": True, "minInterval": 0 if divisor > 1 else 1,
                  "name": t(lang, unit), "nameTextStyle": text,
                  "axisLabel": {"fontSize": font_px, "color": TEXT_COLOR}},
        "series": series,
        "tooltip": {"trigger": "axis", "textStyle": text},
    }


ARCHETYPE_NAMES = {
    "metropolis": {"fr": "Métropole", "en": "Metropolis"},
    "medium_town": {"fr": "Ville moyenne", "en": "Medium town"},
    "rural": {"fr": "Campagne", "en": "Countryside"},
    "industrial_basin": {"fr": "Bassin industriel", "en": "Industrial basin"},
}


def territory_names(territories, lang: str) -> list[str]:
    """Display names: real territories keep theirs; synthetic archetypes get a name in the
    page's language, lettered when an archetype occurs more than once (Campagne A, B, C)."""
    names = [str(n) for n in territories.names]
    archetypes = [str(a) for a in territories.archetype]
    if not all(n.startswith("Synthetic") for n in names):
        return names
    out = []
    for i, kind in enumerate(archetypes):
        label = ARCHETYPE_NAMES.get(kind, {}).get(lang, kind)
        if archetypes.count(kind) > 1:
            label += " " + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[archetypes[:i].count(kind) % 26]
        out.append(label)
    return out


def territory_values(territories, panel: pd.DataFrame | None, output: str) -> np.ndarray:
    """`output` per territory in the order of `territories.codes` (NaN where unknown)."""
    if panel is None or output not in panel or panel.empty:
        return np.full(len(territories.codes), np.nan)
    by_code = panel.set_index(panel["territory_code"].astype(str))[output]
    return by_code.reindex(np.asarray(territories.codes).astype(str)).to_numpy(float)


def robust_range(values: np.ndarray, *, symmetric: bool) -> tuple[float, float]:
    """Colour-scale bounds that one metropolis cannot flatten: above five territories the top
    is the 85th percentile (larger values take the top colour); a difference scale is centred
    on zero so that white means no change."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (-1.0, 1.0) if symmetric else (0.0, 1.0)
    if symmetric:
        size = np.abs(finite)
        top = float(np.quantile(size, 0.85, method="lower") if finite.size > 5 else size.max())
        top = top if top > 0 else 1.0
        return -top, top
    low = float(min(finite.min(), 0.0))
    top = float(np.quantile(finite, 0.85, method="lower") if finite.size > 5 else finite.max())
    return low, max(top, low + 1.0)


def map_option(
    territories, with_levers: pd.DataFrame | None, without: pd.DataFrame | None, output: str,
    lang: str, *, difference: bool, font_px: int = 13,
) -> dict:
    """Territories at their lon/lat, neighbours joined, coloured by `output` or, with
    `difference`, by its change with minus without the levers. Named on the map when there are
    few territories, on hover always."""
    names = territory_names(territories, lang)
    lon, lat = np.asarray(territories.lon, float), np.asarray(territories.lat, float)
    values = territory_values(territories, with_levers, output)
    if difference:
        values = values - territory_values(territories, without, output)
    low, high = robust_range(values, symmetric=difference)
    edges = np.asarray(territories.edges, int).reshape(-1, 2)
    text = {"fontSize": font_px, "color": TEXT_COLOR}
    label = map_label(lang, output)
    colon = " : " if lang == "fr" else ": "
    title = f"{t(lang, 'difference_map')}{colon}{label}" if difference else label
    empty = not np.isfinite(values).any()
    points = [
        {"name": n, "value": [x, y, None if not np.isfinite(v) else round(float(v), 2)]}
        for n, x, y, v in zip(names, lon, lat, values, strict=True)
    ]
    few = len(names) <= 12
    return {
        "animation": False,
        "textStyle": text,
        "title": {"text": title, "subtext": t(lang, "map_empty") if empty else "",
                  "textStyle": {**text, "fontSize": font_px + 2}, "subtextStyle": text},
        "grid": {"left": 10, "right": 110, "top": 2 * font_px + 40, "bottom": 10},
        "xAxis": {"type": "value", "scale": True, "show": False},
        "yAxis": {"type": "value", "scale": True, "show": False},
        "visualMap": {
            "type": "continuous", "min": low, "max": high, "dimension": 2, "seriesIndex": 1,
            "right": 0, "top": "middle", "calculable": True, "textStyle": text,
            "inRange": {"color": DIVERGING if difference else VIRIDIS},
            "outOfRange": {"color": "#bdbdbd"},
        },
        "tooltip": {"trigger": "item", "textStyle": text},
        "series": [
            {"type": "lines", "coordinateSystem": "cartesian2d", "silent": True,
             "lineStyle": {"color": "#9e9e9e", "width": 1},
             "data": [{"coords": [[lon[a], lat[a]], [lon[b], lat[b]]]} for a, b in edges]},
            {"type": "scatter", "name": label, "data": points, "symbolSize": 22 if few else 9,
             "itemStyle": {"borderColor": "#424242", "borderWidth": 1,
                           **({"color": "#bdbdbd"} if empty else {})},
             "encode": {"x": 0, "y": 1, "tooltip": 2},
             "label": {"show": few, "position": "right", "formatter": "{b}", **text}},
        ],
    }


def ties_option(ties: pd.DataFrame, lang: str, *, font_px: int = 13) -> dict:
    """How much trust the ESS–industry ties carry, by kind of tie (stacked, ten bins).

    Brake 1 (firms buy only from suppliers they know) shows as few ties, many young and fragile.
    """
    edges = np.linspace(0, 1, 11)
    bins = [f"{a:.1f}–{b:.1f}" for a, b in pairwise(edges)]
    text = {"fontSize": font_px, "color": TEXT_COLOR}
    series = []
    # One conversion to NumPy, then masks: a pandas selection per kind cost 4 ms a redraw of
    # the slower views (6% of a server process's time with ten pages playing, py-spy).
    of_kind = ties["kind"].astype(str).to_numpy() if not ties.empty else np.array([], str)
    trusts = ties["trust"].to_numpy(float) if not ties.empty else np.array([], float)
    kinds = sorted(set(of_kind.tolist()))
    for j, kind in enumerate(kinds):
        trust = trusts[of_kind == kind]
        counts, _ = np.histogram(np.clip(trust, 0, 1), bins=edges)
        series.append({"type": "bar", "stack": "ties", "name": f"{kind} ({len(trust)})",
                       "data": counts.tolist(), "color": COLORS[j % len(COLORS)]})
    return {
        "animation": False,
        "textStyle": text,
        "title": {"text": t(lang, "ties"), "subtext": "" if kinds else t(lang, "no_ties"),
                  "textStyle": {**text, "fontSize": font_px + 2}, "subtextStyle": text},
        "legend": {"top": font_px + 12, "textStyle": text},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 3 * font_px + 40,
                 "containLabel": True},
        "xAxis": {"type": "category", "data": bins, "name": t(lang, "trust"),
                  "nameLocation": "middle", "nameGap": font_px + 12, "nameTextStyle": text,
                  "axisLabel": {"fontSize": font_px - 2, "color": TEXT_COLOR}},
        "yAxis": {"type": "value", "name": t(lang, "unit_ties"), "nameTextStyle": text,
                  "axisLabel": {"fontSize": font_px, "color": TEXT_COLOR}},
        "series": series,
        "tooltip": {"trigger": "axis", "textStyle": text},
    }


def histogram_option(values: list[float], label: str, lang: str, *, bins: int = 8,
                     font_px: int = 13) -> dict:
    """The class's results as a histogram: how many pupils got each range of `label`."""
    text = {"fontSize": font_px, "color": TEXT_COLOR}
    finite = np.asarray([v for v in values if v is not None and np.isfinite(v)], float)
    if finite.size == 0:
        edges, counts = np.array([0.0, 1.0]), np.array([0])
    else:
        low, high = finite.min(), finite.max()
        edges = np.linspace(low, high if high > low else low + 1, min(bins, finite.size) + 1)
        counts, _ = np.histogram(finite, bins=edges)
    names = [f"{a:.0f} – {b:.0f}" for a, b in pairwise(edges)]
    return {
        "animation": False,
        "textStyle": text,
        "title": {"text": label, "textStyle": {**text, "fontSize": font_px + 2}},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": font_px + 40, "containLabel": True},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"fontSize": font_px - 2,
                                                                 "color": TEXT_COLOR}},
        "yAxis": {"type": "value", "minInterval": 1, "name": t(lang, "unit_pupils"),
                  "nameTextStyle": text, "axisLabel": {"fontSize": font_px, "color": TEXT_COLOR}},
        "series": [{"type": "bar", "data": counts.tolist(), "color": COLORS[0]}],
        "tooltip": {"trigger": "axis", "textStyle": text},
    }
