"""Interface strings in French and English.

The dashboard serves French classrooms and a ministry, and foreign colleagues: every label the
page shows comes from here so that switching language is one lookup, never a branch in the UI.
Outputs and levers are named where they are defined, the outcomes registry (`sim.outcomes`) and
each lever's `Policy.label`, so the page, the report and the docs call them the same.
"""

from sim import outcomes
from sim.policies import REGISTRY

LANGUAGES = ("fr", "en")

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
        "fr": "Coût public par année-emploi nette",
        "en": "Public cost per net job-year",
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
    "unit_month": {"fr": "mois", "en": "month"},
    "unit_jobs": {"fr": "emplois", "en": "jobs"},
    "unit_enterprises": {"fr": "entreprises", "en": "enterprises"},
    "unit_people": {"fr": "personnes", "en": "people"},
    "unit_meur": {"fr": "M€", "en": "M€"},
    "unit_ties": {"fr": "liens", "en": "ties"},
    "difference_map": {"fr": "Écart avec − sans leviers", "en": "Gap with − without levers"},
    "show_difference": {
        "fr": "Afficher l'écart (avec − sans leviers)",
        "en": "Show the gap (with − without levers)",
    },
    "map_empty": {
        "fr": "La carte se colore à la fin du premier mois simulé.",
        "en": "The map takes its colours at the end of the first simulated month.",
    },
    "seed_invalid": {
        "fr": "La graine doit être un nombre entier entre 0 et 9 223 372 036 854 775 807.",
        "en": "The seed must be a whole number from 0 to 9,223,372,036,854,775,807.",
    },
    "settings_refused": {
        "fr": "Le modèle refuse ces réglages",
        "en": "The model refuses these settings",
    },
    "play_failed": {
        "fr": "La simulation s'est arrêtée sur une erreur ; réinitialisez pour recommencer.",
        "en": "The run stopped on an error; press Reset to start again.",
    },
    "rate": {"fr": "mois/s réels", "en": "months/s actual"},
    "job_years": {"fr": "Années-emplois nettes", "en": "Net job-years"},
    "extra_cost": {"fr": "Coût public supplémentaire", "en": "Extra public cost"},
    "cost_existing": {
        "fr": "dont dispositifs existants (contrats aidés…)",
        "en": "of which existing schemes (aided contracts…)",
    },
    "cost_lever": {"fr": "dont", "en": "of which"},
    "tax_expenditure": {"fr": "(dépense fiscale)", "en": "(tax expenditure)"},
    "no_job_year": {
        "fr": "— : aucune année-emploi nette gagnée à ce jour, un coût par emploi n'a pas de sens "
        "(les leviers coûtent sans créer d'emploi net, ou pas encore).",
        "en": "—: no net job-year gained so far, so a cost per job means nothing (the levers "
        "cost money without a net job, or not yet).",
    },
    "cost_definition": {
        "fr": "Comme dans le rapport : coût public supplémentaire cumulé ÷ années-emplois nettes "
        "(Σ des écarts mensuels d'emplois ÷ 12), même graine avec et sans leviers.",
        "en": "As in the report: extra cumulative public cost ÷ net job-years (Σ monthly job "
        "gaps ÷ 12), same seed with and without the levers.",
    },
    "projector": {"fr": "Mode projecteur", "en": "Projector mode"},
    "chart": {"fr": "Graphique", "en": "Chart"},
    "class_full": {
        "fr": "Le serveur est plein ({n} sessions ouvertes) : réessayez dans quelques minutes.",
        "en": "The server is full ({n} open sessions): try again in a few minutes.",
    },
    "memory_full": {
        "fr": "Le serveur manque de mémoire : réessayez dans quelques minutes.",
        "en": "The server is short of memory: try again in a few minutes.",
    },
    "lesson_play_to": {
        "fr": "Notez votre prédiction, puis lancez la lecture : la leçon s'arrête au mois {month}.",
        "en": "Note your prediction, then press Play: the lesson stops at month {month}.",
    },
    "lesson_this_seed": {
        "fr": "Sur cette graine ({seed}) : écart de {value} {what} (avec − sans leviers).",
        "en": "On this seed ({seed}): a gap of {value} {what} (with − without levers).",
    },
    "lesson_band": {
        "fr": "Sur {n} graines : de {low} à {high} (médiane {median}).",
        "en": "Over {n} seeds: from {low} to {high} (median {median}).",
    },
    "lesson_band_failed": {
        "fr": "Les dix graines n'ont pas pu être calculées ; rechoisissez la leçon pour réessayer.",
        "en": "The ten seeds could not be computed; choose the lesson again to retry.",
    },
    "control_failed": {
        "fr": "Cette action a échoué ; la simulation affichée n'a pas changé.",
        "en": "This action failed; the run on screen has not changed.",
    },
    "lesson_band_pending": {
        "fr": "Calcul des dix graines en cours sur le serveur…",
        "en": "The ten seeds are still being computed on the server…",
    },
    "direction_up": {
        "fr": "Résultat : hausse sur au moins 9 graines sur 10.",
        "en": "Result: a rise on at least 9 seeds out of 10.",
    },
    "direction_down": {
        "fr": "Résultat : baisse sur au moins 9 graines sur 10.",
        "en": "Result: a fall on at least 9 seeds out of 10.",
    },
    "direction_mixed": {
        "fr": "Résultat mitigé : selon la graine, l'écart change de signe ; une seule "
        "simulation ne permet pas de conclure.",
        "en": "Mixed result: the gap changes sign with the seed; one run alone proves nothing.",
    },
    "prediction_right": {"fr": "Votre prédiction était juste.", "en": "Your prediction was right."},
    "prediction_wrong": {
        "fr": "Votre prédiction n'est pas ce que montre le modèle.",
        "en": "Your prediction is not what the model shows.",
    },
    "unit_pupils": {"fr": "élèves", "en": "pupils"},
    "class": {"fr": "Classe", "en": "Class"},
    "open_class": {"fr": "Ouvrir une classe (enseignant)", "en": "Open a class (teacher)"},
    "class_code": {"fr": "Code de la classe", "en": "Class code"},
    "join": {"fr": "Rejoindre", "en": "Join"},
    "unknown_class": {
        "fr": "Aucune classe ouverte avec ce code.", "en": "No open class has this code."
    },
    "in_class": {"fr": "Classe {code}", "en": "Class {code}"},
    "send_results": {
        "fr": "Envoyer mes résultats à la classe", "en": "Send my results to the class"
    },
    "sent": {"fr": "Résultats envoyés : vous êtes l'élève n° {pupil}.",
             "en": "Results sent: you are pupil #{pupil}."},
    "class_results": {"fr": "Résultats de la classe {code}", "en": "Results of class {code}"},
    "refresh": {"fr": "Actualiser", "en": "Refresh"},
    "no_results": {"fr": "Aucun résultat reçu pour l'instant.", "en": "No results yet."},
    "pupil": {"fr": "Élève", "en": "Pupil"},
    "jobs_gap": {"fr": "Écart d'emplois ESS (avec − sans)", "en": "ESS job gap (with − without)"},
    "kind_classroom": {"fr": "Classe : territoires types (synthétiques)",
                       "en": "Classroom: archetypes (synthetic)"},
    "kind_france": {"fr": "France entière", "en": "All of France"},
    "kind_region": {"fr": "Une région", "en": "A region"},
    "kind_departement": {"fr": "Un département", "en": "A département"},
    "kind_epci": {"fr": "Des intercommunalités (EPCI)", "en": "Intercommunalities (EPCIs)"},
    "epci_codes": {"fr": "Codes SIREN des EPCI, séparés par des virgules",
                   "en": "EPCI SIREN codes, comma-separated"},
    "territory_size": {"fr": "{n} EPCI, {millions} M d'habitants",
                       "en": "{n} EPCIs, {millions} M inhabitants"},
    "territory_not_live": {
        "fr": "Plus de {limit} M d'habitants : un mois prend plusieurs fois plus de temps, la "
        "lecture sera lente pour toute la classe. Préférez une région, ou la ligne de commande.",
        "en": "Over {limit} M inhabitants: a month takes several times longer, play will be slow "
        "for the whole class. Prefer a region, or the command line.",
    },
    "share_link": {"fr": "Lien de partage de ce run", "en": "Share link to this run"},
    "share_hint": {
        "fr": "il rouvre le tableau de bord sur le même territoire, la même graine et les mêmes "
        "leviers (copiez l'adresse du lien)",
        "en": "it reopens the dashboard on the same territory, seed and levers (copy the link's "
        "address)",
    },
    "link_refused": {
        "fr": "Le lien contenait des réglages refusés, remplacés par leur valeur par défaut : "
        "{fields}.",
        "en": "The link held settings that were refused and replaced by their defaults: {fields}.",
    },
    "feed": {"fr": "Ce qui s'est passé", "en": "What happened"},
    "feed_empty": {"fr": "Rien encore : lancez la lecture.", "en": "Nothing yet: press Play."},
    "feed_note": {
        "fr": "Événements du run avec leviers, par mois simulé (les plus récents en haut).",
        "en": "Events of the run with levers, by month simulated (newest first).",
    },
    "info": {"fr": "À propos du modèle", "en": "About the model"},
    "info_model": {"fr": "Le modèle", "en": "The model"},
    "info_outputs": {"fr": "Les chiffres affichés", "en": "The numbers shown"},
    "info_levers_english": {
        "fr": "Ce levier n'a pas encore de description en français : la voici en anglais "
        "(documentation des leviers, docs/levers.md).",
        "en": "",
    },
    "info_purpose": {
        "fr": "Un modèle à agents des entreprises de l'économie sociale et solidaire (ESS) et de "
        "l'industrie sur des territoires français, de 2025 à 2035. Il compare les leviers publics "
        "que l'étude de la Banque des Territoires « Réindustrialisation : l'ESS comme levier de "
        "croissance » (2024) propose : lequel crée le plus d'emplois ESS et de sorties "
        "d'insertion vers l'emploi par euro public, où (métropoles, villes moyennes, campagnes, "
        "bassins industriels), et en levant lequel des cinq freins (méconnaissance mutuelle, "
        "concurrence, financement, foncier, ressources humaines).\n"
        "Chaque mois, les structures de l'ESS et les entreprises industrielles vendent, "
        "embauchent, louent des locaux, empruntent, nouent des liens et ferment ; un levier "
        "change ce qu'elles savent, peuvent payer, ont le droit de faire ou choisissent, jamais "
        "directement un résultat. C'est un outil pour comparer des scénarios sur les mêmes "
        "tirages aléatoires (même graine avec et sans leviers), pas une prévision : une graine "
        "est un tirage du hasard, d'où les dix graines des leçons.\n"
        "Description complète (protocole ODD) : docs/ODD.md ; paramètres et sources : "
        "docs/parameters.md.",
        "en": "An agent-based model of social and solidarity economy (ESS) enterprises and "
        "industry on French territories, 2025–2035. It compares the policy levers that the "
        "Banque des Territoires study 'Réindustrialisation : l'ESS comme levier de croissance' "
        "(2024) proposes: which creates the most ESS jobs and insertion exits to employment per "
        "public euro, where (metropolises, medium towns, rural areas, industrial basins), and by "
        "lifting which of the five brakes (mutual ignorance, competition, finance, premises, "
        "human resources).\n"
        "Each month ESS structures and industrial firms sell, hire, rent premises, borrow, make "
        "ties and close; a lever changes what they know, can afford, are allowed to do or "
        "choose, never an outcome directly. It is a tool to compare scenarios on the same "
        "random draws (same seed with and without levers), not a forecast: a seed is one draw "
        "of chance, hence the lessons' ten seeds.\n"
        "Full description (ODD protocol): docs/ODD.md; parameters and sources: "
        "docs/parameters.md.",
    },
    "seed_changed": {
        "fr": "Graine modifiée : cliquez sur Réinitialiser pour relancer avec cette graine.",
        "en": "Seed changed: press Reset to run with this seed.",
    },
}


# The feed's event kinds (`sim.events.EventKind`), as counts: "{n} <label>".
EVENT_LABELS = {
    "entry": {"fr": "création(s) de structure ESS", "en": "new ESS structure(s)"},
    "failure": {"fr": "fermeture(s) (défaillance)", "en": "closure(s) (failure)"},
    "closure": {"fr": "fermeture(s) hors défaillance (retraite, dissolution)",
                "en": "closure(s) other than failure (retirement, dissolution)"},
    "site_opening": {"fr": "nouveau(x) local(aux) ouvert(s)", "en": "new site(s) opened"},
    "site_closure": {"fr": "local(aux) fermé(s)", "en": "site(s) closed"},
    "relocation": {"fr": "déménagement(s)", "en": "relocation(s)"},
    "acquisition": {"fr": "rachat(s) par une entreprise", "en": "acquisition(s) by a firm"},
    "scale_up": {"fr": "changement(s) d'échelle", "en": "scale-up(s)"},
    "tender_won": {"fr": "marché(s) public(s) gagné(s)", "en": "public contract(s) won"},
    "new_tie": {"fr": "nouveau(x) lien(s) ESS–industrie", "en": "new ESS–industry tie(s)"},
    "tie_lost": {"fr": "lien(s) ESS–industrie perdu(s)", "en": "ESS–industry tie(s) lost"},
    "loan_default": {"fr": "défaut(s) de remboursement", "en": "loan default(s)"},
}


def event_label(lang: str, kind: str) -> str:
    """Return an event kind's name for the feed, or the raw kind."""
    return EVENT_LABELS.get(kind, {}).get(lang, kind)


# The inspector's fields (`enterprise_snapshot` keys); a field the model adds later shows raw.
SNAPSHOT_LABELS = {
    "row": {"fr": "n°", "en": "#"},
    "alive": {"fr": "en activité", "en": "active"},
    "legal_form": {"fr": "statut", "en": "legal form"},
    "territory": {"fr": "territoire (code)", "en": "territory (code)"},
    "territory_name": {"fr": "territoire", "en": "territory"},
    "founded_month": {"fr": "créée au mois", "en": "founded in month"},
    "cash_eur": {"fr": "trésorerie (€)", "en": "cash (€)"},
    "debt_eur": {"fr": "dette (€)", "en": "debt (€)"},
    "permanent": {"fr": "emplois permanents", "en": "permanent jobs"},
    "insertion": {"fr": "emplois d'insertion", "en": "insertion jobs"},
    "adapted": {"fr": "emplois adaptés", "en": "adapted jobs"},
    "capacity_eur_month": {"fr": "capacité (€/mois)", "en": "capacity (€/month)"},
    "sales_eur_month": {"fr": "ventes (€/mois)", "en": "sales (€/month)"},
    "floor_m2": {"fr": "surface (m²)", "en": "floor (m²)"},
    "rent_eur_month": {"fr": "loyer (€/mois)", "en": "rent (€/month)"},
    "sites": {"fr": "sites", "en": "sites"},
    "landlord": {"fr": "propriétaire", "en": "landlord"},
    "rent_eur_m2_yr": {"fr": "loyer (€/m²/an)", "en": "rent (€/m²/yr)"},
    "customers": {"fr": "clients", "en": "customers"},
    "scaled_up": {"fr": "a changé d'échelle", "en": "scaled up"},
    "history": {"fr": "historique", "en": "history"},
}


def snapshot_label(lang: str, key: str) -> str:
    """Return an inspector field's display name, or the raw key for a field not listed."""
    return SNAPSHOT_LABELS.get(key, {}).get(lang, key)


def t(lang: str, key: str) -> str:
    """Return the interface string ``key`` in ``lang``."""
    return TEXT[key][lang]


def lever_label(lang: str, name: str) -> str:
    """Return a lever's display name (its `Policy.label`), or the raw name for an unknown one."""
    lever = REGISTRY.get(name)
    return lever.label[lang] if lever is not None else name


def output_label(lang: str, name: str) -> str:
    """Return an output column's name from the outcomes registry, or the raw column name."""
    outcome = outcomes.BY_KEY.get(name)
    return outcome.label(lang) if outcome is not None else name


def map_label(lang: str, name: str) -> str:
    """Return the display name of a column of the territory panel."""
    return MAP_LABELS.get(name, {}).get(lang) or output_label(lang, name)
