"""The parameter spec: a parameter's default, unit, allowed range and where the value comes from.

Every field of the config schema is declared with ``param`` so that validation, the generated
parameter tables of the docs and the sensitivity analysis all read the same metadata. ``source``
cites a row of ``shared/calibration`` (or the study); ``assumption`` marks a value without an
empirical anchor, whose ``plausible`` range feeds the sensitivity analysis (``plausible_scale``
gives it as multiples of the default, for per-form values that share one field).

A leaf module: the brakes, the schema and every lever declare their parameters with it without
importing the configuration machinery (Hydra, OmegaConf).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import field, fields, is_dataclass
from typing import Any


def param(
    default: Any,
    *,
    unit: str,
    low: float | None = None,
    high: float | None = None,
    source: str | None = None,
    assumption: str | None = None,
    plausible: tuple[float, float] | None = None,
    plausible_scale: tuple[float, float] | None = None,
    choices: tuple[str, ...] | None = None,
):
    """A dataclass field with the metadata the validator, docs and sensitivity analysis use."""
    if (source is None) == (assumption is None):
        raise ValueError("a parameter cites exactly one of source= or assumption=")
    metadata = {
        "unit": unit,
        "low": low,
        "high": high,
        "source": source,
        "assumption": assumption,
        "plausible": plausible,
        "plausible_scale": plausible_scale,
        "choices": choices,
    }
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda d=default: type(d)(d), metadata=metadata)
    return field(default=default, metadata=metadata)


def walk(node: Any, prefix: str = "") -> Iterator[tuple[str, Any, dict]]:
    """Every declared parameter under a config node: (dotted path, value, metadata), in
    declaration order, descending into nested dataclasses and dicts of them."""
    for f in fields(node):
        value = getattr(node, f.name)
        path = f"{prefix}{f.name}"
        if is_dataclass(value):
            yield from walk(value, f"{path}.")
        elif isinstance(value, dict) and value and all(map(is_dataclass, value.values())):
            for key, item in value.items():
                yield from walk(item, f"{path}.{key}.")
        elif f.metadata:
            yield path, value, dict(f.metadata)


def plausible_range(value: Any, meta: dict) -> tuple[float, float] | None:
    """The plausible range of a numeric parameter (``plausible_scale`` as multiples of its
    value), or None when it has none or it would be empty."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if meta.get("plausible"):
        low, high = meta["plausible"]
    elif meta.get("plausible_scale") and value != 0:
        low, high = (value * k for k in meta["plausible_scale"])
    else:
        return None
    return (float(low), float(high))
