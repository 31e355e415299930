"""The design's tables (Parquet), its figure and a short report in French and English: for the
budget, the package to choose, its effect with 95 % intervals, how it holds across conditions
and where it fails. Everything is rebuilt from the design folder's tables."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

from sim.design.config import TAX_MEASURE, Design, payer_measure
from sim.design.targets import ALL_TERRITORIES, COMBINE, REGION_PREFIX, kinds_of
from sim.experiments.texts import DENSITY_WHERE, SCENARIOS, money, number, percent, t
from sim.outputs import write_parquet

TABLES = ("candidates", "robustness", "scores", "failure_boxes")
ARCHETYPE_WHERE = {
    "metropolis": ("dans les métropoles", "in metropolises"),
    "medium_town": ("dans les villes moyennes", "in medium towns"),
    "rural": ("dans les territoires ruraux", "in rural territories"),
    "industrial_basin": ("dans les bassins industriels", "in industrial basins"),
}

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
                 "Sorties durables d'insertion [IC 95 %]", "Coût public par an [IC 95 %]",
                 "Dont, par payeur (moyenne par an ; la dépense fiscale à part)"],
        "caps": "Plafonds par payeur et par an : {caps}.",
        "payers": {"state": "État", "regions": "Régions", "departements": "départements",
                   "intercommunalities": "intercommunalités et communes",
                   "public_investment_bank": "banque publique d'investissement"},
        "tax": "{payer} (dépense fiscale : TVA non perçue)",
        "spent": "{payer} (dépenses)",
        "robust": "Robustesse entre scénarios et paramètres",
        "rcols": ["Bouquet", "Part des conditions où la cible est atteinte",
                  "Regret maximal (années-emplois)", "Effet moyen sur les conditions [IC 95 %]"],
        "unsure": "L'intervalle de l'effet central contient zéro : avec {seeds} graines, ce "
                  "bouquet ne se distingue pas de l'absence de levier ; ajoutez des graines "
                  "(`seeds=`) avant de conclure.",
        "fails": "Où le bouquet retenu échoue (PRIM)",
        "box": "Boîte : {limits} — couverture {coverage}, densité {density} "
               "(échecs : {failures} sur {conditions} conditions).",
        "from": "dès le mois {m}", "region": "en région {region}",
        "scenario": "scénario", "baseline": "aucun levier",
        "never": "Le bouquet retenu atteint la cible dans toutes les conditions échantillonnées "
                 "ou n'y parvient dans aucune : aucune boîte ne sépare échec et succès.",
        "none": "Aucun bouquet ne respecte le budget : augmentez-le ou réduisez les doses.",
        "xlabel": "Coût public par an (leviers et aides induites)",
        "ylabel": "Années-emplois ESS nettes",
        "legend": ["bouquets", "front de Pareto", "budget"],
        "alt": "Années-emplois ESS nettes de chaque bouquet selon son coût public annuel, avec "
               "leurs intervalles, le front de Pareto et le budget",
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
                 "Public cost a year [95% CI]",
                 "Of which, by payer (mean a year; the tax expenditure apart)"],
        "caps": "Caps per payer a year: {caps}.",
        "payers": {"state": "State", "regions": "Regions", "departements": "départements",
                   "intercommunalities": "intercommunalities and communes",
                   "public_investment_bank": "public investment bank"},
        "tax": "{payer} (tax expenditure: VAT forgone)",
        "spent": "{payer} (spending)",
        "robust": "Robustness across scenarios and parameters",
        "rcols": ["Package", "Share of conditions meeting the target",
                  "Maximum regret (job-years)", "Mean effect over conditions [95% CI]"],
        "unsure": "The central effect's interval contains zero: with {seeds} seeds this package "
                  "cannot be told from no lever; add seeds (`seeds=`) before concluding.",
        "fails": "Where the chosen package fails (PRIM)",
        "box": "Box: {limits} — coverage {coverage}, density {density} (failures: {failures} "
               "of {conditions} conditions).",
        "from": "from month {m}", "region": "in {region}",
        "scenario": "scenario", "baseline": "no lever",
        "never": "The chosen package meets the target in every sampled condition, or in none: no "
                 "box separates failure from success.",
        "none": "No package keeps within the budget: raise it or lower the doses.",
        "xlabel": "Public cost a year (levers and induced aid)",
        "ylabel": "Net ESS job-years",
        "legend": ["packages", "Pareto front", "budget"],
        "alt": "Net ESS job-years of each package against its yearly public cost, with their "
               "intervals, the Pareto front and the budget",
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
    paths = []
    for lang in ("fr", "en"):
        _figure(tables["candidates"], design, folder / f"pareto.{lang}.png", lang)
        path = folder / f"report.{lang}.md"
        text = render(tables, design, lang)
        path.write_text(text)
        page = folder / f"report.{lang}.html"
        page.write_text(html_page(text, folder, lang), encoding="utf-8")
        paths += [path, page]
    return paths


def html_page(text: str, folder: Path, lang: str) -> str:
    """The Markdown report as one self-contained page in the lever report's style (its figure
    embedded), for readers who open the HTML lever report and not Markdown."""
    import markdown

    from sim.experiments.report import CSS

    body = markdown.markdown(text, extensions=["tables"], output_format="html")
    figure = f"pareto.{lang}.png"
    embedded = base64.b64encode((folder / figure).read_bytes()).decode()
    body = body.replace(f'src="{figure}"', f'src="data:image/png;base64,{embedded}"')
    title = html.escape(TEXT[lang]["title"])
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title><style>{CSS}</style></head><body>{body}</body></html>")


def describe(params: str, lang: str) -> str:
    """A package for readers, from its trial parameters ("land_trust.intensity=0.5;..."): each
    lever's name, dose, start and targeting, e.g. "Foncière solidaire 50 % dès le mois 24
    (en territoires denses)"."""
    from sim.policies import REGISTRY

    values = dict(item.split("=", 1) for item in params.split(";") if item)
    parts = []
    for lever in dict.fromkeys(key.split(".")[0] for key in values):
        dose = float(values[f"{lever}.intensity"])
        if dose <= 0:
            continue
        text = f"{REGISTRY[lever].label[lang]} {percent(dose, lang, signed=False)}"
        if int(values[f"{lever}.start_month"]):
            text += " " + TEXT[lang]["from"].format(m=values[f"{lever}.start_month"])
        where = values.get(f"{lever}.target", ALL_TERRITORIES)
        if where != ALL_TERRITORIES:
            text += f" ({_where(where, lang)})"
        parts.append(text)
    return " + ".join(parts) or TEXT[lang]["baseline"]


def _where(target: str, lang: str) -> str:
    """A lever's target for readers: "en territoires denses", "in Bretagne"; a combination's
    values of one kind joined by "or", its kinds by "and" ("in dense territories or in
    intermediate territories and in Bretagne")."""
    if COMBINE in target:
        words = {"fr": (" ou ", " et "), "en": (" or ", " and ")}[lang]
        return words[1].join(words[0].join(_where(v, lang) for v in values)
                             for values in kinds_of(target))
    if target.startswith(REGION_PREFIX):
        from sim.territories.real import national

        code, table = target.removeprefix(REGION_PREFIX), national()
        names = dict(zip(table.region_code.tolist(), table.region.tolist(), strict=True))
        return TEXT[lang]["region"].format(region=names.get(code, code))
    return t(DENSITY_WHERE if target in DENSITY_WHERE else ARCHETYPE_WHERE, target, lang)


def _interval(row, key: str, lang: str, fmt=number) -> str:
    separator = " ; " if lang == "fr" else "; "
    return (f"{fmt(row[key], lang)} [{fmt(row[key + '_low'], lang)}{separator}"
            f"{fmt(row[key + '_high'], lang)}]")


def render(tables: dict[str, pd.DataFrame], design: Design, lang: str) -> str:
    """The report in one language: conclusion first, then the front, robustness, failures."""
    words, cand, scores = TEXT[lang], tables["candidates"], tables["scores"]
    lines = [f"# {words['title']}", "", words["budget"].format(
        budget=money(design.budget_eur_per_year, lang), seeds=len(design.seeds), n=len(cand),
        front=int(cand.pareto.sum())), ""]
    caps = design.budget_by_payer_eur_per_year
    if caps:
        lines += [words["caps"].format(caps=", ".join(
            f"{words['payers'][p]} {money(cap, lang)}" for p, cap in sorted(caps.items()))), ""]
    if not cand.feasible.any():
        return "\n".join([*lines, words["none"], ""])
    readable = {row.package: describe(row.params, lang) for row in cand.itertuples()}
    lines += _conclusion(cand, scores.iloc[0], readable, design, lang)
    lines += ["", f"![{words['alt']}](pareto.{lang}.png)", "", f"## {words['front']}", "",
              _row(words["cols"]), _row(["---"] * 5)]
    lines += [_row([readable[row.package], _interval(row, "job_years", lang),
                    _interval(row, "exits_durable", lang),
                    _interval(row, "public_cost_eur_per_year", lang, money),
                    _by_payer(row, lang)])
              for _, row in cand[cand.pareto].iterrows()]
    lines += ["", f"## {words['robust']}", "", _row(words["rcols"]), _row(["---"] * 4)]
    lines += [_row([readable[row.package], percent(row.satisficing, lang, signed=False),
                    number(row.max_regret_job_years, lang), _interval(row, "job_years", lang)])
              for _, row in scores.iterrows()]
    lines += ["", f"## {words['fails']}", "", _boxes(tables["failure_boxes"], lang), ""]
    return "\n".join(lines)


def _conclusion(cand: pd.DataFrame, best, readable: dict, design: Design, lang: str) -> list:
    """The robust choice, its central effect with its interval, and a warning when that
    interval contains zero."""
    words, central = TEXT[lang], cand.set_index("package").loc[best.package]
    lines = [words["choice"].format(
        package=readable[best.package], jobs=number(central.job_years, lang),
        low=number(central.job_years_low, lang), high=number(central.job_years_high, lang),
        cost=money(central.public_cost_eur_per_year, lang),
        target=number(design.robustness.target_job_years, lang),
        share=percent(best.satisficing, lang, signed=False), conditions=int(best.conditions),
        regret=number(best.max_regret_job_years, lang))]
    if central.job_years_low <= 0 <= central.job_years_high:
        lines += ["", words["unsure"].format(seeds=len(design.seeds))]
    return lines


def by_payer(row) -> list[tuple[str, str | None, float]]:
    """A package's yearly public cost split completely: (payer, None or "tax" or "spent",
    € a year) for every payer of `sim.outcomes.PAYERS` (0 when it bears nothing), the State's
    tax expenditure (revenue forgone) apart from its spending as the dashboard shows it; the
    parts add up to the package's public cost a year."""
    from sim.outcomes import PAYERS

    parts = []
    for payer in PAYERS:
        value = float(row[payer_measure(payer)])
        if payer == "state" and row[TAX_MEASURE]:
            parts += [(payer, "spent", value - float(row[TAX_MEASURE])),
                      (payer, "tax", float(row[TAX_MEASURE]))]
        else:
            parts.append((payer, None, value))
    return parts


def _by_payer(row, lang: str) -> str:
    """Every payer's share of a package's yearly cost (a saving is negative), the largest
    first, the tax expenditure apart."""
    words, totals = TEXT[lang], {}
    for payer, _, value in by_payer(row):
        totals[payer] = totals.get(payer, 0.0) + value
    # payers by what they bear; the State's spending and tax expenditure side by side
    parts = sorted(by_payer(row), key=lambda x: -abs(totals[x[0]]))
    return ", ".join(
        f"{words[kind].format(payer=words['payers'][p]) if kind else words['payers'][p]} "
        f"{money(v, lang)}" for p, kind, v in parts)


def _boxes(boxes: pd.DataFrame, lang: str) -> str:
    words = TEXT[lang]
    if boxes.empty:
        return words["never"]
    limits = "; ".join(_limit(r, lang) for _, r in boxes.iterrows())
    first = boxes.iloc[0]
    return words["box"].format(limits=limits, coverage=percent(first.coverage, lang, signed=False),
                           density=percent(first.density, lang, signed=False),
                           failures=int(first.failures), conditions=int(first.conditions))


def _limit(r, lang: str) -> str:
    if pd.isna(r.low):
        return r.dimension
    if r.dimension.startswith("scenario="):  # a 0/1 column: the box keeps one side
        name = t(SCENARIOS, r.dimension.split("=", 1)[1], lang)
        return f"{TEXT[lang]['scenario']} {'=' if r.low > 0 else '≠'} {name}"
    return f"{number(r.low, lang)} ≤ {r.dimension} ≤ {number(r.high, lang)}"


def _row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _figure(cand: pd.DataFrame, design: Design, path: Path, lang: str) -> None:
    words = TEXT[lang]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    err = [cand.job_years - cand.job_years_low, cand.job_years_high - cand.job_years]
    ax.errorbar(cand.public_cost_eur_per_year, cand.job_years, yerr=err, fmt="o", color="0.7",
                label=words["legend"][0])
    front = cand[cand.pareto].sort_values("public_cost_eur_per_year")
    ax.plot(front.public_cost_eur_per_year, front.job_years, "o-", color="C0",
            label=words["legend"][1])
    ax.axvline(design.budget_eur_per_year, color="C3", linestyle="--", label=words["legend"][2])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: money(x, lang, digits=2)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: number(y, lang, digits=3)))
    ax.set_xlabel(words["xlabel"])
    ax.set_ylabel(words["ylabel"])
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
