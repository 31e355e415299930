"""Words of the report in French (for the ministries) and English, and number formatting."""

import math

LANGS = ("fr", "en")

OUTCOMES = {
    "ess_jobs": ("Emplois ESS (fin d'horizon)", "ESS jobs (end of horizon)"),
    "ess_jobs_insertion": ("Emplois d'insertion (fin d'horizon)",
                           "Insertion jobs (end of horizon)"),
    "ess_enterprises": ("Entreprises ESS (fin d'horizon)", "ESS enterprises (end of horizon)"),
    "ess_scaled_up": ("Entreprises ESS changées d'échelle", "ESS enterprises scaled up"),
    "insertion_exits_employment": ("Sorties d'insertion vers l'emploi (cumul)",
                                   "Insertion exits to employment (cumulative)"),
    "insertion_exits_durable": ("Sorties d'insertion vers l'emploi durable (cumul)",
                                "Insertion exits to durable employment (cumulative)"),
    "industrial_jobs": ("Emplois industriels (fin d'horizon)",
                        "Industrial jobs (end of horizon)"),
    "industrial_vacancies_filled_by_insertion": (
        "Postes industriels pourvus par l'insertion (cumul)",
        "Industrial vacancies filled through insertion (cumulative)"),
    "ess_industry_ties": ("Liens ESS–industrie (fin d'horizon)",
                          "ESS–industry ties (end of horizon)"),
    "mean_rent_ess_eur_m2": ("Loyer moyen des locaux ESS (€/m²)", "Mean ESS rent (€/m²)"),
    "public_cost_eur": ("Coût public cumulé (€)", "Cumulative public cost (€)"),
    "ess_job_years": ("Années-emplois ESS", "ESS job-years"),
}

ARMS = {
    "baseline": ("Référence (aucun levier)", "Baseline (no lever)"),
    "land_trust": ("Foncière solidaire", "Land trust"),
    "reserved_markets": ("Marchés réservés", "Reserved markets"),
    "impact_vat": ("TVA à impact", "Impact VAT"),
    "conditional_aid": ("Aides conditionnelles", "Conditional aid"),
    "all_four": ("Les quatre leviers", "All four levers"),
}

DENSITY = {
    "dense": ("dense", "dense"),
    "intermediate": ("intermédiaire", "intermediate"),
    "relaxed": ("détendu", "relaxed"),
}

WORDS = {
    "title": ("Comparaison de leviers pour l'ESS", "Lever comparison for the ESS"),
    "summary": ("Synthèse par bras", "Summary by arm"),
    "effects": ("Effets (différences appariées avec la référence, IC 95 %)",
                "Effects (paired differences to baseline, 95% CI)"),
    "cost": ("Coût public par année-emploi nette créée", "Public cost per net job-year created"),
    "density": ("Effets selon la densité du territoire", "Effects by territory density"),
    "series": ("Trajectoires mensuelles (moyenne et IC 95 %)",
               "Monthly trajectories (mean and 95% CI)"),
    "map": ("Où chaque levier agit (effet apparié sur les emplois ESS par EPCI)",
            "Where each lever acts (paired effect on ESS jobs by EPCI)"),
    "factorial": ("Plan factoriel : effets principaux et interactions",
                  "Factorial design: main effects and interactions"),
    "dose": ("Relation dose-réponse", "Dose-response"),
    "sensitivity": ("Analyse de sensibilité", "Sensitivity analysis"),
    "runs": ("Simulations", "Runs"),
    "method": ("Méthode", "Method"),
    "command": ("Commande exacte", "Exact command"),
    "config": ("Configuration résolue", "Resolved configuration"),
    "model_config": ("Configuration du modèle (référence, première graine)",
                     "Model configuration (baseline, first seed)"),
    "missing": ("Simulations manquantes", "Missing runs"),
    "failed": ("Simulations en échec", "Failed runs"),
    "level": ("Niveau", "Level"),
    "difference": ("Différence à la référence", "Difference to baseline"),
    "month": ("Mois", "Month"),
    "unbounded": ("non borné", "unbounded"),
    "no_baseline": ("Aucun bras de référence (sans levier) : pas d'effets appariés.",
                    "No baseline arm (without levers): no paired effects."),
    "eur_per_job_year": ("€ par année-emploi nette", "€ per net job-year"),
    "dose_axis": ("Dose", "Dose"),
    "ci": ("IC 95 %", "95% CI"),
    "sensitivity_incomplete": ("Plan d'expérience incomplet : indices non calculés.",
                               "Incomplete design: indices not computed."),
}

SENTENCES = {
    "method": (
        ("Chaque bras est simulé avec les mêmes graines (la réplication k de chaque bras "
         "utilise la graine k : nombres aléatoires communs). Un effet est la moyenne des "
         "différences appariées bras − référence par graine, avec un intervalle de confiance à "
         "95 % de Student sur ces différences. Années-emplois nettes = somme sur les mois de "
         "(emplois du bras − emplois de la référence)/12. Coût par année-emploi = rapport des "
         "moyennes appariées du surcoût public et des années-emplois nettes, intervalle de "
         "Fieller (non borné si l'effet sur l'emploi n'est pas significativement non nul)."),
        ("Every arm runs with the same seeds (replication k of every arm uses seed k: common "
         "random numbers). An effect is the mean of the per-seed paired differences arm − "
         "baseline, with a 95% Student t interval on those differences. Net job-years = sum "
         "over months of (arm jobs − baseline jobs)/12. Cost per job-year = ratio of the paired "
         "means of extra public cost and net job-years, with Fieller's interval (unbounded when "
         "the job effect is not significantly different from zero)."),
    ),
    "baseline": (
        ("{arm} : sur {n} réplications, {jobs_label} = {jobs} (IC 95 % {jobs_ci}) ; coût public "
        "cumulé {cost}."),
        ("{arm}: over {n} replications, {jobs_label} = {jobs} (95% CI {jobs_ci}); cumulative "
        "public cost {cost}."),
    ),
    "arm": (
        ("{arm} : sur {n} réplications appariées, les emplois ESS en fin d'horizon varient de "
        "{jobs} (IC 95 % {jobs_ci}) par rapport à la référence, les sorties d'insertion vers "
        "l'emploi de {exits} (IC 95 % {exits_ci}). Surcoût public : {cost} ; coût par "
        "année-emploi nette : {cpj} (IC 95 % {cpj_ci}). Effet sur les emplois ESS : {dense} en "
        "territoires denses, {relaxed} en territoires détendus."),
        ("{arm}: over {n} paired replications, ESS jobs at the end of the horizon change by "
         "{jobs} (95% CI {jobs_ci}) relative to the baseline, insertion exits to employment by "
         "{exits} (95% CI {exits_ci}). Extra public cost: {cost}; cost per net job-year: {cpj} "
         "(95% CI {cpj_ci}). Effect on ESS jobs: {dense} in dense territories, {relaxed} in "
         "relaxed ones."),
    ),
    "significant": (" L'effet sur l'emploi est significatif au seuil de 5 %.",
                    " The job effect is significant at the 5% level."),
    "not_significant": (" L'effet sur l'emploi n'est pas significatif au seuil de 5 %.",
                        " The job effect is not significant at the 5% level."),
}


def t(table: dict, key: str, lang: str) -> str:
    """Look a word up in a table for a language; unknown keys are returned as they are."""
    pair = table.get(key)
    return key if pair is None else pair[LANGS.index(lang)]


def arm_label(name: str, lang: str) -> str:
    """Readable arm name: known arms translated, lever packages as 'Lever A + Lever B'."""
    if name in ARMS:
        return t(ARMS, name, lang)
    return " + ".join(t(ARMS, part, lang) for part in name.split("+"))


def number(x: float, lang: str, digits: int = 3, signed: bool = False) -> str:
    """Format with `digits` significant digits, thin-space thousands and decimal comma in fr."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x)))) if x else 0
    text = f"{x:{'+' if signed and x else ''},.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text.replace("-", "−")


def interval(low: float, high: float, lang: str) -> str:
    """'a – b', or the word for unbounded."""
    if math.isinf(low) or math.isinf(high):
        return t(WORDS, "unbounded", lang)
    return f"{number(low, lang)} – {number(high, lang)}"
