"""Where the Hydra config tree is, and composing it from overrides outside ``@hydra.main``.

From a checkout the tree is the top-level ``configs/``; an installed wheel ships the same files as
the package data ``sim/conf`` (see pyproject.toml), so runs work from any directory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import yaml
from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import HydraException
from omegaconf import DictConfig, open_dict
from omegaconf.errors import OmegaConfBaseException

from sim.config.describe import expected, siblings
from sim.config.errors import ConfigError
from sim.config.safety import check_overrides, check_tree
from sim.config.schema import SimConfig
from sim.config.validate import validate


def register_schema() -> None:
    """Put the typed schema under ``config.yaml`` (its first default), so every key is typed
    and every override is checked against it."""
    ConfigStore.instance().store(name="sim_schema", node=SimConfig)


register_schema()


def config_dir() -> Path:
    """The Hydra config directory: the shipped package data, else the checkout's ``configs/``."""
    shipped = resources.files("sim") / "conf"
    if shipped.is_dir() and (shipped / "config.yaml").is_file():
        return Path(str(shipped))
    checkout = Path(__file__).resolve().parents[2] / "configs"
    if (checkout / "config.yaml").is_file():
        return checkout
    raise ConfigError("config", "the Hydra config tree was not found (sim/conf or ./configs)")


def compose_config(overrides: Sequence[str] = (), directory: Path | None = None,
                   keep_hydra: bool = False) -> DictConfig:
    """Compose ``config.yaml`` with Hydra overrides; errors become one-line ``ConfigError``.

    The ``hydra`` node is checked for safety, then dropped unless ``keep_hydra``."""
    check_overrides(overrides)
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(str(directory or config_dir()), version_base="1.3"):
            cfg = compose("config", overrides=list(overrides), return_hydra_config=True)
    except (HydraException, OmegaConfBaseException) as error:
        raise _hydra_message(error) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{mark.name}, line {mark.line + 1}" if mark else "a config file"
        problem = getattr(error, "problem", None) or type(error).__name__
        raise ConfigError("config file", f"broken YAML in {where}: {problem}") from None
    check_tree(cfg)
    if not keep_hydra:
        with open_dict(cfg):
            del cfg["hydra"]
    return cfg


def load_config(overrides: Sequence[str] = (), directory: Path | None = None) -> SimConfig:
    """Compose and validate: the typed config a model is built from."""
    return validate(compose_config(overrides, directory))


def check_output_dir(cfg: DictConfig, key: str = "run") -> Path:
    """Refuse a run directory that cannot be created before Hydra tries to."""
    try:
        target = Path(str(cfg.hydra[key].dir))
    except Exception as error:
        raise ConfigError(f"hydra.{key}.dir", f"cannot be resolved ({error})") from None
    parent = target if target.exists() else next(
        (p for p in target.absolute().parents if p.exists()), Path("/"))
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK) or str(
            parent.resolve()).startswith(("/proc", "/sys")):
        raise ConfigError(f"hydra.{key}.dir", f"cannot write to '{target}' ({parent} is not a "
                          "writable directory); allowed: a writable path")
    return target


def _hydra_message(error: Exception) -> ConfigError:
    """Hydra's multi-line composition errors as one line naming the field and the choices."""
    text = str(error)
    cause = error.__cause__
    if isinstance(cause, OmegaConfBaseException):
        key = str(getattr(cause, "full_key", None) or "overrides")
        first = str(cause).splitlines()[0].strip()
        if "not in struct" in first or "not in '" in first:
            return ConfigError(key, f"unknown key; allowed here: {', '.join(siblings(key))}")
        return ConfigError(key, f"{first}; allowed: {expected(key)}")
    missing = re.search(r"Could not (?:find|load) '([\w/]+)/([^']+)'", text)
    if missing:
        group, option = missing.groups()
        options = sorted(p.stem for p in (config_dir() / group).glob("*.yaml"))
        return ConfigError(group.replace("/", "."),
                           f"unknown option '{option}'; allowed: {', '.join(options)}")
    override = re.search(r"Could not override '([^']+)'", text)
    if override:
        key = override.group(1)
        detail = re.search(r"Value '.*?' (?:could not be converted|is not a valid).*", text)
        if detail:
            return ConfigError(key, detail.group(0).splitlines()[0])
        return ConfigError(key, f"unknown key; allowed here: {', '.join(siblings(key))}")
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return ConfigError("overrides", first or type(error).__name__)
