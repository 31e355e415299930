"""Interface strings in French and English.

The dashboard serves French classrooms and a ministry, and foreign colleagues: every label the
page shows comes from here so that switching language is one lookup, never a branch in the UI.
"""

LANGUAGES = ("fr", "en")

LEVER_LABELS = {
    "land_trust": {"fr": "Foncière solidaire", "en": "Land trust"},
    "reserved_markets": {"fr": "Marchés réservés", "en": "Reserved public markets"},
    "impact_vat": {"fr": "TVA réduite à impact", "en": "Reduced impact VAT"},
    "conditional_aid": {"fr": "Aides conditionnées", "en": "Conditional aid"},
    "matchmaking": {"fr": "Mise en relation ESS–industrie", "en": "ESS–industry matchmaking"},
    "impact_finance": {"fr": "Finance à impact", "en": "Impact finance"},
    "brownfields": {"fr": "Reconversion de friches", "en": "Brownfield reuse"},
    "hr_pooling": {"fr": "Groupement d'employeurs", "en": "HR pooling"},
    "industrial_cooperation": {"fr": "Coopération industrielle", "en": "Industrial cooperation"},
}

OUTPUT_LABELS = {
    "ess_jobs_permanent": {"fr": "Emplois ESS permanents", "en": "ESS permanent jobs"},
    "ess_jobs_insertion": {"fr": "Emplois d'insertion", "en": "Insertion jobs"},
    "ess_jobs_adapted": {"fr": "Emplois adaptés (EA/ESAT)", "en": "Adapted jobs"},
    "ess_enterprises": {"fr": "Entreprises de l'ESS", "en": "ESS enterprises"},
    "ess_scaled_up": {"fr": "Changements d'échelle", "en": "Scale-ups"},
    "insertion_exits_employment": {
        "fr": "Sorties d'insertion vers l'emploi",
        "en": "Insertion exits to employment",
    },
    "public_cost_eur": {"fr": "Coût public cumulé (€)", "en": "Public cost to date (€)"},
    "ess_industry_ties": {"fr": "Liens ESS–industrie", "en": "ESS–industry ties"},
    "ess_jobs_total": {"fr": "Emplois ESS (total)", "en": "ESS jobs (total)"},
    "industrial_jobs": {"fr": "Emplois industriels", "en": "Industrial jobs"},
    "mean_rent_ess_eur_m2": {
        "fr": "Loyer moyen payé par l'ESS (€/m²/an)",
        "en": "Mean rent paid by the ESS (€/m²/yr)",
    },
}

# The territory panel books public cost month by month, where the time series add it up.
MAP_LABELS = {
    "public_cost_eur": {"fr": "Coût public du mois (€)", "en": "Public cost this month (€)"},
}

TEXT = {
    "title": {
        "fr": "ESS et industrie — simulateur territorial",
        "en": "Social economy and industry — territorial simulator",
    },
    "lesson": {"fr": "Leçon guidée", "en": "Guided lesson"},
    "no_lesson": {"fr": "(aucune — exploration libre)", "en": "(none — free exploration)"},
    "territory": {"fr": "Territoire", "en": "Territory"},
    "seed": {"fr": "Graine aléatoire", "en": "Random seed"},
    "levers": {"fr": "Leviers publics", "en": "Policy levers"},
    "dose": {"fr": "intensité", "en": "intensity"},
    "side_by_side": {
        "fr": "Comparer avec / sans les leviers (même graine)",
        "en": "Compare with / without the levers (same seed)",
    },
    "run": {"fr": "Simulation", "en": "Run"},
    "reset": {"fr": "Réinitialiser", "en": "Reset"},
    "play": {"fr": "Lecture", "en": "Play"},
    "pause": {"fr": "Pause", "en": "Pause"},
    "step": {"fr": "Un mois", "en": "Step"},
    "speed": {"fr": "Vitesse (mois par seconde)", "en": "Speed (months per second)"},
    "month": {"fr": "Mois", "en": "Month"},
    "start_hint": {
        "fr": "Le modèle publie ses chiffres à la fin de chaque mois : lancez la lecture ou "
        "avancez d'un mois.",
        "en": "The model reports at the end of each month: press Play or Step.",
    },
    "finished": {"fr": "simulation terminée", "en": "run finished"},
    "pending": {
        "fr": "Réglages modifiés : cliquez sur Réinitialiser pour les appliquer.",
        "en": "Settings changed: press Reset to apply them.",
    },
    "overrides": {"fr": "Réglages de ce run", "en": "This run's overrides"},
    "with_levers": {"fr": "avec leviers", "en": "with levers"},
    "without_levers": {"fr": "sans leviers", "en": "without levers"},
    "difference": {"fr": "écart", "en": "difference"},
    "cost_per_job": {
        "fr": "Coût public par emploi supplémentaire",
        "en": "Public cost per additional job",
    },
    "timeseries": {"fr": "Évolution mensuelle", "en": "Monthly time series"},
    "map": {"fr": "Carte des territoires", "en": "Territory map"},
    "map_output": {"fr": "Couleur de la carte", "en": "Map colour"},
    "ties": {"fr": "Liens ESS–industrie", "en": "ESS–industry ties"},
    "trust": {"fr": "Confiance", "en": "Trust"},
    "no_ties": {"fr": "Aucun lien pour l'instant.", "en": "No ties yet."},
    "inspector": {"fr": "Inspecteur d'entreprise", "en": "Enterprise inspector"},
    "enterprise": {"fr": "Entreprise n°", "en": "Enterprise #"},
    "no_enterprise": {"fr": "Pas d'entreprise à ce numéro.", "en": "No enterprise at this index."},
    "jobs": {"fr": "Emplois ESS", "en": "ESS jobs"},
    "error": {"fr": "Erreur du modèle", "en": "Model error"},
    "classroom": {"fr": "Classe : territoires types (synthétiques)", "en": "Classroom: archetypes"},
}


def t(lang: str, key: str) -> str:
    """Return the interface string ``key`` in ``lang``."""
    return TEXT[key][lang]


def lever_label(lang: str, name: str) -> str:
    """Return a lever's display name, or the raw name for a lever this table does not know."""
    return LEVER_LABELS.get(name, {}).get(lang, name)


def output_label(lang: str, name: str) -> str:
    """Return an output column's display name, or the raw column name when unknown."""
    return OUTPUT_LABELS.get(name, {}).get(lang, name)


def map_label(lang: str, name: str) -> str:
    """Return the display name of a column of the territory panel."""
    return MAP_LABELS.get(name, {}).get(lang) or output_label(lang, name)
