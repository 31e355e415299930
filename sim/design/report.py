"""The design's tables (Parquet), its figure and a short report in French and English: for the
budget, the package to choose, its effect with 95 % intervals, how it holds across conditions
and where it fails. Everything is rebuilt from the design folder's tables."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from sim.design.config import Design
from sim.experiments.texts import money, number, percent
from sim.outputs import write_parquet

TABLES = ("candidates", "robustness", "scores", "failure_boxes")

TEXT = {
    "fr": {
        "title": "Conception d'un bouquet de leviers sous budget",
        "budget": "Budget public annuel (leviers et aides induites) : {budget}, {seeds} graines "
                  "appariées, {n} bouquets évalués ({front} sur le front de Pareto).",
        "choice": "**Choix robuste** : {package}. Emplois ESS nets (années-emplois) sous le "
                  "scénario central : {jobs} [IC 95 % {low} ; {high}], coût public {cost} par an ; "
                  "atteint la cible de {target} années-emplois dans {share} des {conditions} "
                  "conditions (regret maximal {regret}).",
        "front": "Front de Pareto (scénario central)",
        "cols": ["Bouquet", "Années-emplois ESS nettes [IC 95 %]",
                 "Sorties durables d'insertion [IC 95 %]", "Coût public par an [IC 95 %]"],
        "robust": "Robustesse entre scénarios et paramètres",
        "rcols": ["Bouquet", "Part des conditions où la cible est atteinte", "Regret maximal",
                  "Effet moyen [IC 95 %]"],
        "fails": "Où le bouquet retenu échoue (PRIM)",
        "box": "Boîte : {limits} — couverture {coverage}, densité {density} "
               "({failures} échecs sur {conditions} conditions).",
        "never": "Le bouquet retenu atteint la cible dans toutes les conditions échantillonnées "
                 "ou n'y parvient dans aucune : aucune boîte ne sépare échec et succès.",
        "none": "Aucun bouquet ne respecte le budget : augmentez-le ou réduisez les doses.",
        "xlabel": "Coût public par an (€)", "ylabel": "Années-emplois ESS nettes",
        "legend": ["bouquets", "front de Pareto", "budget"],
    },
    "en": {
        "title": "Designing a lever package under a budget",
        "budget": "Yearly public budget (levers and induced aid): {budget}, {seeds} paired "
                  "seeds, {n} packages evaluated ({front} on the Pareto front).",
        "choice": "**Robust choice**: {package}. Net ESS job-years under the central scenario: "
                  "{jobs} [95% CI {low}; {high}], public cost {cost} a year; reaches the target of "
                  "{target} job-years in {share} of the {conditions} conditions (maximum regret "
                  "{regret}).",
        "front": "Pareto front (central scenario)",
        "cols": ["Package", "Net ESS job-years [95% CI]", "Durable insertion exits [95% CI]",
                 "Public cost a year [95% CI]"],
        "robust": "Robustness across scenarios and parameters",
        "rcols": ["Package", "Share of conditions meeting the target", "Maximum regret",
                  "Mean effect [95% CI]"],
        "fails": "Where the chosen package fails (PRIM)",
        "box": "Box: {limits} — coverage {coverage}, density {density} ({failures} failures in "
               "{conditions} conditions).",
        "never": "The chosen package meets the target in every sampled condition, or in none: no "
                 "box separates failure from success.",
        "none": "No package keeps within the budget: raise it or lower the doses.",
        "xlabel": "Public cost a year (€)", "ylabel": "Net ESS job-years",
        "legend": ["packages", "Pareto front", "budget"],
    },
}


def write_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> None:
    out = folder / "tables"
    out.mkdir(exist_ok=True)
    for name, frame in tables.items():
        frame = frame.copy()
        if "params" in frame:
            frame["params"] = frame["params"].map(lambda p: ";".join(
                f"{k}={v}" for k, v in sorted(p.items())))
        write_parquet(frame, out / f"{name}.parquet")


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(folder / "tables" / f"{name}.parquet") for name in TABLES}


def write_reports(folder: Path, design: Design) -> list[Path]:
    tables = read_tables(folder)
    _figure(tables["candidates"], design, folder / "pareto.png", "en")
    paths = []
    for lang in ("fr", "en"):
        path = folder / f"report.{lang}.md"
        path.write_text(render(tables, design, lang))
        paths.append(path)
    return paths


def _interval(row, key: str, lang: str, fmt=number) -> str:
    return (f"{fmt(row[key], lang)} [{fmt(row[key + '_low'], lang)} ; "
            f"{fmt(row[key + '_high'], lang)}]")


def render(tables: dict[str, pd.DataFrame], design: Design, lang: str) -> str:
    t, cand, scores = TEXT[lang], tables["candidates"], tables["scores"]
    lines = [f"# {t['title']}", "",
             t["budget"].format(budget=money(design.budget_eur_per_year, lang),
                                seeds=len(design.seeds), n=len(cand), front=int(cand.pareto.sum())),
             ""]
    if not cand.feasible.any():
        return "\n".join([*lines, t["none"], ""])
    best = scores.iloc[0]
    central = cand.set_index("package").loc[best.package]
    lines += [t["choice"].format(
        package=best.package, jobs=number(central.job_years, lang),
        low=number(central.job_years_low, lang), high=number(central.job_years_high, lang),
        cost=money(central.public_cost_eur_per_year, lang),
        target=number(design.robustness.target_job_years, lang),
        share=percent(best.satisficing, lang, signed=False), conditions=int(best.conditions),
        regret=number(best.max_regret_job_years, lang)), "", "![](pareto.png)", "",
        f"## {t['front']}", "", _row(t["cols"]), _row(["---"] * 4)]
    for _, row in cand[cand.pareto].iterrows():
        lines.append(_row([row.package, _interval(row, "job_years", lang),
                           _interval(row, "exits_durable", lang),
                           _interval(row, "public_cost_eur_per_year", lang, money)]))
    lines += ["", f"## {t['robust']}", "", _row(t["rcols"]), _row(["---"] * 4)]
    for _, row in scores.iterrows():
        lines.append(_row([row.package, percent(row.satisficing, lang, signed=False),
                           number(row.max_regret_job_years, lang),
                           _interval(row, "job_years", lang)]))
    lines += ["", f"## {t['fails']}", "", _boxes(tables["failure_boxes"], lang), ""]
    return "\n".join(lines)


def _boxes(boxes: pd.DataFrame, lang: str) -> str:
    t = TEXT[lang]
    if boxes.empty:
        return t["never"]
    limits = "; ".join(_limit(r, lang) for _, r in boxes.iterrows())
    first = boxes.iloc[0]
    return t["box"].format(limits=limits, coverage=percent(first.coverage, lang, signed=False),
                           density=percent(first.density, lang, signed=False),
                           failures=int(first.failures), conditions=int(first.conditions))


def _limit(r, lang: str) -> str:
    if pd.isna(r.low):
        return r.dimension
    if r.dimension.startswith("scenario="):  # a 0/1 column: the box keeps one side
        return r.dimension if r.low > 0 else r.dimension.replace("=", " ≠ ", 1)
    return f"{number(r.low, lang)} ≤ {r.dimension} ≤ {number(r.high, lang)}"


def _row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _figure(cand: pd.DataFrame, design: Design, path: Path, lang: str) -> None:
    t = TEXT[lang]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    err = [cand.job_years - cand.job_years_low, cand.job_years_high - cand.job_years]
    ax.errorbar(cand.public_cost_eur_per_year, cand.job_years, yerr=err, fmt="o", color="0.7",
                label=t["legend"][0])
    front = cand[cand.pareto].sort_values("public_cost_eur_per_year")
    ax.plot(front.public_cost_eur_per_year, front.job_years, "o-", color="C0",
            label=t["legend"][1])
    ax.axvline(design.budget_eur_per_year, color="C3", linestyle="--", label=t["legend"][2])
    ax.set_xlabel(t["xlabel"])
    ax.set_ylabel(t["ylabel"])
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
