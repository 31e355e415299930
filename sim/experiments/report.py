"""The lever-comparison report a ministry reads, built from a sweep directory.

The sweep's callback builds it; to rebuild it (after a resume, or in another language):
`python -m sim.experiments.report <sweep_dir> [--lang fr|en]`.
Under `<sweep_dir>/report/`: one self-contained HTML file per language (figures embedded, no
external asset, so it can be mailed or opened offline), the tables as CSV and Parquet, the
figures as PNG and SVG. It says which runs are missing or failed, so a partial sweep is never
mistaken for a whole one.
"""

import argparse
import html
import json
from pathlib import Path

import pandas as pd
from omegaconf import OmegaConf

from sim.experiments import analysis, figures
from sim.experiments.analysis import OUTCOME_KEYS, Paired
from sim.experiments.reduce import SERIES, collect
from sim.experiments.runner import SWEEP_INFO
from sim.experiments.texts import (
    DENSITY,
    LANGS,
    OUTCOMES,
    SENTENCES,
    WORDS,
    arm_label,
    interval,
    number,
    t,
)

CSS = """body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:12px;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#eee}
td:first-child{text-align:left}img{max-width:100%}pre{background:#f6f6f6;padding:1em;
overflow:auto;font-size:11px}p.arm{margin:.6em 0}"""


def _cell(value: float, low: float, high: float, lang: str, signed: bool = True) -> str:
    """'estimate [low ; high]', in bold when a difference's interval excludes zero."""
    if pd.isna(value):
        return "–"
    bounds = "" if pd.isna(low) else f" [{number(low, lang)} ; {number(high, lang)}]"
    text = html.escape(number(value, lang, signed=signed) + bounds)
    return f"<b>{text}</b>" if signed and (low > 0 or high < 0) else text


def _diff_cell(row, lang: str) -> str:
    return _cell(row["diff"], row["diff_low"], row["diff_high"], lang)


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _img(b64: str) -> str:
    return f'<p><img alt="" src="data:image/png;base64,{b64}"></p>'


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


class Report:
    """Computes the tables of one sweep and renders them, section by section, in one language."""

    def __init__(self, sweep_dir: Path, lang: str):
        if lang not in LANGS:
            raise ValueError(f"lang={lang!r}; choose one of {LANGS}")
        self.dir = Path(sweep_dir)
        self.lang = lang
        self.tables_dir = self.dir / "report" / "tables"
        self.fig_dir = self.dir / "report" / "figures"
        info_path = self.dir / SWEEP_INFO
        self.info = json.loads(info_path.read_text()) if info_path.exists() else {}
        self.cfg, self.cfg_yaml = _config(self.dir)
        self.col = collect(self.dir)
        runs = self.col.runs
        self.base = analysis.baseline_arm(runs)
        done = set(self.col.outcomes.get("arm", []))
        planned = self.info.get("expected", [])
        self.arms = [a for a in analysis.arm_order(runs, planned, self.base) if a in done]
        self.missing = analysis.missing_runs(runs, planned)
        self.paired = Paired(self.col.outcomes) if done else None
        self.effects = self.costs = self.density = None

    def _save_table(self, table: pd.DataFrame, name: str) -> None:
        self.tables_dir.mkdir(parents=True, exist_ok=True)
        table.to_csv(self.tables_dir / f"{name}.csv", index=False)
        table.to_parquet(self.tables_dir / f"{name}.parquet", index=False)

    def _figure(self, fig, name: str) -> str:
        return _img(figures.save(fig, self.fig_dir, name))

    def _w(self, key: str) -> str:
        return html.escape(t(WORDS, key, self.lang))

    def compute(self) -> None:
        """The tables every section reads."""
        self._save_table(self.col.runs, "runs")
        self._save_table(self.missing, "missing_runs")
        if self.paired is None:
            return
        self._save_table(self.col.outcomes, "run_outcomes")
        self.effects = analysis.effects(self.paired, self.arms, self.base)
        self._save_table(self.effects, "effects")
        if self.base is None:
            return
        self.costs = analysis.cost_effectiveness(self.paired, self.arms, self.base)
        self._save_table(self.costs, "cost_effectiveness")
        if len(self.col.density):
            self.density = analysis.density_effects(self.col.density, self.arms, self.base)
            self._save_table(self.density, "density_effects")

    def summary(self) -> str:
        lang, e = self.lang, self.effects.set_index(["arm", "outcome"])
        paragraphs = []
        for arm in self.arms:
            if arm == self.base or self.base is None:
                r = e.loc[(arm, "ess_jobs")]
                text = t(SENTENCES, "baseline", lang).format(
                    arm=arm_label(arm, lang), n=int(r.n),
                    jobs_label=t(OUTCOMES, "ess_jobs", lang), jobs=number(r.arm_mean, lang),
                    jobs_ci=interval(r.arm_low, r.arm_high, lang),
                    cost=number(e.loc[(arm, "public_cost_eur")].arm_mean, lang) + " €")
            else:
                text = self._arm_sentence(arm, e)
            paragraphs.append(f'<p class="arm">{html.escape(text)}</p>')
        return (f"<h2>{self._w('summary')}</h2>{''.join(paragraphs)}"
                f"<h2>{self._w('method')}</h2><p>{html.escape(t(SENTENCES, 'method', lang))}</p>")

    def _arm_sentence(self, arm: str, e: pd.DataFrame) -> str:
        lang = self.lang
        jobs, exits = e.loc[(arm, "ess_jobs")], e.loc[(arm, "insertion_exits_employment")]
        c = self.costs.set_index("arm").loc[arm]
        by_class = {}
        if self.density is not None:
            d = self.density[(self.density.arm == arm) & (self.density.outcome == "ess_jobs")]
            by_class = d.set_index("density_class")["diff"].to_dict()
        text = t(SENTENCES, "arm", lang).format(
            arm=arm_label(arm, lang), n=int(jobs.n_pairs),
            jobs=number(jobs["diff"], lang, signed=True),
            jobs_ci=interval(jobs.diff_low, jobs.diff_high, lang),
            exits=number(exits["diff"], lang, signed=True),
            exits_ci=interval(exits.diff_low, exits.diff_high, lang),
            cost=number(c.extra_cost_eur, lang) + " €",
            cpj=number(c.cost_per_job_year, lang) + " €", cpj_ci=interval(c.low, c.high, lang),
            dense=number(by_class.get("dense", float("nan")), lang, signed=True),
            relaxed=number(by_class.get("relaxed", float("nan")), lang, signed=True))
        significant = jobs.diff_low > 0 or jobs.diff_high < 0
        return text + t(SENTENCES, "significant" if significant else "not_significant", lang)

    def effects_section(self) -> str:
        lang, e = self.lang, self.effects.set_index(["outcome", "arm"])
        rows = []
        for key in OUTCOME_KEYS:
            cells = []
            for arm in self.arms:
                r = e.loc[(key, arm)]
                cells.append(_cell(r.arm_mean, r.arm_low, r.arm_high, lang, signed=False)
                             if arm == self.base else _diff_cell(r, lang))
            rows.append([html.escape(t(OUTCOMES, key, lang)), *cells])
        html_ = f"<h2>{self._w('effects')}</h2>"
        if self.base is None:
            html_ += f"<p>{self._w('no_baseline')}</p>"
        html_ += _table([""] + [arm_label(a, lang) for a in self.arms], rows)
        if self.base is not None:
            html_ += self._figure(figures.forest(self.effects, "ess_jobs", lang),
                                  "effects_ess_jobs")
        return html_

    def cost_section(self) -> str:
        lang = self.lang
        rows = [[html.escape(arm_label(r.arm, lang)), number(r.extra_cost_eur, lang),
                 number(r.net_job_years, lang, signed=True), number(r.cost_per_job_year, lang),
                 html.escape(interval(r.low, r.high, lang))] for r in self.costs.itertuples()]
        header = ["", t(OUTCOMES, "public_cost_eur", lang), t(OUTCOMES, "ess_job_years", lang),
                  t(WORDS, "eur_per_job_year", lang), t(WORDS, "ci", lang)]
        fig = self._figure(figures.cost_effectiveness(self.costs, lang), "cost_effectiveness")
        return f"<h2>{self._w('cost')}</h2>{_table(header, rows)}{fig}"

    def density_section(self) -> str:
        lang = self.lang
        classes = [c for c in DENSITY if c in set(self.density.density_class)]
        d = self.density.set_index(["arm", "outcome", "density_class"])
        rows = []
        for arm in self.arms:
            if arm == self.base:
                continue
            for key in ("ess_jobs", "insertion_exits_employment"):
                label = f"{arm_label(arm, lang)} — {t(OUTCOMES, key, lang)}"
                rows.append([html.escape(label)]
                            + [_diff_cell(d.loc[(arm, key, c)], lang) for c in classes])
        header = [""] + [t(DENSITY, c, lang) for c in classes]
        return f"<h2>{self._w('density')}</h2>{_table(header, rows)}"

    def series_section(self) -> str:
        imgs = "".join(
            self._figure(figures.series(self.col.series, key, self.arms, self.base, self.lang),
                         f"series_{key}") for key in SERIES)
        return f"<h2>{self._w('series')}</h2>{imgs}"

    def map_section(self) -> str:
        terr = analysis.territory_effects(self.col.territories, self.col.territory_meta,
                                          self.arms, self.base)
        self._save_table(terr, "territory_effects")
        levers = [a for a in self.arms if a != self.base]
        fig = self._figure(figures.effect_map(terr, levers, self.lang), "map_ess_jobs")
        return f"<h2>{self._w('map')}</h2>{fig}"

    def factorial_section(self) -> str:
        table = analysis.factorial(self.paired, self.col.runs)
        if table is None:
            return ""
        self._save_table(table, "factorial_effects")
        jobs = table[table.outcome == "ess_jobs"]
        label = t(OUTCOMES, "ess_jobs", self.lang)
        rows = [[html.escape(r.term), _cell(r.estimate, r.low, r.high, self.lang)]
                for r in jobs.itertuples()]
        fig = self._figure(figures.estimates(jobs, "term", label), "factorial_ess_jobs")
        return f"<h2>{self._w('factorial')}</h2>{_table(['', label], rows)}{fig}"

    def dose_section(self) -> str:
        table = analysis.dose_response(self.effects, self.col.runs)
        if table is None:
            return ""
        self._save_table(table, "dose_response")
        label = t(OUTCOMES, "ess_jobs", self.lang)
        fig = figures.dose_response(table[table.outcome == "ess_jobs"], label, self.lang)
        return f"<h2>{self._w('dose')}</h2>{self._figure(fig, 'dose_response_ess_jobs')}"

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
        fig = self._figure(figures.estimates(bars, "parameter", main), "sensitivity")
        caption = f"{t(OUTCOMES, key, self.lang)} — {arm_label(target, self.lang)}"
        return (f"{head}<p>{html.escape(caption)}</p>"
                f"{table.to_html(index=False, float_format='%.4g')}{fig}")

    def runs_section(self) -> str:
        runs, lang = self.col.runs, self.lang
        counts = runs.groupby(["arm", "status"]).size().unstack(fill_value=0)
        rows = [[html.escape(arm_label(a, lang))] + [str(int(v)) for v in r]
                for a, r in counts.iterrows()]
        parts = [f"<h2>{self._w('runs')}</h2>", _table(["", *counts.columns], rows)]
        failed = runs[runs.status == "failed"][["arm", "seed", "sample", "error"]]
        for word, table in (("missing", self.missing), ("failed", failed)):
            parts.append(f"<h3>{self._w(word)} ({len(table)})</h3>")
            if len(table):
                parts.append(table.to_html(index=False, na_rep=""))
        return "".join(parts)

    def provenance_section(self) -> str:
        parts = [(f"<h2>{self._w('command')}</h2>"
                  f"<pre>{html.escape(self.info.get('command', ''))}</pre>"),
                 f"<h2>{self._w('config')}</h2><pre>{html.escape(self.cfg_yaml)}</pre>"]
        runs = self.col.runs
        done = runs[(runs.status == "complete") & (runs.arm == (self.base or self.arms[0]))]
        if len(done):
            path = self.dir / done.sort_values("seed").iloc[0].dir / "manifest.json"
            if path.exists():
                config = json.dumps(json.loads(path.read_text()).get("config"), indent=2)
                parts.append(f"<details><summary>{self._w('model_config')}</summary>"
                             f"<pre>{html.escape(config)}</pre></details>")
        return "".join(parts)

    def render(self) -> str:
        """The whole page."""
        self.compute()
        sections = []
        if self.effects is not None:
            sections += [self.summary(), self.effects_section()]
        if self.costs is not None:
            sections.append(self.cost_section())
        if self.density is not None:
            sections.append(self.density_section())
        if len(self.col.series):
            sections.append(self.series_section())
        if self.base is not None and len(self.col.territories):
            sections.append(self.map_section())
        if self.effects is not None:
            sections += [self.factorial_section(), self.sensitivity_section()]
            if self.base is not None:
                sections.append(self.dose_section())
        sections += [self.runs_section(), self.provenance_section()]
        title = html.escape(t(WORDS, "title", self.lang))
        name = html.escape(self.info.get("experiment") or self.dir.name)
        return (f'<!DOCTYPE html><html lang="{self.lang}"><head><meta charset="utf-8">'
                f"<title>{title} — {name}</title><style>{CSS}</style></head><body>"
                f"<h1>{title}</h1><p>{name}</p>{''.join(sections)}</body></html>")


def build_report(sweep_dir: Path, lang: str = "fr") -> Path:
    """Write `<sweep_dir>/report/report.<lang>.html` with its tables and figures; return it."""
    report = Report(sweep_dir, lang)
    path = report.dir / "report" / f"report.{lang}.html"
    page = report.render()
    path.write_text(page, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    """Command line: build the report of an existing sweep directory."""
    parser = argparse.ArgumentParser(description="Build the report of an experiment sweep.")
    parser.add_argument("sweep_dir", type=Path)
    parser.add_argument("--lang", choices=LANGS, default="fr")
    args = parser.parse_args(argv)
    print(f"Report: {build_report(args.sweep_dir, args.lang)}")


if __name__ == "__main__":
    main()
