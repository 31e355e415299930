"""Config schema, composition and validation.

Composition needs Hydra, which is slow to import and which a lever, a market or the docs never
need: ``compose_config``, ``config_dir`` and ``load_config`` are imported on first use.
"""

from sim.config.errors import ConfigError
from sim.config.schema import SimConfig
from sim.config.validate import validate

_COMPOSE = ("compose_config", "config_dir", "load_config")

__all__ = ["ConfigError", "SimConfig", *_COMPOSE, "validate"]


def __getattr__(name: str):
    if name in _COMPOSE:
        from sim.config import compose

        return getattr(compose, name)
    raise AttributeError(f"module 'sim.config' has no attribute {name!r}")
