"""Declaring a parameter: its default, unit, allowed range and where the value comes from.

Every field of the config schema is declared with ``param`` so that validation, the generated
parameter tables of the docs and the sensitivity analysis all read the same metadata. ``source``
cites a row of ``shared/calibration`` (or the study); ``assumption`` marks a value without an
empirical anchor, whose ``plausible`` range feeds the sensitivity analysis (``plausible_scale``
gives it as multiples of the default, for per-form values that share one field).
"""

from __future__ import annotations

from dataclasses import field
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
