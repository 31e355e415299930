"""From a composed Hydra config to typed, range-checked dataclasses.

OmegaConf's structured merge refuses unknown keys and wrong types; the range, choice and
finiteness checks here read each field's ``param`` metadata. Every failure becomes a
``ConfigError`` whose message is one line: the dotted field, the value, what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config.describe import expected, siblings
from sim.config.errors import ConfigError
from sim.config.schema import LEGAL_FORMS, SimConfig
from sim.territories.labels import effective_label  # also registers ${ess_territory_label:}


def validate(cfg: DictConfig | dict) -> SimConfig:
    """Typed ``SimConfig`` with levers instantiated as their parameter dataclasses."""
    from sim.policies import REGISTRY

    raw = cfg if isinstance(cfg, DictConfig) else OmegaConf.create(cfg)
    policies = raw.get("policies") or {}
    body = OmegaConf.masked_copy(raw, [k for k in raw if k not in ("policies", "hydra")])
    typed = _structured(SimConfig, body, "")
    typed.policies = {}
    for name in sorted(policies.keys()):
        if name not in REGISTRY:
            raise ConfigError(
                "policies", f"unknown lever '{name}'; allowed: {', '.join(sorted(REGISTRY))}"
            )
        lever_cfg = policies[name]
        if lever_cfg is None:
            lever_cfg = {}
        typed.policies[name] = _structured(REGISTRY[name].Params, lever_cfg, f"policies.{name}")
    _check_fields(typed, "")
    _check_territory(typed)
    buyers = typed.params.procurement
    if buyers.buyer_share_state + buyers.buyer_share_regions + buyers.buyer_share_departements \
            + buyers.buyer_share_communes <= 0:
        raise ConfigError("params.procurement.buyer_share_state",
                          "the buyer shares are all 0; at least one must be > 0")
    unknown_forms = set(typed.params.population.forms) - set(LEGAL_FORMS)
    if unknown_forms:
        raise ConfigError(
            "params.population.forms",
            f"unknown legal form {sorted(unknown_forms)[0]!r}; allowed: {', '.join(LEGAL_FORMS)}",
        )
    return typed


def _check_territory(typed: SimConfig) -> None:
    """Load the selection once (cheap, cached) so a bad code fails before any run starts; name
    the run after its selection; refuse lever targets that reach nothing in it."""
    from sim.territories import TerritorySelectionError, load_territories

    territory = typed.territory
    try:
        selected = load_territories(territory.kind, territory.codes, territory.synthetic or None)
    except TerritorySelectionError as error:
        raise ConfigError(str(error).split(":", 1)[0],
                          str(error).split(":", 1)[-1].strip()) from None
    territory.label = effective_label(territory.kind, territory.codes, territory.synthetic,
                                      territory.label)
    for name, lever in typed.policies.items():
        _check_targeting(f"policies.{name}.target", lever.target, selected)


def _check_targeting(path: str, target, selected) -> None:
    """Each targeted value must exist (regions: in the territory data) and the targeting as a
    whole must reach at least one territory of the selection, else the lever silently does
    nothing."""
    from sim.territories import ARCHETYPES, DENSITY_CLASSES
    from sim.territories.real import national

    table = national()
    known_regions = set(table.region_code.tolist()) | set(table.region.tolist())
    known_regions |= set(selected.region_code.tolist()) | set(selected.region.tolist())
    vocabularies = {"density_classes": DENSITY_CLASSES, "archetypes": ARCHETYPES,
                    "regions": known_regions}
    for key, allowed in vocabularies.items():
        unknown = [str(v) for v in getattr(target, key) if str(v) not in allowed]
        if unknown:
            raise ConfigError(f"{path}.{key}", f"unknown value {unknown[0]!r}; allowed: "
                              f"{_allowed_values(key, selected, allowed)}")
    if not target.mask(selected).any():
        raise ConfigError(path, "reaches no territory of the selection; allowed: values present "
                          f"in it: regions {_allowed_values('regions', selected, ())}; "
                          f"archetypes {', '.join(np.unique(selected.archetype))}; "
                          f"density_classes {', '.join(np.unique(selected.density_class))}")


def _allowed_values(key: str, selected, allowed) -> str:
    if key != "regions":
        return ", ".join(allowed)
    pairs = dict(zip(selected.region_code.tolist(), selected.region.tolist(), strict=True))
    return ", ".join(f"{code} ({name})" for code, name in sorted(pairs.items()))


def _structured(schema: type, values: Any, prefix: str):
    try:
        merged = OmegaConf.merge(OmegaConf.structured(schema), values)
        return OmegaConf.to_object(merged)
    except OmegaConfBaseException as error:
        raise _one_line(error, prefix) from None


def _one_line(error: OmegaConfBaseException, prefix: str) -> ConfigError:
    key = getattr(error, "full_key", "") or ""
    field = ".".join(p for p in (prefix, key) if p) or "config"
    message = str(error).splitlines()[0].strip()
    if "not in struct" in message or ("Key '" in message and "not in" in message):
        return ConfigError(field, f"unknown key; allowed here: {', '.join(siblings(field))}")
    return ConfigError(field, f"{message}; allowed: {expected(field)}")


def _check_fields(obj: Any, prefix: str) -> None:
    """Walk dataclasses recursively, checking each scalar against its declared range/choices."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            _check_fields(value, f"{prefix}.{key}" if prefix else str(key))
        return
    if not dataclasses.is_dataclass(obj):
        return
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        path = f"{prefix}.{f.name}" if prefix else f.name
        _check_value(path, value, f.metadata)
        if isinstance(value, list):
            _check_list(path, value, f)
        _check_fields(value, path)


def _check_list(path: str, value: list, f: dataclasses.Field) -> None:
    """A list of numbers with a default (one value per sector) keeps its length; its numbers
    keep the parameter's range."""
    default = f.default_factory() if f.default_factory is not dataclasses.MISSING else []
    numbers = default and all(isinstance(x, (int, float)) for x in default)
    if numbers and len(value) != len(default):
        raise ConfigError(path, f"{len(value)} values given; allowed: exactly {len(default)} "
                          f"({f.metadata.get('unit', '')})")
    for item in value:
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            _check_value(path, float(item), f.metadata)


def _check_value(path: str, value: Any, meta: dict) -> None:
    if not meta:
        return
    low, high, choices = meta.get("low"), meta.get("high"), meta.get("choices")
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(path, f"{value} is not a finite number; allowed: {_range(low, high)}")
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if numeric and ((low is not None and value < low) or (high is not None and value > high)):
            raise ConfigError(path, f"{value} is out of range; allowed: {_range(low, high)}")
    if choices:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if item not in choices:
                raise ConfigError(path, f"{item!r} is not allowed; allowed: {', '.join(choices)}")


def _range(low, high) -> str:
    if low is not None and high is not None:
        return f"{low} <= value <= {high}"
    return f">= {low}" if low is not None else f"<= {high}"
