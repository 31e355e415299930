"""The territory control: the classroom set, France, a region, a département or a list of EPCIs.

The same choices as the command line and the report (`territory.kind` / `territory.codes`).
Every selection is checked with the territories' own selection API before Reset, so a refused
one is a line under the control (the model's one-line message, naming the field), never a
failed run; a selection too large to play live (France) is said before it is built.
"""

from __future__ import annotations

import functools

import solara

from sim.dashboard.adapter import (
    CLASSROOM,
    FRANCE,
    LIVE_POPULATION_MAX,
    TERRITORY_KINDS,
    Size,
    departements,
    parse_territory,
    regions,
    selection_size,
    territory_key,
)
from sim.dashboard.i18n import t
from sim.territories import TerritorySelectionError

# What choosing a kind selects first, before the pupil picks: Auvergne-Rhône-Alpes and the Drôme
# (the shipped presets' territories).
FIRST_CHOICE = {"region": "84", "departement": "26", "epci": ""}


@functools.lru_cache(maxsize=512)
def size_of(territory: str) -> Size | str:
    """The selection's size, or the model's one-line refusal of it."""
    try:
        return selection_size(territory)
    except TerritorySelectionError as refusal:
        return str(refusal)


def size_note(size: Size, lang: str) -> str:
    """'164 EPCI, 7.9 M inhabitants' in the page's language."""
    millions = f"{size.population / 1e6:.1f}"
    if lang == "fr":
        millions = millions.replace(".", ",")
    return t(lang, "territory_size").format(n=size.territories, millions=millions)


@solara.component
def TerritoryChoice(territory: solara.Reactive[str], lang: str):
    """Kind, then the region, the département or the EPCIs' SIREN codes; a note on its size."""
    kind, codes = parse_territory(territory.value)
    typed = solara.use_reactive(",".join(codes) if kind == "epci" else "")

    def choose_kind(label: str):
        new = next(k for k in TERRITORY_KINDS if t(lang, f"kind_{k}") == label)
        if new in (CLASSROOM, FRANCE):
            territory.set(new)
        else:
            first = typed.value if new == "epci" else FIRST_CHOICE[new]
            territory.set(territory_key(new, [c for c in first.split(",") if c.strip()]))

    solara.Select(
        t(lang, "territory"),
        values=[t(lang, f"kind_{k}") for k in TERRITORY_KINDS],
        value=t(lang, f"kind_{kind}"),
        on_value=choose_kind,
        classes=["ess-territory-kind"],
    )
    if kind in ("region", "departement"):
        names = regions() if kind == "region" else departements()
        labels = {code: (f"{name} ({code})" if kind == "region" else name)
                  for code, name in names.items()}
        solara.Select(
            t(lang, f"kind_{kind}"),
            values=list(labels.values()),
            value=labels.get(codes[0]) if codes else None,
            on_value=lambda label: territory.set(territory_key(
                kind, [next(c for c, v in labels.items() if v == label)])),
            classes=["ess-territory"],
        )
    elif kind == "epci":
        def type_codes(text: str):
            typed.set(text)
            territory.set(territory_key("epci", [c for c in text.replace(";", ",")
                                                 .replace(" ", ",").split(",") if c]))

        solara.InputText(t(lang, "epci_codes"), value=typed.value, on_value=type_codes,
                         continuous_update=False, classes=["ess-epci-codes"])
    size = size_of(territory.value)
    if isinstance(size, str):
        solara.Text(size, classes=["ess-territory-refused", "ess-note"],
                    style={"color": "#b00020"})
    elif kind != CLASSROOM:
        solara.Text(size_note(size, lang), classes=["ess-territory-size", "ess-note"])
        if not size.live:
            solara.Warning(t(lang, "territory_not_live").format(
                limit=f"{LIVE_POPULATION_MAX / 1e6:.0f}"), dense=True,
                classes=["ess-territory-slow"])
