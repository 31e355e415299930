"""Words of the report in French (for the ministries) and English, and number formatting.

One way to write each kind of number, used by every table, sentence and chart of the report:
counts to three significant figures without trailing zeros, money in k€ / M€ / Md€ (€k / €m /
€bn in English), intervals as "[low ; high]" ("[low; high]" in English), French thousands
separated by a narrow no-break space and decimals by a comma.
"""

import math
from decimal import ROUND_HALF_UP, Decimal

from sim.experiments.stats import cost_per_job_undefined
from sim.outcomes import BY_KEY, Aggregation
from sim.outcomes import OUTCOMES as REGISTRY
from sim.policies import REGISTRY as LEVERS

LANGS = ("fr", "en")
NNBSP = "\u202f"  # narrow no-break space: French thousands separator and space before %, ;

# Report outcomes named after a column of the outcomes registry (`sim.outcomes`) under another
# key; `ess_job_years` is the report's own (the time integral of ESS jobs), named here.
REGISTRY_KEY = {"ess_jobs": "ess_jobs_total"}
DERIVED = {"ess_job_years": ("Années-emplois ESS", "ESS job-years")}
# What a headline reads of a monthly column, said after its registry label.
READ_AS = {
    Aggregation.STOCK: ("fin d'horizon", "end of horizon"),
    Aggregation.FLOW: ("cumul", "cumulative"),
}
# The registry's units in words, for chart axes.
UNIT_WORDS = {
    "jobs": ("emplois", "jobs"),
    "enterprises": ("entreprises", "enterprises"),
    "persons/month": ("personnes par mois", "persons per month"),
    "€": ("€", "€"),
}


def _with_reading(label: str, reading: str) -> str:
    """"Emplois ESS (total)" + "fin d'horizon" → "Emplois ESS (total, fin d'horizon)"."""
    if label.endswith(")"):
        return f"{label[:-1]}, {reading})"
    return f"{label} ({reading})"


def _outcome_labels() -> dict[str, tuple[str, str]]:
    """FR/EN labels of every registry outcome (under the report's key where it has its own),
    with how a headline reads it; the report's derived outcomes."""
    labels = dict(DERIVED)
    keys = {o.key: o.key for o in REGISTRY} | {v: k for k, v in REGISTRY_KEY.items()}
    for outcome in REGISTRY:
        reading = READ_AS.get(outcome.aggregation)
        pair = tuple(_with_reading(outcome.label(lang), reading[i]) if reading
                     else outcome.label(lang) for i, lang in enumerate(LANGS))
        labels[keys[outcome.key]] = pair
    return labels


OUTCOMES = _outcome_labels()


def unit(key: str, lang: str) -> str:
    """The unit of a report outcome in words ("emplois"), from the registry."""
    outcome = BY_KEY[REGISTRY_KEY.get(key, key)]
    return t(UNIT_WORDS, outcome.unit, lang)


def outcome_in_sentence(key: str, lang: str) -> str:
    """"les emplois ESS" / "ESS jobs": the registry's label without its parenthesis."""
    label = t(OUTCOMES, key, lang).split(" (")[0]
    return label[0].lower() + label[1:] if label[1:2].islower() else label


# Why an outcome can be identical in every arm: said under the tables that leave it out.
EXOGENOUS = {
    "industrial_jobs": (
        "exogènes dans ce modèle : ils suivent la tendance d'emploi industriel du scénario, "
        "qu'aucun levier ne modifie",
        "exogenous in this model: they follow the scenario's industrial employment trend, "
        "which no lever changes"),
}

# Arms that are not a lever (a lever's label is its `Policy.label`).
ARMS = {
    "baseline": ("Référence (aucun levier)", "Baseline (no lever)"),
    "all_four": ("Les quatre leviers", "All four levers"),
}

DENSITY = {
    "dense": ("dense", "dense"),
    "intermediate": ("intermédiaire", "intermediate"),
    "relaxed": ("détendu", "relaxed"),
}
# "… in dense territories" inside a sentence.
DENSITY_WHERE = {
    "dense": ("en territoires denses", "in dense territories"),
    "intermediate": ("en territoires intermédiaires", "in intermediate territories"),
    "relaxed": ("en territoires détendus", "in relaxed territories"),
}

# Titles of the "where it works" section, by the level its territories group at.
WHERE = {
    "region": ("Où chaque levier agit : par région", "Where each lever works: by region"),
    "departement": ("Où chaque levier agit : par département",
                    "Where each lever works: by département"),
    "epci": ("Où chaque levier agit : par EPCI", "Where each lever works: by EPCI"),
}
WHERE_BY = {
    "region": ("par région", "by region"),
    "departement": ("par département", "by département"),
    "epci": ("par EPCI", "by EPCI"),
}

SCENARIOS = {
    "central": ("central", "central"),
    "reindustrialisation": ("réindustrialisation", "reindustrialisation"),
    "recession": ("récession", "recession"),
    "high_rates": ("taux élevés", "high rates"),
}

STATUS = {
    "complete": ("terminée", "complete"),
    "failed": ("en échec", "failed"),
    "running": ("interrompue", "interrupted"),
}

MONTHS = (
    ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
     "octobre", "novembre", "décembre"),
    ("January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"),
)

WORDS = {
    "title": ("Comparaison de leviers pour l'ESS", "Lever comparison for the ESS"),
    "key_findings": ("En bref", "Key findings"),
    "summary": ("Ce que fait chaque levier", "What each lever does"),
    "levels": ("Niveaux atteints par chaque scénario (moyenne sur les graines)",
               "Levels reached by each scenario (mean over the seeds)"),
    "levels_note": ("Entre crochets : intervalle de confiance à 95 % de la moyenne sur les "
                    "graines (la dispersion d'une simulation à l'autre, pas l'incertitude sur "
                    "les paramètres).",
                    "In brackets: 95% confidence interval of the mean over the seeds (the "
                    "spread from run to run, not the uncertainty of the parameters)."),
    "baseline_only": ("Seule la référence a été simulée : le rapport donne des niveaux, sans "
                      "effet de levier ni coût par emploi.",
                      "Only the baseline was run: the report gives levels, without lever "
                      "effects or costs per job."),
    "effects": ("Effets des leviers : différence avec la référence, graine par graine "
                "(moyenne [IC 95 %])",
                "Lever effects: difference to the baseline, seed by seed (mean [95% CI])"),
    "cost": ("Coût public par année-emploi nette créée", "Public cost per net job-year created"),
    "density": ("Effets selon la densité du territoire (différence avec la référence "
                "[IC 95 %])",
                "Effects by territory density (difference to the baseline [95% CI])"),
    "series": ("Trajectoires mensuelles (moyenne et IC 95 %)",
               "Monthly trajectories (mean and 95% CI)"),
    "map": ("Où chaque levier agit (effet sur les emplois ESS par EPCI)",
            "Where each lever acts (effect on ESS jobs by EPCI)"),
    "factorial": ("Plan factoriel : effets principaux et interactions",
                  "Factorial design: main effects and interactions"),
    "dose": ("Relation dose-réponse", "Dose-response"),
    "sensitivity": ("Analyse de sensibilité", "Sensitivity analysis"),
    "runs": ("Simulations", "Runs"),
    "method": ("Méthode", "Method"),
    "command": ("Commande exacte", "Exact command"),
    "config": ("Configuration", "Configuration"),
    "config_details": ("Configuration résolue du balayage (cliquer pour déplier)",
                       "Resolved configuration of the sweep (click to expand)"),
    "model_config": ("Configuration du modèle (référence, première graine)",
                     "Model configuration (baseline, first seed)"),
    "swept": ("Balayage", "Sweep"),
    "arms_swept": ("scénarios", "scenarios"),
    "seeds_swept": ("graines", "seeds"),
    "missing": ("Simulations manquantes", "Missing runs"),
    "failed": ("Simulations en échec", "Failed runs"),
    "status": ("Statut", "Status"),
    "scenario_col": ("Scénario", "Scenario"),
    "seed_col": ("Graine", "Seed"),
    "sample_col": ("Échantillon", "Sample"),
    "parameter_col": ("Paramètre", "Parameter"),
    "error_col": ("Erreur (telle qu'enregistrée)", "Error (as recorded)"),
    "level": ("Niveau", "Level"),
    "difference": ("Différence avec la référence", "Difference to baseline"),
    "month": ("Mois de simulation", "Simulation month"),
    "unbounded": ("non borné", "unbounded"),
    "cost_undefined_note": (
        ("Le coût par année-emploi n'est un prix que si le levier ajoute des emplois à coup "
         "sûr : quand l'effet sur l'emploi est négatif ou que son intervalle contient zéro, le "
         "rapport (et son intervalle, alors non borné) ne se lit pas, et le graphique ne "
         "montre que les autres leviers."),
        ("A cost per job-year is a price only when the lever clearly adds jobs: when the job "
         "effect is negative or its interval holds zero, the ratio (and its interval, then "
         "unbounded) cannot be read, and the chart shows only the other levers."),
    ),
    "no_baseline": ("Aucun bras de référence (sans levier) : pas d'effets appariés.",
                    "No baseline arm (without levers): no paired effects."),
    "extra_cost": ("Surcoût public (horizon entier)", "Extra public cost (whole horizon)"),
    "cost_by_payer": ("Dont, par payeur (surcoût sur l'horizon entier [IC 95 %])",
                      "Of which, by payer (extra cost over the whole horizon [95% CI])"),
    "cost_by_payer_note": (
        ("Le même surcoût, apparié graine par graine, réparti selon qui le porte ; les parts "
         "s'additionnent au surcoût public total. La dépense fiscale (TVA non perçue) fait "
         "partie de la part de l'État ; une économie est négative. La prime des marchés "
         "réservés est portée par l'acheteur de chaque lot (parts de l'OECP) ; les hôpitaux "
         "publics comptent avec l'État. Le modèle n'a pas de sécurité sociale : ce qu'elle "
         "paie en réalité n'y figure pas."),
        ("The same extra cost, paired seed by seed, split by who bears it; the parts add up to "
         "the total extra public cost. The tax expenditure (VAT forgone) is part of the "
         "State's share; a saving is negative. The reserved markets' premium is borne by "
         "each lot's buyer (OECP shares); public hospitals count with the State. The model has "
         "no social security: what it pays in reality is not in it."),
    ),
    "net_job_years": ("Années-emplois nettes [IC 95 %]", "Net job-years [95% CI]"),
    "eur_per_job_year": ("Coût par année-emploi nette [IC 95 %]",
                         "Cost per net job-year [95% CI]"),
    "eur_per_job_year_axis": ("€ par année-emploi nette", "€ per net job-year"),
    "dose_axis": ("Dose", "Dose"),
    "sensitivity_incomplete": ("Plan d'expérience incomplet : indices non calculés.",
                               "Incomplete design: indices not computed."),
    "runs_label": ("simulations", "runs"),
    "horizon": ("horizon", "horizon"),
    "months": ("mois", "months"),
    "scenario": ("scénario", "scenario"),
    "date": ("simulé le", "run on"),
    "significant_note": (
        "Entre crochets : intervalle de confiance à 95 %. En gras : effet significatif "
        "(l'intervalle exclut zéro) ; en rouge : effet défavorable significatif.",
        "In brackets: 95% confidence interval. Bold: significant effect (the interval "
        "excludes zero); red: significant adverse effect."),
    "map_colour": ("Différence d'emplois ESS en fin d'horizon (emplois)",
                   "Difference in ESS jobs at the end of the horizon (jobs)"),
    "map_caption": (
        "Chaque cellule est la zone la plus proche du centre d'un EPCI (cellules de Voronoï "
        "calculées sur tous les EPCI de France métropolitaine, chacune limitée à un disque de "
        "1,8 fois le rayon de la surface de son EPCI ; territoires synthétiques : un disque "
        "autour de chaque centre). C'est une approximation des contours, pas les limites "
        "officielles ; trait épais : limites de régions. Échelle de couleur bornée au 95e "
        "centile des effets, les valeurs au-delà prennent la couleur extrême.",
        "Each cell is the area closest to an EPCI's centre (Voronoi cells computed over every "
        "EPCI of metropolitan France, each limited to a disc of 1.8 times the radius of its "
        "EPCI's area; synthetic territories: a disc around each centre). It approximates the "
        "boundaries, it does not draw the official ones; thick lines: region borders. Colour "
        "scale capped at the 95th percentile of the effects; values beyond take the end "
        "colour."),
    "series_note": (
        "Les marches annuelles (mois 12, 24, …) ne sont pas du bruit : une fois par an, "
        "l'État redéploie les postes d'insertion conventionnés (conventions annuelles), "
        "et les structures excédentaires distribuent leur surplus en fin d'exercice.",
        "The yearly steps (months 12, 24, …) are not noise: once a year the State "
        "redeploys the funded insertion posts (annual conventions), and structures in "
        "surplus pay it out at the year's end."),
    "dropped": ("Non montré car identique dans tous les scénarios", "Not shown: identical in "
                "every scenario"),
    "same_everywhere": ("aucun levier ne le modifie sur cet horizon",
                        "no lever changes it over this horizon"),
    "alt_series": ("Courbes mensuelles de {what} par scénario et différence avec la référence",
                   "Monthly curves of {what} by scenario and difference to the baseline"),
    "alt_forest": ("Effet de chaque levier sur {what}, avec son intervalle de confiance",
                   "Effect of each lever on {what}, with its confidence interval"),
    "alt_cost": ("Coût public par année-emploi nette de chaque levier, avec son intervalle",
                 "Public cost per net job-year of each lever, with its interval"),
    "alt_map": ("Carte des EPCI colorés selon l'effet de chaque levier sur les emplois ESS",
                "Map of EPCIs coloured by each lever's effect on ESS jobs"),
    "alt_factorial": ("Effets principaux et interactions des leviers sur les emplois ESS",
                      "Main effects and interactions of the levers on ESS jobs"),
    "alt_dose": ("Effet sur les emplois ESS selon la dose du levier",
                 "Effect on ESS jobs by the lever's dose"),
    "alt_sensitivity": ("Indices de sensibilité des paramètres incertains",
                        "Sensitivity indices of the uncertain parameters"),
    "base_jobs": ("Emplois ESS, référence [IC 95 %]", "ESS jobs, baseline [95% CI]"),
    "per_100k": ("Emplois ESS pour 100 000 habitants [IC 95 %]",
                 "ESS jobs per 100,000 inhabitants [95% CI]"),
    "relative_axis": ("Effet sur les emplois ESS en fin d'horizon (% de la référence)",
                      "Effect on ESS jobs at the end of the horizon (% of the baseline)"),
    "groups_note": (
        "Effet relatif sur les emplois ESS en fin d'horizon, {by} : moyenne sur les graines "
        "de (scénario − référence) / référence, intervalle de confiance à 95 % entre crochets ; "
        "en gras, significatif ; en rouge, défavorable et significatif. Un EPCI compte dans "
        "le département et la région de son siège. Les autres indicateurs, en valeurs "
        "absolues et relatives, sont dans les tableaux joints au rapport (dossier tables).",
        "Relative effect on ESS jobs at the end of the horizon, {by}: mean over the seeds of "
        "(scenario − baseline) / baseline, 95% confidence interval in brackets; bold: "
        "significant; red: adverse and significant. An EPCI counts in the département and "
        "region of its seat. The other outcomes, absolute and relative, are in the tables "
        "that come with the report (tables folder)."),
    "alt_groups": ("Effet relatif de chaque levier sur les emplois ESS {what}, avec son "
                   "intervalle de confiance",
                   "Relative effect of each lever on ESS jobs {what}, with its confidence "
                   "interval"),
    "others": ("et {n} autre(s), voir le tableau par densité",
               "and {n} more, see the table by density"),
    "overall": ("sur l'ensemble du territoire", "over the whole territory"),
}

SENTENCES = {
    "method": (
        ("Chaque scénario est simulé avec les mêmes graines (la réplication k de chaque "
         "scénario utilise la graine k : nombres aléatoires communs). Un effet est la moyenne "
         "des différences appariées scénario − référence par graine, avec un intervalle de "
         "confiance à 95 % de Student sur ces différences. Années-emplois nettes = somme sur "
         "les mois de (emplois du scénario − emplois de la référence)/12. Coût par "
         "année-emploi = rapport des moyennes appariées du surcoût public et des "
         "années-emplois nettes, intervalle de Fieller (non borné si l'effet sur l'emploi "
         "n'est pas significativement non nul)."),
        ("Every scenario runs with the same seeds (replication k of every scenario uses seed "
         "k: common random numbers). An effect is the mean of the per-seed paired differences "
         "scenario − baseline, with a 95% Student t interval on those differences. Net "
         "job-years = sum over months of (scenario jobs − baseline jobs)/12. Cost per job-year "
         "= ratio of the paired means of extra public cost and net job-years, with Fieller's "
         "interval (unbounded when the job effect is not significantly different from "
         "zero)."),
    ),
    "best": (
        ("Le levier qui crée le plus d'emplois ESS par euro public : {arm}, {cpj} par "
         "année-emploi nette, pour un surcoût public de {cost} sur {months} mois{payers}."),
        ("The lever that creates most ESS jobs per public euro: {arm}, {cpj} per net "
         "job-year, for an extra public cost of {cost} over {months} months{payers}."),
    ),
    "of_which": (", dont {parts}", ", of which {parts}"),
    "payer_share": ("{payer} {share}", "{payer} {share}"),
    "saves": (
        ("{arm} crée des emplois ESS ({job_years} années-emplois nettes) tout en réduisant la "
         "dépense publique de {saving} sur {months} mois."),
        ("{arm} creates ESS jobs ({job_years} net job-years) while cutting public spending by "
         "{saving} over {months} months."),
    ),
    "no_best": (
        ("Aucun levier n'augmente significativement les emplois ESS sur {months} mois : le "
         "coût par emploi créé n'est pas estimable."),
        ("No lever significantly raises ESS jobs over {months} months: the cost per job "
         "created cannot be estimated."),
    ),
    "largest": (
        ("Plus fort effet sur les emplois ESS en fin d'horizon : {arm}, {jobs} emplois, soit "
         "{pct} par rapport à la référence ({base} emplois)."),
        ("Largest effect on ESS jobs at the end of the horizon: {arm}, {jobs} jobs, {pct} "
         "relative to the baseline ({base} jobs)."),
    ),
    "not_significant": (
        "Sans effet significatif sur les emplois ESS : {arms}.",
        "No significant effect on ESS jobs: {arms}.",
    ),
    "adverse": (
        "Effets défavorables significatifs ({chance})\u202f:",
        "Significant adverse effects ({chance}):",
    ),
    "adverse_item": (
        "{arm} : {outcome} {where} {diff}",
        "{arm}: {outcome} {where} {diff}",
    ),
    "no_adverse": (
        ("Aucun effet défavorable significatif, sur aucun indicateur ni aucune classe de "
         "densité ({chance})."),
        "No significant adverse effect, on any outcome or density class ({chance}).",
    ),
    "chance": (
        ("sur {n} comparaisons, environ {k} le seraient par le seul hasard au seuil de 5 % : "
         "un effet isolé et juste significatif se confirme avec plus de réplications"),
        ("of {n} comparisons, about {k} would be by chance alone at the 5% level: confirm an "
         "isolated, borderline effect with more replications"),
    ),
    "baseline": (
        "{arm} : {jobs} emplois ESS en fin d'horizon ; coût public cumulé {cost}.",
        "{arm}: {jobs} ESS jobs at the end of the horizon; cumulative public cost {cost}.",
    ),
    "arm": (
        ("{arm} : emplois ESS {jobs} ({significance}), sorties d'insertion vers l'emploi "
         "{exits} ; surcoût public {cost}{payers}, soit {cpj} par année-emploi nette."),
        ("{arm}: ESS jobs {jobs} ({significance}), insertion exits to employment {exits}; "
         "extra public cost {cost}{payers}, i.e. {cpj} per net job-year."),
    ),
    "arm_undefined_cost": (
        ("{arm} : emplois ESS {jobs} ({significance}), sorties d'insertion vers l'emploi "
         "{exits} ; surcoût public {cost}{payers} ; coût par année-emploi nette {cpj}."),
        ("{arm}: ESS jobs {jobs} ({significance}), insertion exits to employment {exits}; "
         "extra public cost {cost}{payers}; cost per net job-year {cpj}."),
    ),
    "contrast": (
        ("{arm} : effet le plus fort en {top} ({top_rel}), le plus faible en {bottom} "
         "({bottom_rel}) ; écart {gap} points, {verdict}."),
        ("{arm}: largest effect in {top} ({top_rel}), smallest in {bottom} ({bottom_rel}); "
         "gap {gap} points, {verdict}."),
    ),
    "gap_real": ("un écart réel au seuil de 5 %", "a real difference at the 5% level"),
    "gap_chance": ("que le hasard des graines suffit à expliquer",
                   "which the seeds' chance alone can explain"),
    "significant": ("significatif", "significant"),
    "not_significant_short": ("non significatif", "not significant"),
}


def t(table: dict, key: str, lang: str) -> str:
    """Look a word up in a table for a language; unknown keys are returned as they are."""
    pair = table.get(key)
    return key if pair is None else pair[LANGS.index(lang)]


def arm_label(name: str, lang: str) -> str:
    """Readable arm name: known arms translated, lever packages as 'Lever A + Lever B', a
    lever at a dose in per cent ('land_trust_25') as 'Lever A (25 %)'."""
    if name in ARMS:
        return t(ARMS, name, lang)
    lever, _, dose = name.rpartition("_")
    if lever in LEVERS and dose.isdigit():
        return f"{lever_label(lever, lang)} ({dose}{NNBSP}%)" if lang == "fr" else (
            f"{lever_label(lever, lang)} ({dose}%)")
    return " + ".join(lever_label(part, lang) for part in name.split("+"))


def lever_label(name: str, lang: str) -> str:
    """A lever's name for readers, from its `Policy.label`; unknown names as they are."""
    lever = LEVERS.get(name)
    return lever.label[lang] if lever is not None else name


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def decimals_for(x: float, digits: int = 3) -> int:
    """Decimals that give `x` its `digits` significant figures (negative: round to tens...)."""
    x = abs(float(x))
    return digits - 1 - math.floor(math.log10(x)) if x and math.isfinite(x) else 0


def number(x: float, lang: str, digits: int = 3, signed: bool = False,
           decimals: int | None = None) -> str:
    """`x` rounded to `digits` significant figures (or to `decimals`), trailing zeros dropped;
    thousands separated (narrow no-break space and decimal comma in French); minus sign "−"."""
    if _missing(x):
        return "–"
    x = float(x)
    if math.isinf(x):
        return ("+∞" if signed else "∞") if x > 0 else "−∞"
    places = decimals_for(x, digits) if decimals is None else decimals
    # half away from zero, as people round (Python's round() would give 725 → 720)
    x = float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    text = f"{x:{'+' if signed and x else ''},.{max(places, 0)}f}"
    if "." in text and decimals is None:  # shared decimals keep their zeros: 46,30 [45,43 ; …]
        text = text.rstrip("0").rstrip(".")
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text.replace("-", "−")


# Money scales: (threshold, French unit, English unit).
MONEY_SCALES = ((1e9, "Md€", "bn"), (1e6, "M€", "m"), (1e3, "k€", "k"), (1.0, "€", ""))


def money_scale(x: float) -> tuple[float, str, str]:
    """(divisor, French unit, English suffix) for an amount of euros."""
    return next((s for s in MONEY_SCALES if abs(x) >= s[0]), MONEY_SCALES[-1])


def money(x: float, lang: str, digits: int = 3, signed: bool = False,
          decimals: int | None = None, scale: tuple | None = None) -> str:
    """Euros in k€ / M€ / Md€ ("€12.3m" in English), `digits` significant figures (or the
    `scale` and `decimals` an interval shares with its estimate)."""
    if _missing(x) or math.isinf(float(x)):
        return number(x, lang, signed=signed)
    x = float(x)
    divisor, fr_unit, en_unit = scale or money_scale(x)
    value = number(x / divisor, lang, digits, signed, decimals)
    if lang == "fr":
        return f"{value}{NNBSP}{fr_unit}"
    sign = value[0] if value[0] in "+−" else ""
    return f"{sign}€{value[len(sign):]}{en_unit}"


def percent(x: float, lang: str, signed: bool = True) -> str:
    """A share (0.012 → "+1,2 %" / "+1.2%"), two significant figures."""
    text = number(100 * x, lang, digits=2, signed=signed)
    return f"{text}{NNBSP}%" if lang == "fr" else f"{text}%"


def percent_number(x: float, lang: str, digits: int = 3, signed: bool = False,
                   decimals: int | None = None) -> str:
    """A number of per cent (1.2 → "1,2 %" / "1.2%"), for `estimate`; never finer than a
    tenth of a point (a narrow interval would otherwise ask for "8,8673 %")."""
    text = number(x, lang, digits, signed, None if decimals is None else min(decimals, 1))
    return f"{text}{NNBSP}%" if lang == "fr" else f"{text}%"


def share_estimate(value: float, low: float, high: float, lang: str) -> str:
    """A payer's share of a cost in whole per cent, with its interval (the word for unbounded
    when Fieller's set is not bounded), none when it is missing or reads as the share itself
    (0.412, 0.38, 0.44 → "41 % [38 % ; 44 %]"; 1, 1, 1 → "100 %")."""
    def whole(x: float, lang: str, **_) -> str:
        return percent_number(100 * x, lang, decimals=0)

    text = whole(value, lang)
    if _missing(low) or _missing(high) or whole(low, lang) == whole(high, lang) == text:
        return text
    return f"{text} {interval(low, high, lang, whole, {})}"


def percent_estimate(value: float, low: float, high: float, lang: str) -> str:
    """A share with its interval (0.012, 0.002, 0.023 → "+1,2 % [0,2 % ; 2,3 %]")."""
    return estimate(100 * value, 100 * low, 100 * high, lang, percent_number, signed=True)


def _shared(values, fmt, digits: int = 3) -> dict:
    """Rounding shared by an estimate and its bounds: three significant figures of the largest,
    or two of the interval's half-width when that is finer ("+725 [86,8 ; 1 360]" reads
    "+730 [90 ; 1 360]", and "99 712 [96 655 ; 102 769]" reads "99 700 [96 700 ; 102 800]")."""
    finite = [float(v) for v in values if not _missing(v) and math.isfinite(float(v))]
    if not finite:
        return {}
    if len(set(finite)) == 1 and fmt is not money:
        return {}  # a degenerate interval: "2 [2 ; 2]", not "2,00 [2,00 ; 2,00]"
    largest = max(abs(v) for v in finite)
    half = (max(finite) - min(finite)) / 2 if len(finite) == 3 else 0.0
    divisor = 1.0
    out = {}
    if fmt is money:
        out["scale"] = money_scale(largest)
        divisor = out["scale"][0]
    places = decimals_for(largest / divisor, digits)
    if half:
        places = max(places, decimals_for(half / divisor, 2))
    return out | {"decimals": places}


def interval(low: float, high: float, lang: str, fmt=number, shared: dict | None = None) -> str:
    """"[low ; high]" (French) or "[low; high]" (English), or the word for unbounded."""
    if _missing(low) or _missing(high):
        return ""
    if math.isinf(low) or math.isinf(high):
        return f"[{t(WORDS, 'unbounded', lang)}]"
    shared = _shared([low, high], fmt) if shared is None else shared
    return f"[{fmt(low, lang, **shared)}{separator(lang)}{fmt(high, lang, **shared)}]"


def separator(lang: str) -> str:
    """Between list items and interval bounds: " ; " in French, "; " in English."""
    return f"{NNBSP}; " if lang == "fr" else "; "


def estimate(value: float, low: float, high: float, lang: str, fmt=number,
             signed: bool = False) -> str:
    """"value [low ; high]", rounded alike: every estimate of the report is written this way."""
    bounded = not (_missing(low) or _missing(high) or math.isinf(low) or math.isinf(high))
    shared = _shared([value, low, high] if bounded else [value], fmt)
    text = fmt(value, lang, signed=signed, **shared)
    bounds = interval(low, high, lang, fmt, shared)
    return f"{text} {bounds}" if bounds else text


# Why a cost per net job-year is not given (keys of `stats.cost_per_job_undefined`).
# The parts of the extra public cost (`reduce.COST_PARTS`), worded as the policy design's report
# words its payers (`sim.design.report`).
COST_PARTS = {
    "cost_to_state_spent_eur": ("État (dépenses)", "State (spending)"),
    "cost_tax_expenditure_eur": ("État (dépense fiscale : TVA non perçue)",
                                 "State (tax expenditure: VAT forgone)"),
    "cost_to_regions_eur": ("Régions", "Regions"),
    "cost_to_departements_eur": ("Départements", "Départements"),
    "cost_to_intercommunalities_eur": ("Intercommunalités et communes",
                                       "Intercommunalities and communes"),
    "cost_to_public_investment_bank_eur": ("Banque publique d'investissement",
                                           "Public investment bank"),
}
# The same parts named shortly, in the first screen's sentences ("of which State 41 %…").
PAYERS_SHORT = {
    "cost_to_state_spent_eur": ("État", "State"),
    "cost_tax_expenditure_eur": ("TVA non perçue (État)", "VAT forgone (State)"),
    "cost_to_regions_eur": ("Régions", "Regions"),
    "cost_to_departements_eur": ("départements", "départements"),
    "cost_to_intercommunalities_eur": ("communes et intercommunalités",
                                       "communes and intercommunalities"),
    "cost_to_public_investment_bank_eur": ("banque publique d'investissement",
                                           "public investment bank"),
}
UNDEFINED_COST_PER_JOB = {
    "removes_jobs": (f"non défini{NNBSP}: le levier supprime des emplois",
                     "not defined: the lever removes jobs"),
    "no_job_effect": (f"non défini{NNBSP}: l'effet sur l'emploi ne se distingue pas de zéro",
                      "not defined: the job effect is not distinguishable from zero"),
}


def cost_per_job_year(value: float, low: float, high: float, jobs: float, jobs_low: float,
                      jobs_high: float, lang: str, show=None) -> str:
    """A cost per net job-year with its interval, or in words why it has none (the job effect
    is negative or not told from zero: a ratio over such a denominator is no price). ``show``
    writes a defined ratio (default: the report's money estimate)."""
    reason = cost_per_job_undefined(jobs, jobs_low, jobs_high)
    if reason is not None:
        return t(UNDEFINED_COST_PER_JOB, reason, lang)
    if show is None:
        return estimate(value, low, high, lang, money)
    return show(value, low, high)


def date(iso: str, lang: str) -> str:
    """"2026-12-02…" → "2 décembre 2026" / "2 December 2026"."""
    year, month, day = (int(part) for part in iso[:10].split("-"))
    return f"{day} {MONTHS[LANGS.index(lang)][month - 1]} {year}"


def join(items: list[str], lang: str) -> str:
    """"a, b et c" / "a, b and c"."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + (" et " if lang == "fr" else " and ") + items[-1]
