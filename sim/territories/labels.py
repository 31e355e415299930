"""The label of a run's territory, which names its output folder, follows its selection.

A territory preset (``configs/territory/*.yaml``) names its selection: ``label: Drome`` for
``kind: departement, codes: ["26"]``. Overriding ``territory.kind`` or ``territory.codes`` while
keeping a preset's label would name a run of Creuse Confluence ``..._Drome_...``; so a label equal
to a preset's label is kept only while the selection is that preset's, and is otherwise derived
from the selection (:func:`selection_label`). A label the user chose (any other text) is kept.

Derived labels are ASCII, without spaces or path separators, at most ``MAX_LABEL`` characters:
they name folders on every operating system and in shells without quoting.

The OmegaConf resolver ``ess_territory_label`` gives the same label from a config's root, for
``hydra.run.dir`` (``${ess_territory_label:}``); it is registered when this module is imported.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from omegaconf import DictConfig, ListConfig, OmegaConf

MAX_LABEL = 80
"""Longest derived label (characters); a folder name stays readable and far below OS limits."""
SHOWN_NAMES = 3
"""A selection of more territories is labelled by its first name and a count."""
EPCI_PREFIXES = {
    "Communauté de communes": "CC",
    "Communauté d'agglomération": "CA",
    "Communauté urbaine": "CU",
    "Métropole": "Metropole",
}


def effective_label(kind: str, codes: Sequence[str] | None, synthetic: Mapping | None,
                    label: str) -> str:
    """``label``, unless it is a preset's label and the selection is not that preset's."""
    preset = _presets().get(label)
    if preset is None or preset == _selection_key(kind, codes, synthetic):
        return label
    return selection_label(kind, codes, synthetic)


def selection_label(kind: str, codes: Sequence[str] | None, synthetic: Mapping | None) -> str:
    """A folder-safe name of a selection: its territories' names, or a count beyond three.

    Unknown codes fall back to the codes themselves (the selection is refused later, with the
    field named, by :func:`sim.territories.load_territories`)."""
    if kind == "france":
        return "France"
    if kind == "synthetic":
        counts = {a: int(n) for a, n in (synthetic or {}).items() if int(n) > 0}
        return _slug("Synthetic_" + "_".join(f"{n}{a}" for a, n in counts.items()))
    wanted = _codes(kind, codes)
    names = [_name_of(kind, code) for code in wanted]
    if len(names) > SHOWN_NAMES:
        return _slug(f"{names[0]}+{len(names) - 1}_more_{kind}s")
    return _slug("+".join(names))


def _codes(kind: str, codes: Sequence[str] | None) -> list[str]:
    from sim.territories.real import normalise_codes

    return normalise_codes(kind, list(codes or []))


def _name_of(kind: str, code: str) -> str:
    from sim.territories.real import national

    table = national()
    if kind == "region":
        match = table.region[(table.region_code == code) | (table.region == code)]
        return str(match[0]) if match.size else code
    if kind == "departement":
        return f"departement_{code}"
    match = table.name[table.siren == code]
    if not match.size:
        return code
    name = str(match[0])
    for long, short in EPCI_PREFIXES.items():
        if name.startswith(long):
            return short + name[len(long):]
    return name


def _slug(text: str) -> str:
    """ASCII letters, digits and ``+-_.``; other runs of characters become one ``_``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9+\-_.]+", "_", ascii_text).strip("_.")
    return slug[:MAX_LABEL].rstrip("_.") or "territory"


def _selection_key(kind: str, codes: Sequence[str] | None, synthetic: Mapping | None) -> tuple:
    """What a preset selects, comparable whatever the spelling of its codes."""
    if kind == "synthetic":
        counts = {a: int(n) for a, n in (synthetic or {}).items() if int(n) > 0}
        return kind, tuple(sorted(counts.items()))
    try:
        wanted = _codes(kind, codes)
    except (TypeError, ValueError):
        wanted = [str(c) for c in codes or []]
    return kind, tuple(sorted(wanted))


def _preset_dir() -> Path | None:
    """The shipped ``territory/`` presets: the wheel's ``sim/conf`` or the checkout's
    ``configs`` (the same two places :func:`sim.config.compose.config_dir` looks in)."""
    shipped = resources.files("sim") / "conf" / "territory"
    if shipped.is_dir():
        return Path(str(shipped))
    checkout = Path(__file__).resolve().parents[2] / "configs" / "territory"
    return checkout if checkout.is_dir() else None


@cache
def _presets() -> dict[str, tuple]:
    """Preset label -> the selection it names."""
    directory = _preset_dir()
    presets = {}
    for path in sorted(directory.glob("*.yaml")) if directory else ():
        preset = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if "label" in preset and "kind" in preset:
            presets[str(preset["label"])] = _selection_key(
                preset["kind"], preset.get("codes"), preset.get("synthetic"))
    return presets


def _resolve_label(*, _root_: DictConfig) -> str:
    """``${ess_territory_label:}``: the effective label of the config's ``territory`` node."""
    territory = _root_.territory
    codes = territory.get("codes")
    synthetic = territory.get("synthetic")
    return effective_label(
        territory.kind,
        OmegaConf.to_container(codes) if isinstance(codes, ListConfig) else codes,
        OmegaConf.to_container(synthetic) if isinstance(synthetic, DictConfig) else synthetic,
        territory.label,
    )


OmegaConf.register_new_resolver("ess_territory_label", _resolve_label, replace=True)
