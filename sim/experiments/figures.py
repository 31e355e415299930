"""Figures of the lever-comparison report (matplotlib, Agg: no display, same bytes everywhere).

Each figure is saved as PNG and SVG next to the report and embedded in the HTML as base64 PNG,
so the report is one file that opens offline.
"""

import base64
import io
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from scipy import stats

from sim.experiments import texts
from sim.experiments.stats import LEVEL

plt.rcParams.update({"svg.hashsalt": "ess-sim", "figure.dpi": 100, "font.size": 9})


def save(fig, directory: Path, name: str) -> str:
    """Write `name`.png and `name`.svg, close the figure, return the PNG as base64."""
    directory.mkdir(parents=True, exist_ok=True)
    fig.savefig(directory / f"{name}.svg", metadata={"Date": None})
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)
    (directory / f"{name}.png").write_bytes(buf.getvalue())
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _bands(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """Mean and 95 % t interval of `value` across seeds, month by month."""
    g = frame.groupby("month")[value].agg(["mean", "std", "count"]).reset_index()
    half = stats.t.ppf(0.5 + LEVEL / 2, (g["count"] - 1).clip(lower=1)) * g["std"] / np.sqrt(
        g["count"])
    return g.assign(low=g["mean"] - half, high=g["mean"] + half)


def series(series: pd.DataFrame, key: str, arms: list[str], baseline: str | None, lang: str):
    """Level by arm, and paired difference to baseline, month by month with 95 % bands."""
    ncols = 2 if baseline else 1
    fig, axes = plt.subplots(1, ncols, figsize=(5.2 * ncols, 3.4), squeeze=False)
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
    axes[0, 0].set_title(texts.t(texts.WORDS, "level", lang))
    if baseline:
        axes[0, 1].axhline(0, color="grey", linewidth=0.8)
        axes[0, 1].set_title(texts.t(texts.WORDS, "difference", lang))
    for ax in axes[0]:
        ax.set_xlabel(texts.t(texts.WORDS, "month", lang))
    axes[0, 0].legend(fontsize=7, frameon=False)
    fig.suptitle(texts.t(texts.OUTCOMES, key, lang).split(" (")[0])
    fig.tight_layout()
    return fig


def forest(effects: pd.DataFrame, outcome: str, lang: str):
    """Paired effect with 95 % CI for each arm on one outcome."""
    rows = effects[(effects.outcome == outcome) & effects["diff"].notna()]
    fig, ax = plt.subplots(figsize=(6, 0.5 + 0.4 * max(len(rows), 1)))
    y = np.arange(len(rows))[::-1]
    ax.errorbar(rows["diff"], y, xerr=[rows["diff"] - rows.diff_low, rows.diff_high - rows["diff"]],
                fmt="o", color="tab:blue", capsize=3)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks(y, [texts.arm_label(a, lang) for a in rows.arm])
    ax.set_xlabel(texts.t(texts.WORDS, "difference", lang) + " — "
                  + texts.t(texts.OUTCOMES, outcome, lang))
    fig.tight_layout()
    return fig


def cost_effectiveness(table: pd.DataFrame, lang: str):
    """Cost per net job-year with Fieller 95 % CI; unbounded intervals drawn as arrows."""
    rows = table[table.cost_per_job_year.notna()]
    fig, ax = plt.subplots(figsize=(6, 0.6 + 0.45 * max(len(rows), 1)))
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
    ax.set_xlabel(texts.t(texts.WORDS, "eur_per_job_year", lang))
    ax.axvline(0, color="grey", linewidth=0.8)
    fig.tight_layout()
    return fig


def effect_map(data: pd.DataFrame, arms: list[str], lang: str):
    """One panel per arm: EPCI centroids (lon, lat) coloured by the paired effect on ESS jobs."""
    n = len(arms)
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 3.0 * nrows), squeeze=False,
                             layout="constrained")
    bound = float(np.nanmax(np.abs(data.effect))) if len(data) else 1.0
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-bound or -1.0, vmax=bound or 1.0)
    for ax, arm in zip(axes.flat, arms, strict=False):
        d = data[data.arm == arm]
        sc = ax.scatter(d.lon, d.lat, c=d.effect, cmap="RdBu", norm=norm, s=18,
                        edgecolors="grey", linewidths=0.3)
        ax.set_title(texts.arm_label(arm, lang), fontsize=8)
        ax.set_aspect(1 / math.cos(math.radians(float(d.lat.mean()) if len(d) else 46.0)))
        ax.tick_params(labelsize=6)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.colorbar(sc, ax=axes, shrink=0.8, label=texts.t(texts.WORDS, "difference", lang))
    return fig


def estimates(table: pd.DataFrame, label_col: str, xlabel: str):
    """Horizontal bars of estimates with 95 % CI (factorial terms, sensitivity indices)."""
    fig, ax = plt.subplots(figsize=(6, 0.6 + 0.4 * max(len(table), 1)))
    y = np.arange(len(table))[::-1]
    ax.barh(y, table.estimate, color="tab:blue", alpha=0.6)
    ax.errorbar(table.estimate, y, xerr=[table.estimate - table.low, table.high - table.estimate],
                fmt="none", color="black", capsize=3)
    ax.set_yticks(y, table[label_col])
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_xlabel(xlabel)
    fig.tight_layout()
    return fig


def dose_response(table: pd.DataFrame, ylabel: str, lang: str):
    """Paired effect against the lever's dose, with 95 % CI bars."""
    fig, ax = plt.subplots(figsize=(5, 3.4))
    ax.errorbar(table.dose, table["diff"], yerr=[table["diff"] - table.diff_low,
                table.diff_high - table["diff"]], fmt="o-", capsize=3)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xlabel(texts.t(texts.WORDS, "dose_axis", lang))
    ax.set_ylabel(ylabel)
    fig.tight_layout()
    return fig
