"""The info tab: what the model is, what each lever does, what each number means.

Built from the sources the docs are built from, so it cannot drift from them: the ODD's purpose
(docs/ODD.md, section 1, summarised here in both languages), each lever's own documentation (its
module's "Why / Mechanism / Public cost" docstring, which docs/levers.md also shows, and its
`Policy.label`), and the outcomes registry's names and units.
"""

from __future__ import annotations

import functools
import html
import re
import sys

from sim import outcomes
from sim.dashboard.adapter import LEVERS, MAP_OUTPUTS
from sim.dashboard.figures import PANELS
from sim.dashboard.i18n import lever_label, t
from sim.dashboard.info_fr import LEVER_SECTIONS_FR
from sim.policies import REGISTRY

# The parts of a lever's docstring shown, and their titles.
SECTIONS = {
    "Why": {"fr": "Pourquoi", "en": "Why"},
    "Mechanism": {"fr": "Mécanisme", "en": "Mechanism"},
    "Public cost": {"fr": "Coût public", "en": "Public cost"},
}


@functools.cache
def lever_sections(name: str) -> dict[str, str]:
    """A lever's documented Why / Mechanism / Public cost, one paragraph each."""
    doc = sys.modules[REGISTRY[name].__module__].__doc__ or ""
    found = {}
    for paragraph in doc.split("\n\n"):
        text = " ".join(paragraph.split())
        # "Why: …", or "Mechanism, in the territories reached: …" (the qualifier is kept).
        section = next((s for s in SECTIONS if re.match(rf"{s}\s*[,:]", text)), None)
        if section is not None:
            found[section] = text[len(section):].lstrip(",: ")
    return found


def lever_sections_in(name: str, lang: str) -> tuple[dict[str, str], str]:
    """A lever's sections in `lang` when all of them are translated, else in English; and the
    language they are in (the page then says which levers are shown in English)."""
    english = lever_sections(name)
    translated = {"fr": LEVER_SECTIONS_FR}.get(lang, {}).get(name, {})
    if lang != "en" and set(english) <= set(translated):
        return {section: translated[section] for section in english}, lang
    return english, "en"


def shown_outcomes() -> list[outcomes.Outcome]:
    """The registry's entries for every number the page draws, in the page's order."""
    keys = [c for columns, _, _ in PANELS.values() for c in columns] + list(MAP_OUTPUTS)
    return [outcomes.BY_KEY[k] for k in dict.fromkeys(keys) if k in outcomes.BY_KEY]


def info_html(lang: str) -> str:
    """The whole tab as HTML (escaped text only)."""
    e = html.escape
    parts = [f"<h2>{e(t(lang, 'info_model'))}</h2>",
             *(f"<p>{e(p)}</p>" for p in t(lang, "info_purpose").split("\n")),
             f"<h2>{e(t(lang, 'levers'))}</h2>"]
    for name in LEVERS:
        parts.append(f"<h3 class='ess-info-lever'>{e(lever_label(lang, name))}</h3>")
        sections, shown_in = lever_sections_in(name, lang)
        if shown_in != lang:
            parts.append(f"<p class='ess-note'>{e(t(lang, 'info_levers_english'))}</p>")
        for section, body in sections.items():
            parts.append(f"<p><strong>{e(SECTIONS[section][lang])}</strong> : {e(body)}</p>"
                         if lang == "fr" else f"<p><strong>{e(section)}</strong>: {e(body)}</p>")
    parts.append(f"<h2>{e(t(lang, 'info_outputs'))}</h2><table class='ess-info-outputs'>")
    parts += [f"<tr><th>{e(o.label(lang))}</th><td>{e(o.unit)}</td></tr>"
              for o in shown_outcomes()]
    parts.append("</table>")
    return "".join(parts)
