"""Names of the places a report speaks of: the territory a sweep ran on, and its regions,
départements and EPCIs, in the words a reader uses ("Drôme (26)", not "departement_26").

Region and EPCI names come from the shipped EPCI table (`sim/territories/data/epci_france.csv`);
département names from Insee's Code officiel géographique (COG 2024, list of départements),
below. An EPCI belongs to the département and region of its seat, as in that table.
"""

from functools import cache
from pathlib import Path

import pandas as pd

EPCI_CSV = Path(__file__).resolve().parents[1] / "territories" / "data" / "epci_france.csv"
SHOWN_EPCIS = 3  # a list of more EPCIs is named by its first ones and a count

# Insee, Code officiel géographique 2024, départements (code → name).
DEPARTEMENTS = {
    "01": "Ain", "02": "Aisne", "03": "Allier", "04": "Alpes-de-Haute-Provence",
    "05": "Hautes-Alpes", "06": "Alpes-Maritimes", "07": "Ardèche", "08": "Ardennes",
    "09": "Ariège", "10": "Aube", "11": "Aude", "12": "Aveyron", "13": "Bouches-du-Rhône",
    "14": "Calvados", "15": "Cantal", "16": "Charente", "17": "Charente-Maritime", "18": "Cher",
    "19": "Corrèze", "21": "Côte-d'Or", "22": "Côtes-d'Armor", "23": "Creuse",
    "24": "Dordogne", "25": "Doubs", "26": "Drôme", "27": "Eure", "28": "Eure-et-Loir",
    "29": "Finistère", "2A": "Corse-du-Sud", "2B": "Haute-Corse", "30": "Gard",
    "31": "Haute-Garonne", "32": "Gers", "33": "Gironde", "34": "Hérault",
    "35": "Ille-et-Vilaine", "36": "Indre", "37": "Indre-et-Loire", "38": "Isère", "39": "Jura",
    "40": "Landes", "41": "Loir-et-Cher", "42": "Loire", "43": "Haute-Loire",
    "44": "Loire-Atlantique", "45": "Loiret", "46": "Lot", "47": "Lot-et-Garonne",
    "48": "Lozère", "49": "Maine-et-Loire", "50": "Manche", "51": "Marne", "52": "Haute-Marne",
    "53": "Mayenne", "54": "Meurthe-et-Moselle", "55": "Meuse", "56": "Morbihan",
    "57": "Moselle", "58": "Nièvre", "59": "Nord", "60": "Oise", "61": "Orne",
    "62": "Pas-de-Calais", "63": "Puy-de-Dôme", "64": "Pyrénées-Atlantiques",
    "65": "Hautes-Pyrénées", "66": "Pyrénées-Orientales", "67": "Bas-Rhin", "68": "Haut-Rhin",
    "69": "Rhône", "70": "Haute-Saône", "71": "Saône-et-Loire", "72": "Sarthe", "73": "Savoie",
    "74": "Haute-Savoie", "75": "Paris", "76": "Seine-Maritime", "77": "Seine-et-Marne",
    "78": "Yvelines", "79": "Deux-Sèvres", "80": "Somme", "81": "Tarn", "82": "Tarn-et-Garonne",
    "83": "Var", "84": "Vaucluse", "85": "Vendée", "86": "Vienne", "87": "Haute-Vienne",
    "88": "Vosges", "89": "Yonne", "90": "Territoire de Belfort", "91": "Essonne",
    "92": "Hauts-de-Seine", "93": "Seine-Saint-Denis", "94": "Val-de-Marne", "95": "Val-d'Oise",
    "971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion",
    "976": "Mayotte",
}
WORDS = {
    "epcis": ("{n} EPCI : {names}…", "{n} EPCIs: {names}…"),
    "synthetic": ("territoire synthétique", "synthetic territory"),
}


@cache
def epci_table() -> pd.DataFrame:
    """The EPCIs of France, indexed by SIREN: name, département, region code and name,
    population."""
    table = pd.read_csv(EPCI_CSV, dtype={"siren": str, "departement": str, "region_code": str})
    return table.set_index("siren")


def departement_name(code: str) -> str:
    """"Drôme (26)"; the code alone when unknown."""
    name = DEPARTEMENTS.get(code)
    return f"{name} ({code})" if name else code


def region_name(code: str) -> str:
    """"Auvergne-Rhône-Alpes" for "84" (or for its name); the code alone when unknown."""
    table = epci_table()
    match = table.region[(table.region_code == code.zfill(2)) | (table.region == code)]
    return str(match.iloc[0]) if len(match) else code


def epci_name(siren: str) -> str:
    table = epci_table()
    return str(table.name[siren]) if siren in table.index else siren


def short_epci_name(name: str) -> str:
    """"Communauté d'agglomération du Grand Annecy" → "Grand Annecy", "Grenoble-Alpes-Métropole"
    → "Grenoble-Alpes"."""
    for suffix in ("-Métropole", " Métropole", " Agglomération"):
        name = name.removesuffix(suffix)
    for prefix in ("Communauté d'agglomération", "Communauté urbaine", "Communauté de communes",
                   "Métropole", "CA", "CC", "CU"):
        if name.startswith(prefix + " "):
            name = name[len(prefix) + 1:]
            for article in ("du ", "de la ", "de l'", "des ", "d'", "de "):
                if name.startswith(article):
                    return name[len(article):]
            return name
    return name


def _word(key: str, lang: str) -> str:
    return WORDS[key][0 if lang == "fr" else 1]


def territory_name(territory, lang: str) -> str | None:
    """What a sweep's `territory` config selects, in words; None without a config.

    A synthetic territory keeps its label (a classroom's "Classroom"); a real selection is
    named from its codes, whatever its label (derived labels are folder names)."""
    if territory is None:
        return None
    kind = str(territory.get("kind", ""))
    codes = [str(c) for c in territory.get("codes") or []]
    if kind == "france":
        return "France"
    if kind == "region" and codes:
        return ", ".join(region_name(c) for c in codes)
    if kind == "departement" and codes:
        return ", ".join(departement_name(c.zfill(2)) for c in codes)
    if kind == "epci" and codes:
        codes = list(dict.fromkeys(codes))
        names = [epci_name(c) for c in codes]
        if len(names) <= SHOWN_EPCIS:
            return ", ".join(names)
        return _word("epcis", lang).format(n=len(names), names=", ".join(names[:SHOWN_EPCIS]))
    label = territory.get("label")
    if kind != "synthetic":
        return str(label) if label else None
    return f"{label} ({_word('synthetic', lang)})" if label else _word("synthetic", lang)
