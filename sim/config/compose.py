"""Where the Hydra config tree is, and composing it from overrides outside ``@hydra.main``.

From a checkout the tree is the top-level ``configs/``; an installed wheel ships the same files as
the package data ``sim/conf`` (see pyproject.toml), so runs work from any directory.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import HydraException
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from sim.config.errors import ConfigError
from sim.config.schema import SimConfig
from sim.config.validate import validate


def config_dir() -> Path:
    """The Hydra config directory: the shipped package data, else the checkout's ``configs/``."""
    shipped = resources.files("sim") / "conf"
    if shipped.is_dir() and (shipped / "config.yaml").is_file():
        return Path(str(shipped))
    checkout = Path(__file__).resolve().parents[2] / "configs"
    if (checkout / "config.yaml").is_file():
        return checkout
    raise ConfigError("config", "the Hydra config tree was not found (sim/conf or ./configs)")


def compose_config(overrides: Sequence[str] = (), directory: Path | None = None) -> DictConfig:
    """Compose ``config.yaml`` with Hydra overrides; errors become one-line ``ConfigError``."""
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(str(directory or config_dir()), version_base="1.3"):
            return compose("config", overrides=list(overrides))
    except (HydraException, OmegaConfBaseException) as error:
        raise ConfigError("overrides", _hydra_message(error)) from None


def load_config(overrides: Sequence[str] = (), directory: Path | None = None) -> SimConfig:
    """Compose and validate: the typed config a model is built from."""
    return validate(compose_config(overrides, directory))


def _hydra_message(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    options = [line for line in lines[1:] if not line.startswith("Available")]
    if "Could not find" in text and options:
        text += f"; allowed: {', '.join(options)}"
    return text
