"""The lever-comparison report a ministry reads, built from a sweep directory.

The sweep's callback builds it; to rebuild it (after a resume, or in another language):
`python -m sim.experiments.report <sweep_dir> [--lang fr|en]`.
Under `<sweep_dir>/report/`: one self-contained HTML file per language (`report.fr.html`,
`report.en.html`: figures embedded, no external asset, so it can be mailed or opened offline),
the tables as CSV and Parquet (`tables/`), the figures as PNG and SVG (`figures/<lang>/`).

The first screen says where, when, how many runs and over what horizon, then what the numbers
say: the sentences of `findings`, written by rules from the intervals, adverse effects
included. It says which runs are missing or failed, so a partial sweep is never mistaken for a
whole one.
"""

import argparse
import contextlib
import html
import json
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from omegaconf import OmegaConf

from sim.experiments import analysis, figures, findings, report_regions
from sim.experiments.analysis import OUTCOME_KEYS, Paired
from sim.experiments.reduce import SERIES, TERRITORY_OUTCOMES, collect
from sim.experiments.report_places import territory_name
from sim.experiments.runner import SWEEP_INFO
from sim.experiments.stats import cost_per_job_undefined
from sim.experiments.texts import (
    COST_PARTS,
    DENSITY,
    DENSITY_WHERE,
    EXOGENOUS,
    LANGS,
    OUTCOMES,
    PAYERS_SHORT,
    SCENARIOS,
    SENTENCES,
    STATUS,
    WHERE,
    WHERE_BY,
    WORDS,
    arm_label,
    cost_per_job_year,
    date,
    estimate,
    join,
    money,
    number,
    outcome_in_sentence,
    percent_estimate,
    share_estimate,
    t,
)

CSS = """body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222;line-height:1.4}
h1{margin-bottom:.2em}p.meta{color:#555;margin-top:0}p.conclusion{font-size:1.15em;
border-left:4px solid #2a6ebb;padding:.3em .8em;background:#f2f6fb}
table{border-collapse:collapse;font-size:12px;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:right;white-space:nowrap}
th{background:#eee;white-space:normal}
td:first-child{text-align:left;white-space:normal;min-width:14em}
td.adverse{color:#b00020}img{max-width:100%}pre{background:#f6f6f6;padding:1em;overflow:auto;
font-size:11px}p.note{font-size:.9em;color:#555}li{margin:.3em 0}"""
MONEY_OUTCOMES = {"public_cost_eur"}
# Sensitivity indices by their usual symbols (Morris 1991, Campolongo 2007; Sobol 2001).
INDEX_NAMES = {"mu": "μ", "mu_star": "μ*", "sigma": "σ", "mu_star_conf": "± μ* (95 %)",
               "S1": "S1", "S1_conf": "± S1 (95 %)", "ST": "ST", "ST_conf": "± ST (95 %)"}
# The adverse effects named in the first screen; the others are counted and left to the table.
ADVERSE_SHOWN = 4


# Columns whose type must not depend on the values of one sweep (a sweep without samples has
# every `sample` missing, which Parquet would otherwise store as a null-typed column).
COLUMN_TYPES = {"seed": "Int64", "sample": "Int64", "n": "Int64", "n_pairs": "Int64",
                "dose": "float64", "elapsed_s": "float64", "population": "float64"}


def stable_types(table: pd.DataFrame) -> pd.DataFrame:
    """The table with the same column types in every sweep: counts as nullable integers,
    text as strings, never a column of nulls without a type."""
    typed = {c: COLUMN_TYPES[c] for c in table.columns if c in COLUMN_TYPES}
    typed |= {c: "string" for c in table.columns
              if c not in typed and table[c].dtype == object}
    return table.astype(typed)


def _fmt(key: str):
    return money if key in MONEY_OUTCOMES else number


def _cell(value: float, low: float, high: float, lang: str, key: str,
          signed: bool = True) -> str:
    """'estimate [low ; high]': bold when a difference is significant, red when adverse."""
    if pd.isna(value):
        return "<td>–</td>"
    text = html.escape(estimate(value, low, high, lang, _fmt(key), signed))
    if not (signed and findings.significant(low, high)):
        return f"<td>{text}</td>"
    adverse = findings.FAVOURABLE.get(key, 0) * value < 0
    return f'<td{" class=adverse" if adverse else ""}><b>{text}</b></td>'


def _diff_cell(row, lang: str, key: str) -> str:
    return _cell(row["diff"], row["diff_low"], row["diff_high"], lang, key)


def _table(header: list[str], rows: list[list[str]]) -> str:
    """Rows are lists of ready `<td>` cells, the first a plain label."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(f"<tr><td>{r[0]}</td>{''.join(r[1:])}</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _plain_table(frame: pd.DataFrame) -> str:
    rows = [[html.escape(str(v)) if i == 0 else f"<td>{html.escape(str(v))}</td>"
             for i, v in enumerate(r)] for r in frame.fillna("").itertuples(index=False)]
    return _table([str(c) for c in frame.columns], rows)


def _config(sweep_dir: Path):
    """The sweep's config without Hydra's own node, resolved when it can be."""
    path = sweep_dir / "multirun.yaml"
    if not path.exists():
        return None, ""
    cfg = OmegaConf.load(path)
    cfg.pop("hydra", None)
    try:
        return cfg, OmegaConf.to_yaml(cfg, resolve=True)
    except Exception:
        return cfg, OmegaConf.to_yaml(cfg)


def _lower_first(label: str) -> str:
    """"Sorties d'insertion…" → "sorties d'insertion…" inside a sentence; "ESS jobs" stays."""
    return label[0].lower() + label[1:] if label[1:2].islower() else label


def _colon(lang: str) -> str:
    """French typography puts a (narrow no-break) space before a colon."""
    return "\u202f: " if lang == "fr" else ": "


def _seed_list(seeds: list[int]) -> str:
    """[0, 1, 2, 3, 7] → "0–3, 7"."""
    parts, start = [], None
    for i, s in enumerate(seeds):
        start = s if start is None else start
        if i + 1 == len(seeds) or seeds[i + 1] != s + 1:
            parts.append(str(s) if s == start else f"{start}–{s}")
            start = None
    return ", ".join(parts)


class Report:
    """Computes the tables of one sweep and renders them, section by section, in one language."""

    def __init__(self, sweep_dir: Path, lang: str):
        if lang not in LANGS:
            raise ValueError(f"lang={lang!r}; choose one of {LANGS}")
        self.dir = Path(sweep_dir)
        self.lang = lang
        self.tables_dir = self.dir / "report" / "tables"
        self.fig_dir = self.dir / "report" / "figures" / lang
        info_path = self.dir / SWEEP_INFO
        self.info = json.loads(info_path.read_text()) if info_path.exists() else {}
        self.cfg, self.cfg_yaml = _config(self.dir)
        self.col = collect(self.dir)
        runs = self.col.runs
        self.base = analysis.baseline_arm(runs)
        done = set(self.col.outcomes.get("arm", []))
        self.planned = self.info.get("expected", [])
        self.order = analysis.arm_order(runs, self.planned, self.base)
        self.arms = [a for a in self.order if a in done]
        self.levers = [a for a in self.arms if a != self.base] if self.base else []
        self.missing = analysis.missing_runs(runs, self.planned)
        self.paired = Paired(self.col.outcomes) if done else None
        self.effects = self.costs = self.density = self.payers = None
        self.pool: FigurePool | None = None

    def _save_table(self, table: pd.DataFrame, name: str) -> None:
        table = stable_types(table)
        self.tables_dir.mkdir(parents=True, exist_ok=True)
        table.to_csv(self.tables_dir / f"{name}.csv", index=False)
        table.to_parquet(self.tables_dir / f"{name}.parquet", index=False)

    def _figure(self, draw: Callable, args: tuple, name: str, alt: str) -> str:
        """The figure ``draw(*args)`` saved as `name`.png and .svg, as an <img> embedding the
        PNG. With a pool, drawn there: the page holds a placeholder until `render` ends."""
        if self.pool is None:
            b64 = figures.drawn(draw, args, self.fig_dir, name)
        else:
            b64 = self.pool.draw(draw, args, self.fig_dir, name)
        return (f'<p><img alt="{html.escape(alt)}" '
                f'src="data:image/png;base64,{b64}"></p>')

    def _w(self, key: str) -> str:
        return html.escape(t(WORDS, key, self.lang))

    def _alt(self, key: str, what: str = "") -> str:
        return t(WORDS, key, self.lang).format(what=what)

    def compute(self) -> None:
        """The tables every section reads."""
        self._save_table(self.col.runs, "runs")
        self._save_table(self.missing, "missing_runs")
        if self.paired is None:
            return
        self._save_table(self.col.outcomes, "run_outcomes")
        self.effects = analysis.effects(self.paired, self.arms, self.base)
        self._save_table(self.effects, "effects")
        if self.base is None or not self.levers:
            return
        self.costs = analysis.cost_effectiveness(self.paired, self.arms, self.base)
        self._save_table(self.costs, "cost_effectiveness")
        self.payers = analysis.cost_by_payer(self.paired, self.arms, self.base)
        if self.payers is not None:
            self._save_table(self.payers, "cost_by_payer")
        if len(self.col.density):
            self.density = analysis.density_effects(self.col.density, self.arms, self.base)
            self._save_table(self.density, "density_effects")

    # --- the first screen ------------------------------------------------------------------
    def _setting(self, key: str):
        return OmegaConf.select(self.cfg, key, default=None) if self.cfg is not None else None

    def title(self) -> str:
        """"Lever comparison for the ESS — Drôme (26)": the territory named from its selection."""
        territory = territory_name(self._setting("territory"), self.lang)
        return t(WORDS, "title", self.lang) + (f" — {territory}" if territory else "")

    def horizon(self) -> int | None:
        """Months simulated: the months of the runs' series, else the config's."""
        months = self._setting("horizon_months")
        if len(self.col.series):
            months = int(self.col.series.month.nunique())
        return None if months is None else int(months)

    def header(self) -> str:
        """Title with the territory; date, runs and seeds, horizon and scenario; conclusion."""
        lang, runs = self.lang, self.col.runs
        title = self.title()
        seeds = sorted({int(s) for s in runs.seed}) if len(runs) else []
        complete = int((runs.status == "complete").sum()) if len(runs) else 0
        total = int(self.info.get("total") or len(runs))
        n_runs = str(complete) if complete == total else f"{complete}/{total}"
        meta = [f"{n_runs} {t(WORDS, 'runs_label', lang)} ({len(self.order)} "
                f"{t(WORDS, 'arms_swept', lang)} × {len(seeds)} {t(WORDS, 'seeds_swept', lang)})"]
        started = runs.started.dropna() if "started" in runs else pd.Series(dtype=str)
        if len(started):
            meta.insert(0, f"{t(WORDS, 'date', lang)} {date(min(started), lang)}")
        if self.horizon():
            meta.append(f"{t(WORDS, 'horizon', lang)} {self.horizon()} {t(WORDS, 'months', lang)}")
        scenario = self._setting("scenario.name")
        if scenario:
            meta.append(f"{t(WORDS, 'scenario', lang)} {t(SCENARIOS, str(scenario), lang)}")
        page = (f"<h1>{html.escape(title)}</h1>"
                f'<p class="meta">{html.escape(" · ".join(meta))}</p>')
        if self.effects is not None and self.costs is not None:
            (conclusion, _), *rest = self.key_findings()
            items = "".join(
                f'<li class="finding">{html.escape(text)}'
                + ("<ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in subs) + "</ul>"
                   if subs else "") + "</li>" for text, subs in rest)
            page += (f'<p class="conclusion">{html.escape(conclusion)}</p>'
                     f"<h2>{self._w('key_findings')}</h2><ul>{items}</ul>"
                     f'<p class="note">{self._w("significant_note")}</p>')
        return page

    def key_findings(self) -> list[tuple[str, list[str]]]:
        """The conclusion first, then the largest effect, the levers without effect and the
        adverse effects (or that there are none): each a sentence from `findings`, with the
        items it lists."""
        lang, months = self.lang, self.horizon() or "?"
        e = self.effects
        best = findings.best_value(self.costs, e)
        if best is None:
            out = [t(SENTENCES, "no_best", lang).format(months=months)]
        elif best.kind == "saves":
            years = e.set_index(["arm", "outcome"]).loc[(best.arm, "ess_job_years")]
            out = [t(SENTENCES, "saves", lang).format(
                arm=arm_label(best.arm, lang), months=months,
                job_years=estimate(years["diff"], years.diff_low, years.diff_high, lang,
                                   signed=True),
                saving=self._saving(best.arm))]
        else:
            r = best.row
            out = [t(SENTENCES, "best", lang).format(
                arm=arm_label(best.arm, lang), months=months,
                cpj=estimate(r.cost_per_job_year, r.low, r.high, lang, money),
                cost=self._extra_cost(best.arm), payers=self._payer_clause(best.arm))]
        largest = findings.largest_effect(e)
        if largest is not None:
            base = e[(e.arm == self.base) & (e.outcome == "ess_jobs")].iloc[0]
            level = base.arm_mean
            out.append(t(SENTENCES, "largest", lang).format(
                arm=arm_label(largest.arm, lang),
                jobs=estimate(largest["diff"], largest.diff_low, largest.diff_high, lang,
                              signed=True),
                pct=percent_estimate(largest["diff"] / level, largest.diff_low / level,
                                     largest.diff_high / level, lang) if level else "–",
                base=self._level(base, "ess_jobs")))
        idle = findings.without_effect(e)
        if idle:
            out.append(t(SENTENCES, "not_significant", lang).format(
                arms=join([arm_label(a, lang) for a in idle], lang)))
        return [(text, []) for text in out] + [self._adverse_finding()]

    def _adverse_finding(self) -> tuple[str, list[str]]:
        """Every significant adverse effect (the clearest named), and how many tests were made:
        with dozens of comparisons a few come out significant by chance."""
        lang = self.lang
        adverse = findings.adverse_effects(self.effects, self.density)
        items = []
        for a in adverse[:ADVERSE_SHOWN]:
            where = (t(DENSITY_WHERE, a.density_class, lang) if a.density_class
                     else t(WORDS, "overall", lang))
            items.append(t(SENTENCES, "adverse_item", lang).format(
                arm=arm_label(a.arm, lang), outcome=_lower_first(t(OUTCOMES, a.outcome, lang)),
                where=where,
                diff=estimate(a.diff, a.low, a.high, lang, _fmt(a.outcome), signed=True)))
        if len(adverse) > ADVERSE_SHOWN:
            items.append(t(WORDS, "others", lang).format(n=len(adverse) - ADVERSE_SHOWN))
        tests = findings.judged_comparisons(self.effects, self.density)
        chance = t(SENTENCES, "chance", lang).format(n=tests,
                                                     k=number(tests * 0.05, lang, digits=1))
        return t(SENTENCES, "adverse" if items else "no_adverse", lang).format(
            chance=chance), items

    # --- sections --------------------------------------------------------------------------
    def summary(self) -> str:
        """One line per scenario, in plain words."""
        lang, e = self.lang, self.effects.set_index(["arm", "outcome"])
        items = []
        for arm in self.arms:
            jobs = e.loc[(arm, "ess_jobs")]
            if arm == self.base or self.base is None:
                text = t(SENTENCES, "baseline", lang).format(
                    arm=arm_label(arm, lang),
                    jobs=estimate(jobs.arm_mean, jobs.arm_low, jobs.arm_high, lang),
                    cost=self._level(e.loc[(arm, "public_cost_eur")], "public_cost_eur"))
            else:
                exits = e.loc[(arm, "insertion_exits_employment")]
                sig = findings.significant(jobs.diff_low, jobs.diff_high)
                cpj = self._cost_per_job_year(arm)
                defined = self._cost_per_job_defined(arm)
                text = t(SENTENCES, "arm" if defined else "arm_undefined_cost", lang).format(
                    arm=arm_label(arm, lang),
                    jobs=estimate(jobs["diff"], jobs.diff_low, jobs.diff_high, lang, signed=True),
                    significance=t(SENTENCES, "significant" if sig
                                   else "not_significant_short", lang),
                    exits=estimate(exits["diff"], exits.diff_low, exits.diff_high, lang,
                                   signed=True),
                    cost=self._extra_cost(arm), cpj=cpj, payers=self._payer_clause(arm))
            items.append(f"<li>{html.escape(text)}</li>")
        return f"<h2>{self._w('summary')}</h2><ul>{''.join(items)}</ul>"

    def _dropped_note(self, dropped: list[str]) -> str:
        if not dropped:
            return ""
        reasons = [f"{t(OUTCOMES, k, self.lang)} — "
                   f"{t(EXOGENOUS, k, self.lang) if k in EXOGENOUS else self._w('same_everywhere')}"
                   for k in dropped]
        return (f'<p class="note">{self._w("dropped")}{_colon(self.lang)}'
                f'{html.escape("; ".join(reasons))}.</p>')

    def effects_section(self) -> str:
        """Levels of every arm, then differences to the baseline: two tables, never mixed."""
        lang, e = self.lang, self.effects.set_index(["outcome", "arm"])
        dropped = findings.constant_outcomes(self.effects) if self.levers else []
        keys = [k for k in OUTCOME_KEYS if k not in dropped]
        levels = [[html.escape(t(OUTCOMES, k, lang))]
                  + [self._level_cell(e.loc[(k, a)], k) for a in self.arms] for k in keys]
        page = (f"<h2>{self._w('levels')}</h2>"
                + _table([""] + [arm_label(a, lang) for a in self.arms], levels)
                + f'<p class="note">{self._w("levels_note")}</p>')
        if self.base is None:
            return page + f"<p>{self._w('no_baseline')}</p>"
        if not self.levers:
            return page + f"<p>{self._w('baseline_only')}</p>"
        diffs = [[html.escape(t(OUTCOMES, k, lang))]
                 + [_diff_cell(e.loc[(k, a)], lang, k) for a in self.levers] for k in keys]
        page += (f"<h2>{self._w('effects')}</h2>"
                 + _table([""] + [arm_label(a, lang) for a in self.levers], diffs)
                 + f'<p class="note">{self._w("significant_note")}</p>'
                 + self._dropped_note(dropped))
        what = outcome_in_sentence("ess_jobs", lang)
        return page + self._figure(figures.forest, (self.effects, "ess_jobs", lang),
                                   "effects_ess_jobs", self._alt("alt_forest", what))

    def _level(self, row, key: str) -> str:
        return estimate(row.arm_mean, row.arm_low, row.arm_high, self.lang, _fmt(key))

    def _extra_cost(self, arm: str) -> str:
        """The paired extra public cost of an arm, with its interval."""
        r = self.effects.set_index(["arm", "outcome"]).loc[(arm, "public_cost_eur")]
        return estimate(r["diff"], r.diff_low, r.diff_high, self.lang, money, signed=True)

    def _payer_clause(self, arm: str) -> str:
        """", of which State 41 % [38 % ; 44 %], …": who bears an arm's extra public cost, each
        payer's share (whole per cent) with its interval, the largest first; empty when the
        runs carry no split, the arm saves money or its extra cost is not told from zero."""
        if self.payers is None:
            return ""
        r = self.effects.set_index(["arm", "outcome"]).loc[(arm, "public_cost_eur")]
        if not r["diff"] > 0 or not r.diff_low > 0:
            return ""
        lang, rows = self.lang, self.payers[self.payers.arm == arm]
        rows = rows[rows.share.abs() >= 0.005].sort_values("share", ascending=False)
        parts = [t(SENTENCES, "payer_share", lang).format(
            payer=t(PAYERS_SHORT, row.part, lang),
            share=share_estimate(row.share, row.share_low, row.share_high, lang))
            for row in rows.itertuples()]
        return t(SENTENCES, "of_which", lang).format(parts=", ".join(parts)) if parts else ""

    def _saving(self, arm: str) -> str:
        """What an arm saves of public money, with its interval."""
        r = self.effects.set_index(["arm", "outcome"]).loc[(arm, "public_cost_eur")]
        return estimate(-r["diff"], -r.diff_high, -r.diff_low, self.lang, money)

    def _level_cell(self, row, key: str) -> str:
        """A level with its interval across seeds (a plain number when one seed ran)."""
        return f"<td>{html.escape(self._level(row, key))}</td>"

    def cost_section(self) -> str:
        """Extra cost, net job-years and cost per net job-year of each lever; the chart shows
        only the levers whose ratio is a price (jobs clearly added)."""
        lang = self.lang
        rows = [[html.escape(arm_label(r.arm, lang)),
                 f"<td>{html.escape(self._extra_cost(r.arm))}</td>",
                 _cell(r.net_job_years, *self._job_years_ci(r.arm), lang, "ess_job_years"),
                 f"<td>{html.escape(self._cost_per_job_year(r.arm))}</td>"]
                for r in self.costs.itertuples()]
        header = ["", t(WORDS, "extra_cost", lang), t(WORDS, "net_job_years", lang),
                  t(WORDS, "eur_per_job_year", lang)]
        priced = self.costs[[self._cost_per_job_defined(a) for a in self.costs.arm]]
        fig = (self._figure(figures.cost_effectiveness, (priced, lang), "cost_effectiveness",
                            self._alt("alt_cost")) if len(priced) else "")
        note = (f'<p class="note">{self._w("cost_undefined_note")}</p>'
                if len(priced) < len(self.costs) else "")
        return f"<h2>{self._w('cost')}</h2>{_table(header, rows)}{note}{self._payers()}{fig}"

    def _payers(self) -> str:
        """The extra cost of each lever split by payer, each part with its interval; empty
        when the runs carry no split."""
        if self.payers is None:
            return ""
        lang, d = self.lang, self.payers.set_index(["arm", "part"])
        parts = list(dict.fromkeys(self.payers.part))
        rows = [[html.escape(arm_label(arm, lang))]
                + [_diff_cell(d.loc[(arm, part)], lang, "public_cost_eur") for part in parts]
                for arm in self.levers]
        header = [""] + [t(COST_PARTS, part, lang) for part in parts]
        return (f"<h3>{self._w('cost_by_payer')}</h3>{_table(header, rows)}"
                f'<p class="note">{self._w("cost_by_payer_note")}</p>')

    def _cost_per_job_year(self, arm: str) -> str:
        """A lever's cost per net job-year with its interval, or why it has none."""
        row = self.costs.set_index("arm").loc[arm]
        return cost_per_job_year(row.cost_per_job_year, row.low, row.high, row.net_job_years,
                                 *self._job_years_ci(arm), self.lang)

    def _cost_per_job_defined(self, arm: str) -> bool:
        r = self.effects.set_index(["arm", "outcome"]).loc[(arm, "ess_job_years")]
        return cost_per_job_undefined(r["diff"], r.diff_low, r.diff_high) is None

    def _job_years_ci(self, arm: str) -> tuple[float, float]:
        r = self.effects.set_index(["arm", "outcome"]).loc[(arm, "ess_job_years")]
        return r.diff_low, r.diff_high

    def density_section(self) -> str:
        lang = self.lang
        classes = [c for c in DENSITY if c in set(self.density.density_class)]
        d = self.density.set_index(["arm", "outcome", "density_class"])
        keys = [k for k in TERRITORY_OUTCOMES if findings.FAVOURABLE.get(k, 0)]
        rows = []
        for arm in self.arms:
            if arm == self.base:
                continue
            for key in keys:
                label = f"{arm_label(arm, lang)} — {t(OUTCOMES, key, lang)}"
                rows.append([html.escape(label)]
                            + [_diff_cell(d.loc[(arm, key, c)], lang, key) for c in classes])
        header = [""] + [t(DENSITY, c, lang) for c in classes]
        return f"<h2>{self._w('density')}</h2>{_table(header, rows)}"

    def regions_section(self) -> str:
        """Where each lever works, by region, département or EPCI: the relative effect on ESS
        jobs with its interval, the baseline's level beside it, and for each lever where it
        works most and least; levels alone (per 100,000 inhabitants) without levers."""
        groups = report_regions.grouping(self.col.territory_meta)
        if groups is None:
            return ""
        lang, keys = self.lang, list(TERRITORY_OUTCOMES)
        panel = report_regions.group_panel(self.col.territories, groups, keys)
        head = f"<h2>{html.escape(t(WHERE, groups.level, lang))}</h2>"
        if not self.levers:
            return head + self._group_levels(panel, groups, keys)
        table = report_regions.group_effects(panel, groups, self.levers, self.base, keys)
        self._save_table(table, "group_effects")
        jobs = table[table.outcome == "ess_jobs"]
        rows = []
        for _, part in jobs.groupby("group", sort=False):
            first = part.iloc[0]
            level = estimate(first.base_mean, first.base_low, first.base_high, lang)
            cells = [f"<td>{html.escape(level)}</td>"]
            cells += [self._relative_cell(part[part.arm == arm].iloc[0]) for arm in self.levers]
            rows.append([html.escape(first.group_name), *cells])
        header = ["", t(WORDS, "base_jobs", lang)] + [arm_label(a, lang) for a in self.levers]
        contrasts = [report_regions.contrast(panel, table, a, self.base, "ess_jobs")
                     for a in self.levers]
        items = "".join(f"<li>{html.escape(self._contrast_sentence(c))}</li>"
                        for c in contrasts if c is not None)
        fig = self._figure(
            figures.group_effects, (jobs, self.levers, lang, t(WORDS, "relative_axis", lang)),
            "groups_ess_jobs", self._alt("alt_groups", t(WHERE_BY, groups.level, lang)))
        note = t(WORDS, "groups_note", lang).format(by=t(WHERE_BY, groups.level, lang))
        return (head + _table(header, rows) + f'<p class="note">{html.escape(note)}</p>'
                + (f"<ul>{items}</ul>" if items else "") + fig)

    def _relative_cell(self, r) -> str:
        """A relative effect "+1,2 % [0,3 % ; 2,1 %]": bold when significant, red if adverse."""
        if pd.isna(r.relative):
            return "<td>–</td>"
        text = html.escape(percent_estimate(r.relative, r.relative_low, r.relative_high,
                                            self.lang))
        if not findings.significant(r.relative_low, r.relative_high):
            return f"<td>{text}</td>"
        adverse = findings.FAVOURABLE.get(r.outcome, 0) * r.relative < 0
        return f'<td{" class=adverse" if adverse else ""}><b>{text}</b></td>'

    def _contrast_sentence(self, c) -> str:
        lang = self.lang

        def rel(row):
            return percent_estimate(row.relative, row.relative_low, row.relative_high, lang)

        sig = findings.significant(c.gap_low, c.gap_high)
        return t(SENTENCES, "contrast", lang).format(
            arm=arm_label(c.arm, lang), top=c.top_row.group_name, top_rel=rel(c.top_row),
            bottom=c.bottom_row.group_name, bottom_rel=rel(c.bottom_row),
            gap=estimate(100 * c.gap, 100 * c.gap_low, 100 * c.gap_high, lang),
            verdict=t(SENTENCES, "gap_real" if sig else "gap_chance", lang))

    def _group_levels(self, panel, groups, keys) -> str:
        """Levels by group (a sweep without levers): ESS jobs and per 100,000 inhabitants."""
        lang = self.lang
        table = report_regions.group_levels(panel, groups, self.arms, keys)
        self._save_table(table, "group_levels")
        jobs = table[(table.outcome == "ess_jobs") & (table.arm == self.arms[0])]
        rows = [[html.escape(r.group_name),
                 f"<td>{html.escape(estimate(r.mean, r.low, r.high, lang))}</td>",
                 f"<td>{html.escape(estimate(r.per_100k, r.per_100k_low, r.per_100k_high, lang))}"
                 "</td>"] for r in jobs.itertuples()]
        header = ["", t(WORDS, "base_jobs", lang), t(WORDS, "per_100k", lang)]
        return _table(header, rows) + f'<p class="note">{self._w("levels_note")}</p>'

    def series_section(self) -> str:
        imgs = "".join(
            self._figure(figures.series, (self.col.series, key, self.arms,
                                          self.base if self.levers else None, self.lang),
                         f"series_{key}", self._alt("alt_series", outcome_in_sentence(key,
                                                                              self.lang)))
            for key in SERIES)
        note = f'<p class="note">{self._w("series_note")}</p>'
        return f"<h2>{self._w('series')}</h2>{note}{imgs}"

    def map_section(self) -> str:
        terr = analysis.territory_effects(self.col.territories, self.col.territory_meta,
                                          self.arms, self.base)
        self._save_table(terr, "territory_effects")
        levers = [a for a in self.arms if a != self.base]
        fig = self._figure(figures.effect_map, (terr, self.col.territory_meta, levers, self.lang),
                           "map_ess_jobs", self._alt("alt_map"))
        return (f"<h2>{self._w('map')}</h2>{fig}"
                f'<p class="note">{self._w("map_caption")}</p>')

    def factorial_section(self) -> str:
        table = analysis.factorial(self.paired, self.col.runs)
        if table is None:
            return ""
        self._save_table(table, "factorial_effects")
        jobs = table[table.outcome == "ess_jobs"]
        label = t(OUTCOMES, "ess_jobs", self.lang)
        jobs = jobs.assign(name=[" × ".join(arm_label(x, self.lang) for x in term.split("×"))
                                 for term in jobs.term])
        rows = [[html.escape(r.name), _cell(r.estimate, r.low, r.high, self.lang, "ess_jobs")]
                for r in jobs.itertuples()]
        fig = self._figure(figures.estimates, (jobs, "name", label, self.lang),
                           "factorial_ess_jobs", self._alt("alt_factorial"))
        return f"<h2>{self._w('factorial')}</h2>{_table(['', label], rows)}{fig}"

    def dose_section(self) -> str:
        table = analysis.dose_response(self.effects, self.col.runs)
        if table is None:
            return ""
        self._save_table(table, "dose_response")
        label = t(OUTCOMES, "ess_jobs", self.lang)
        fig = self._figure(figures.dose_response,
                           (table[table.outcome == "ess_jobs"], label, self.lang),
                           "dose_response_ess_jobs", self._alt("alt_dose"))
        return f"<h2>{self._w('dose')}</h2>{fig}"

    def sensitivity_section(self) -> str:
        cfg = OmegaConf.select(self.cfg, "experiment.sensitivity") if self.cfg else None
        if cfg is None or not self.col.runs["sample"].notna().any():
            return ""
        table, key, target = analysis.sensitivity_indices(self.paired, self.arms, self.base, cfg)
        head = f"<h2>{self._w('sensitivity')}</h2>"
        if table is None:
            return head + f"<p>{self._w('sensitivity_incomplete')}</p>"
        self._save_table(table, "sensitivity")
        main, conf = ("mu_star", "mu_star_conf") if "mu_star" in table else ("ST", "ST_conf")
        bars = table.assign(estimate=table[main], low=table[main] - table[conf],
                            high=table[main] + table[conf])
        fig = self._figure(figures.estimates, (bars, "parameter", INDEX_NAMES[main], self.lang),
                           "sensitivity",
                           self._alt("alt_sensitivity"))
        caption = f"{t(OUTCOMES, key, self.lang)} — {arm_label(target, self.lang)}"
        shown = table.copy()
        for col in shown.columns[1:]:
            shown[col] = [number(v, self.lang) for v in shown[col]]
        shown.columns = [t(WORDS, "parameter_col", self.lang),
                         *(INDEX_NAMES.get(c, c) for c in shown.columns[1:])]
        rows = [[f"<code>{html.escape(str(r[0]))}</code>",  # a config path, as typed
                 *(f"<td>{html.escape(str(v))}</td>" for v in r[1:])]
                for r in shown.itertuples(index=False)]
        return (f"{head}<p>{html.escape(caption)}</p>"
                f"{_table([str(c) for c in shown.columns], rows)}{fig}")

    def runs_section(self) -> str:
        """Runs by scenario and status, in the report's scenario order; missing and failed."""
        runs, lang = self.col.runs, self.lang
        counts = runs.groupby(["arm", "status"]).size().unstack(fill_value=0)
        statuses = [s for s in STATUS if s in counts.columns]
        rows = [[html.escape(arm_label(a, lang))]
                + [f"<td>{int(counts.loc[a, s])}</td>" for s in statuses]
                for a in self.order if a in counts.index]
        header = [""] + [t(STATUS, s, lang) for s in statuses]
        parts = [f"<h2>{self._w('runs')}</h2>", _table(header, rows)]
        failed = runs[runs.status == "failed"]
        for word, table in (("missing", self.missing), ("failed", failed)):
            parts.append(f"<h3>{self._w(word)} ({len(table)})</h3>")
            if len(table):
                parts.append(self._run_list(table))
        return "".join(parts)

    def _run_list(self, table: pd.DataFrame) -> str:
        """Scenario, seed, sample and (for failures) the error as the run recorded it."""
        lang = self.lang
        rows = []
        for r in table.itertuples(index=False):
            cells = [f"<td>{int(r.seed)}</td>",
                     f"<td>{'' if pd.isna(r.sample) else int(r.sample)}</td>"]
            error = getattr(r, "error", None)
            if "error" in table:
                cells.append(f"<td><code>{html.escape(str(error or ''))}</code></td>")
            rows.append([html.escape(arm_label(r.arm, lang)), *cells])
        header = [t(WORDS, k, lang) for k in ("scenario_col", "seed_col", "sample_col")]
        if "error" in table:
            header.append(t(WORDS, "error_col", lang))
        return _table(header, rows)

    def provenance_section(self) -> str:
        """The command, the sweep's real scenarios and seeds, then the configs, folded."""
        lang = self.lang
        arms = [arm_label(a, lang) for a in self.order]
        seeds = sorted({int(p["seed"]) for p in self.planned} or
                       {int(s) for s in self.col.runs.seed})
        plan = (f"{t(WORDS, 'arms_swept', lang)}{_colon(lang)}{', '.join(arms)}; "
                f"{t(WORDS, 'seeds_swept', lang)}{_colon(lang)}{_seed_list(seeds)}")
        shown_yaml = self.cfg_yaml
        if self.cfg is not None:
            shown = OmegaConf.to_container(self.cfg, resolve=False)
            shown.pop("arm", None)
            shown.pop("seed", None)
            try:
                shown_yaml = OmegaConf.to_yaml(OmegaConf.create(shown), resolve=True)
            except Exception:
                shown_yaml = OmegaConf.to_yaml(OmegaConf.create(shown))
        parts = [f"<h2>{self._w('command')}</h2>"
                 f"<pre>{html.escape(self.info.get('command', ''))}</pre>",
                 f"<h2>{self._w('config')}</h2>",
                 f"<p>{self._w('swept')} — {html.escape(plan)}</p>",
                 f"<details><summary>{self._w('config_details')}</summary>"
                 f"<pre>{html.escape(shown_yaml)}</pre></details>"]
        runs = self.col.runs
        done = runs[(runs.status == "complete") & (runs.arm == (self.base or self.arms[0]))]
        if len(done):
            path = self.dir / done.sort_values("seed").iloc[0].dir / "manifest.json"
            if path.exists():
                config = json.dumps(json.loads(path.read_text()).get("config"), indent=2)
                parts.append(f"<details><summary>{self._w('model_config')}</summary>"
                             f"<pre>{html.escape(config)}</pre></details>")
        return "".join(parts)

    def method_section(self) -> str:
        text = html.escape(t(SENTENCES, "method", self.lang))
        return f"<h2>{self._w('method')}</h2><p>{text}</p>"

    def render(self) -> str:
        """The whole page."""
        self.compute()
        sections = [self.header()]
        if self.effects is not None:
            sections += [self.summary(), self.effects_section()]
        if self.costs is not None:
            sections.append(self.cost_section())
        if self.density is not None:
            sections.append(self.density_section())
        if len(self.col.territories):
            sections.append(self.regions_section())
        if len(self.col.series):
            sections.append(self.series_section())
        if self.levers and len(self.col.territories):
            sections.append(self.map_section())
        if self.effects is not None:
            sections += [self.factorial_section(), self.sensitivity_section()]
            if self.levers:
                sections.append(self.dose_section())
        sections += [self.runs_section(), self.method_section(), self.provenance_section()]
        title = html.escape(self.title())
        page = (f'<!DOCTYPE html><html lang="{self.lang}"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{title}</title><style>{CSS}</style></head><body>"
                f"{''.join(sections)}</body></html>")
        return page if self.pool is None else self.pool.fill(page)


class FigurePool:
    """Draws a report's figures in other processes while the launching one reads the sweep and
    writes the page (issue 20, thirteenth session): the figures (each saved twice, SVG and PNG)
    are most of a report's CPU, and the report comes after the last run, when the sweep's
    workers are gone. The processes are not forks of the launching process (it holds joblib's
    executor threads) but of a fork server that imports this module, and the figures' with it,
    once (~3 s of CPU; `sim.experiments.figure_server`). Starting it blocks until then, so a
    thread starts it and hands it the figures, in the order drawn; the page keeps placeholders
    until `fill`. Each figure is drawn as in the launching process, from the same arguments:
    the same files, byte for byte (tests/test_report_pool.py)."""

    def __init__(self, workers: int):
        import multiprocessing
        import queue
        import threading
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["sim.experiments.figure_server"])
        self._executor = ProcessPoolExecutor(workers, mp_context=context)
        self._tokens: list[str] = []
        self._futures: list = []
        self._waiting: queue.SimpleQueue = queue.SimpleQueue()
        self._submitter = threading.Thread(target=self._submit, args=(workers,), daemon=True)
        self._submitter.start()

    def _submit(self, workers: int) -> None:
        for _ in range(workers):
            self._executor.submit(_import_figures)
        while (job := self._waiting.get()) is not None:
            self._futures.append(self._executor.submit(figures.drawn, *job))

    def draw(self, draw: Callable, args: tuple, directory: Path, name: str) -> str:
        """Queue the figure; a placeholder the page keeps until `fill`."""
        self._tokens.append(f"\x00figure:{len(self._tokens)}\x00")
        self._waiting.put((draw, args, directory, name))
        return self._tokens[-1]

    def fill(self, page: str) -> str:
        """The page with every figure in place of its placeholder (a figure's error raised)."""
        self._waiting.put(None)
        self._submitter.join()
        for token, future in zip(self._tokens, self._futures, strict=True):
            page = page.replace(token, future.result())
        return page

    def close(self) -> None:
        self._waiting.put(None)
        self._submitter.join()
        self._executor.shutdown(wait=True, cancel_futures=True)


def _import_figures() -> None:
    import sim.experiments.figures  # noqa: F401  (already there: a fork of the server)


def figure_workers() -> int:
    """Processes drawing the figures of the main job's report: one per core, at most two (the
    report has ~9 figures; each process costs ~2 s of CPU to start)."""
    return min(2, os.cpu_count() or 1) if (os.cpu_count() or 1) > 1 else 0


def build_report(sweep_dir: Path, lang: str = "fr", workers: int = 0) -> Path:
    """Write `<sweep_dir>/report/report.<lang>.html` with its tables and figures; return it.
    `workers`: processes drawing the figures (0: in this one; the files are the same)."""
    pool = FigurePool(workers) if workers > 0 else None
    try:
        report = Report(sweep_dir, lang)
        report.pool = pool
        path = report.dir / "report" / f"report.{lang}.html"
        page = report.render()
    finally:
        if pool is not None:
            pool.close()
    path.write_text(page, encoding="utf-8")
    return path


class ReportFailed(RuntimeError):
    """The report could not be built; the message says why and where the traceback is."""


def build_report_or_explain(sweep_dir: Path, lang: str = "fr", workers: int = 0) -> Path:
    """`build_report`, or ReportFailed with one line naming the error, the sweep (whose runs
    are intact) and `report/error.log`, which holds the traceback (`ESS_SIM_DEBUG=1` raises)."""
    try:
        return build_report(sweep_dir, lang, workers)
    except Exception as error:
        if os.environ.get("ESS_SIM_DEBUG"):
            raise
        log = Path(sweep_dir) / "report" / "error.log"
        with contextlib.suppress(OSError):
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text(traceback.format_exc(), encoding="utf-8")
        raise ReportFailed(
            f"the report could not be built ({type(error).__name__}: {error}); the runs in "
            f"{sweep_dir} are kept, the traceback is in {log}; rebuild with "
            f"python -m sim.experiments.report {sweep_dir} --lang {lang}") from error


def main(argv: list[str] | None = None) -> None:
    """Command line: build the report of an existing sweep directory (exit 1 if it fails)."""
    parser = argparse.ArgumentParser(
        prog="python -m sim.experiments.report",
        description="Build the report of an experiment sweep from its files (nothing is run).")
    parser.add_argument("sweep_dir", type=Path)
    parser.add_argument("--lang", choices=LANGS, default="fr")
    parser.add_argument("--workers", type=int, default=figure_workers(),
                        help="processes drawing the figures (0: this one; default: "
                             "%(default)s, one per core up to two)")
    args = parser.parse_args(argv)
    try:
        print(f"Report: {build_report_or_explain(args.sweep_dir, args.lang, args.workers)}")
    except ReportFailed as failure:
        print(f"error: {failure}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
