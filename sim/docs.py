"""Parameter documentation generated from the config schema, so documents and code cannot drift.

    python -m sim.docs           # write docs/parameters.md, the levers' YAML, refresh the tables
                                 # of docs/ODD.md and docs/levers.md
    python -m sim.docs --check   # exit 1 if a document disagrees with the schema
    python -m sim.docs --lock    # record calibrated defaults in sim/config/calibration_lock.json

docs/parameters.md lists every parameter (dotted path, default, unit, range, source or assumption,
plausible range). docs/ODD.md keeps its prose; only the text between ``<!-- generated:NAME -->``
and ``<!-- /generated:NAME -->`` is rewritten. The calibration lock pairs each sourced default
with a hash of its source note: ``--lock`` refuses to record a default that changed while its
note did not, so a calibrated value cannot move without saying where the new one comes from.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sim.config.schema import SimConfig, default_forms
from sim.policies import REGISTRY
from sim.policies.base import LeverParams
from sim.spec import plausible_range, walk
from sim.vocabulary import LEGAL_FORMS

ROOT = Path(__file__).resolve().parents[1]
PARAMETERS = ROOT / "docs" / "parameters.md"
ODD = ROOT / "docs" / "ODD.md"
LEVERS = ROOT / "docs" / "levers.md"
LEVER_COSTS = ROOT / "docs" / "lever_costs.md"  # written by python -m benchmarks.lever_costs
LEVER_CONFIGS = ROOT / "configs" / "policies"
LOCK = Path(__file__).resolve().parent / "config" / "calibration_lock.json"
FORMS_PREFIX = "params.population.forms."
SECTIONS = (  # (title, prefix of the dotted paths it holds)
    ("Run and territory", ""),
    ("Scenario: what the world does", "scenario."),
    ("Population", "params.population."),
    ("Economy of an ESS enterprise", "params.economy."),
    ("Public procurement", "params.procurement."),
    ("Industry", "params.industry."),
    ("Scale-up", "params.scale_up."),
    ("Brake 1: mutual ignorance", "params.mutual_ignorance."),
    ("Brake 2: competition", "params.competition."),
    ("Brake 2: waste-feedstock market", "params.feedstock."),
    ("Brake 3: finance", "params.finance."),
    ("Brake 4: premises", "params.premises."),
    ("Brake 5: human resources", "params.human_resources."),
    ("Premises, land and equity", "params."),
)


# --- rows ----------------------------------------------------------------------------------------
def schema_parameters() -> list[tuple[str, object, dict]]:
    """Every parameter of a default run, then of every lever (``policies.<name>.``)."""
    items = list(walk(SimConfig()))
    for name in sorted(REGISTRY):
        items += walk(REGISTRY[name].Params(), f"policies.{name}.")
    return items


def fmt(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value) if value else "{}"
    return str(value)


def _range(meta: dict) -> str:
    if meta.get("choices"):
        return " / ".join(meta["choices"])
    low, high = meta.get("low"), meta.get("high")
    return "" if low is None and high is None else f"{fmt(low)} – {fmt(high)}"


def _basis(meta: dict) -> str:
    if meta.get("source"):
        return f"**source**: {meta['source']}"
    return f"*assumption*: {meta['assumption']}"


def _plausible(value, meta: dict) -> str:
    bounds = plausible_range(value, meta)
    if bounds is None:
        return ""
    text = f"{fmt(bounds[0])} – {fmt(bounds[1])}"
    return text + (" (× default)" if meta.get("plausible_scale") and not meta.get("plausible")
                   else "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def parameter_table(items) -> str:
    header = ("parameter", "default", "unit", "allowed range", "source or assumption",
              "plausible range")
    return table(header, [(f"`{path}`", fmt(value), meta["unit"], _range(meta), _basis(meta),
                           _plausible(value, meta)) for path, value, meta in items])


# --- legal forms ---------------------------------------------------------------------------------
def forms_table() -> str:
    """One row per field of ``FormParams``, one column per legal form."""
    forms = default_forms()
    first = forms[LEGAL_FORMS[0]]
    rows = []
    for name, _, meta in walk(first):
        values = [fmt(getattr(forms[f], name)) for f in LEGAL_FORMS]
        rows.append((f"`{name}`", *values, meta["unit"]))
    return table(("field", *LEGAL_FORMS, "unit"), rows)


def forms_notes() -> str:
    first = default_forms()[LEGAL_FORMS[0]]
    rows = [(f"`{name}`", _range(meta), _basis(meta),
             "× " + " – ".join(fmt(k) for k in meta["plausible_scale"])
             if meta.get("plausible_scale") else "")
            for name, _, meta in walk(first)]
    return table(("field", "allowed range", "source or assumption", "plausible range"), rows)


# --- documents -----------------------------------------------------------------------------------
def _section(path: str) -> str:
    """The title of the section a (non-lever) parameter belongs to: the first prefix it has."""
    return next((title for title, prefix in SECTIONS[1:] if path.startswith(prefix)),
                SECTIONS[0][0])


def parameters_markdown() -> str:
    items = schema_parameters()
    out = [
        "# Parameters", "",
        "Generated by `python -m sim.docs` from the config schema (`sim/config/schema.py`, "
        "`sim/brakes.py`, `sim/policies/*.py`); do not edit by hand. Every parameter: dotted "
        "path (a Hydra override, e.g. `python -m sim params.economy.growth_step=0.2`), default, "
        "unit, allowed range, where the value comes from, and the plausible range the "
        "sensitivity analysis samples (`sim.config.params.uncertain_parameters()`). A "
        "**source** is an empirical anchor (rows of `shared/calibration/README.md`, the study, "
        "law); an *assumption* has none and is what the sensitivity analysis is for. Money is "
        "in euros of 2024.", "",
    ]
    model = [x for x in items if not x[0].startswith(("policies.", FORMS_PREFIX))]
    for title, prefix in SECTIONS:
        chosen = [x for x in model if _section(x[0]) == title]
        out += [f"## {title}", "", parameter_table(chosen), ""]
        if prefix == "params.population.":
            out += ["### Legal forms", "",
                    f"`{FORMS_PREFIX}<FORM>.<field>`, one column per form:", "",
                    forms_table(), "", forms_notes(), ""]
    out += ["## Levers", "", "Each lever's parameters (`policies.<lever>.<field>`), active "
            "only when the lever is (`'policies=[<lever>]'`); its YAML in `configs/policies/` "
            "repeats these defaults.", ""]
    for name in sorted(REGISTRY):
        chosen = [x for x in items if x[0].startswith(f"policies.{name}.")]
        out += [f"### `{name}`", "", parameter_table(chosen), ""]
    return "\n".join(out)


def _brake_items(items) -> list:
    brakes = ("mutual_ignorance", "competition", "finance", "premises", "human_resources")
    return [x for x in items if x[0].split(".")[1:2] and x[0].split(".")[1] in brakes
            and x[0].startswith("params.")]


def _validation_table() -> str:
    from sim.validation import CHECKS

    return table(("fact", "figure", "band", "target"),
                 [(str(c.fact), c.label, f"{fmt(c.low)} – {fmt(c.high)}", c.target)
                  for c in CHECKS])


def _levers_text() -> str:
    parts = []
    for name in sorted(REGISTRY):
        doc = (sys.modules[REGISTRY[name].__module__].__doc__ or "").strip()
        title, _, body = doc.partition("\n\n")
        parts += [f"#### `{name}`: {title}", "", body.strip(), ""]
    return "\n".join(parts).strip()


def _calendar_text() -> str:
    """The phases of ``sim.model.CALENDAR`` in order, each with its module, function and the
    first paragraph of its docstring."""
    from sim.model import CALENDAR

    lines = []
    for number, phase in enumerate(CALENDAR, start=1):
        module = phase.run.__module__.replace(".", "/") + ".py"
        doc = " ".join((phase.run.__doc__ or "").split("\n\n")[0].split())
        lines.append(f"{number}. **{phase.name}** (`{module}`, `{phase.run.__name__}`): {doc}")
    return "\n".join(lines)


def odd_sections() -> dict[str, Callable[[], str]]:
    items = schema_parameters()
    return {
        "calendar": _calendar_text,
        "forms": lambda: forms_table() + "\n\n" + forms_notes(),
        "scenario": lambda: parameter_table([x for x in items if x[0].startswith("scenario.")]),
        "brakes": lambda: parameter_table(_brake_items(items)),
        "levers": _levers_text,
        "validation": _validation_table,
    }


MARKER = re.compile(r"(<!-- generated:(\w+) -->\n)(.*?)(<!-- /generated:\2 -->)", re.S)


def refresh(text: str, sections: dict[str, Callable[[], str]], document: str = "ODD.md") -> str:
    """``text`` with every generated block rewritten; unknown or missing blocks are errors."""
    found = set()

    def replace(match: re.Match) -> str:
        name = match.group(2)
        if name not in sections:
            raise ValueError(f"docs/{document}: unknown generated block '{name}'")
        found.add(name)
        return f"{match.group(1)}{sections[name]().strip()}\n{match.group(4)}"

    refreshed = MARKER.sub(replace, text)
    missing = set(sections) - found
    if missing:
        raise ValueError(f"docs/{document}: missing generated blocks {sorted(missing)}")
    return refreshed


# --- levers: their YAML and their parameter tables -----------------------------------------------
SHARED_LEVER_YAML = """\
intensity: 1.0                      # share of full dose; 0 = off (reproduces the baseline)
start_month: 0                      # first active month
phase_in_months: 0                  # months of linear ramp to full intensity
target:                             # empty lists = every territory
  density_classes: []               # dense, intermediate, relaxed
  archetypes: []                    # metropolis, medium_town, rural, industrial_basin
  regions: []                       # region codes or names
"""


def _yaml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(_yaml_value, value)) + "]"
    return repr(value)


def _own_lever_fields(name: str):
    shared = {path for path, _, _ in walk(LeverParams())}
    return [(path, value, meta) for path, value, meta in walk(REGISTRY[name].Params())
            if path not in shared]


def lever_yaml(name: str) -> str:
    """``configs/policies/<name>.yaml``: the lever's declared defaults, with their units."""
    title = (sys.modules[REGISTRY[name].__module__].__doc__ or "").strip().splitlines()[0]
    lines = [f"# @package policies.{name}", f"# {title}",
             f"# Ranges and sources: sim/policies/{name}.py and docs/levers.md.",
             "# Generated from the lever's Params by python -m sim.docs: edit the module."]
    own = [(f"{path}: {_yaml_value(value)}", meta["unit"])
           for path, value, meta in _own_lever_fields(name)]
    own = [f"{line.ljust(35)} # {unit}" for line, unit in own]
    return "\n".join(lines) + "\n" + SHARED_LEVER_YAML + "\n".join(own) + "\n"


def lever_parameter_tables() -> str:
    parts = []
    for name in sorted(REGISTRY):
        rows = [(f"`{path}`", fmt(value), meta["unit"], _range(meta), _basis(meta))
                for path, value, meta in _own_lever_fields(name)]
        parts += [f"### `{name}`", "", table(("parameter", "default", "unit", "range",
                                               "source or assumption"), rows), ""]
    return "\n".join(parts).strip()


def lever_costs_table() -> str:
    """The measured cost per net job-year of each lever (docs/lever_costs.md), or how to
    measure it: a simulation too long for every docs refresh, so it is rerun on purpose."""
    if LEVER_COSTS.exists():
        return LEVER_COSTS.read_text()
    return "Not measured yet: run `python -m benchmarks.lever_costs`, then `python -m sim.docs`."


COSTS_SECTION = ("\n## Cost per net job-year, beside the real aid benchmarks\n\n"
                 "<!-- generated:lever_costs -->\n<!-- /generated:lever_costs -->\n")


def _refresh_levers(text: str) -> str:
    if "<!-- generated:lever_costs -->" not in text:
        text = text.rstrip("\n") + "\n" + COSTS_SECTION
    return refresh(text, {"lever_parameters": lever_parameter_tables,
                          "lever_costs": lever_costs_table}, LEVERS.name)


# --- calibration lock ----------------------------------------------------------------------------
def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def calibration_entries() -> dict[str, dict]:
    """Each sourced parameter: its default and a hash of its source note."""
    return {path: {"default": value, "source": _digest(meta["source"])}
            for path, value, meta in schema_parameters() if meta.get("source")}


def unjustified_changes(locked: dict[str, dict], current: dict[str, dict]) -> list[str]:
    """Sourced parameters whose default moved while their source note stayed the same."""
    return sorted(path for path, entry in current.items()
                  if path in locked and locked[path]["default"] != entry["default"]
                  and locked[path]["source"] == entry["source"])


def read_lock() -> dict[str, dict]:
    return json.loads(LOCK.read_text()) if LOCK.exists() else {}


def write_lock() -> list[str]:
    """Record the current calibration; refuse (and return the offenders) if a default moved
    without its note."""
    current = calibration_entries()
    offenders = unjustified_changes(read_lock(), current)
    if not offenders:
        LOCK.write_text(json.dumps(current, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    return offenders


# --- command line --------------------------------------------------------------------------------
def generated() -> dict[Path, str]:
    """The documents and lever configs as the schema says they should read."""
    documents = {PARAMETERS: parameters_markdown(),
                 ODD: refresh(ODD.read_text(), odd_sections()),
                 LEVERS: _refresh_levers(LEVERS.read_text())}
    documents.update({LEVER_CONFIGS / f"{name}.yaml": lever_yaml(name) for name in REGISTRY})
    return documents


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.docs",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a document is stale")
    parser.add_argument("--lock", action="store_true", help="rewrite the calibration lock")
    args = parser.parse_args(argv)
    if args.lock:
        offenders = write_lock()
        for path in offenders:
            print(f"error: {path}: default changed but its source note did not; update the "
                  "note, then lock again", file=sys.stderr)
        return 1 if offenders else 0
    stale = [path for path, text in generated().items()
             if not path.exists() or path.read_text() != text]
    if args.check:
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)} (run python -m sim.docs)", file=sys.stderr)
        return 1 if stale else 0
    for path, text in generated().items():
        path.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
