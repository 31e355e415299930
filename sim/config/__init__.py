"""Config schema, composition and validation."""

from sim.config.compose import compose_config, config_dir, load_config
from sim.config.errors import ConfigError
from sim.config.schema import SimConfig
from sim.config.validate import validate

__all__ = ["ConfigError", "SimConfig", "compose_config", "config_dir", "load_config", "validate"]
