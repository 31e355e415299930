"""Lever plugins. ``REGISTRY`` maps a lever's config name to its class."""

from __future__ import annotations

from sim.effects import Effects
from sim.policies.base import LeverParams, Policy, Targeting

REGISTRY: dict[str, type[Policy]] = {}


def register(cls: type[Policy]) -> type[Policy]:
    """Class decorator adding a lever to the registry under its ``name``."""
    REGISTRY[cls.name] = cls
    return cls


def _load_builtin_levers() -> None:
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            importlib.import_module(f"{__name__}.{module.name}")


_load_builtin_levers()

__all__ = ["REGISTRY", "Effects", "LeverParams", "Policy", "Targeting", "register"]
