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
from sim.config.safety import (
    check_file_provenance,
    check_log_files,
    check_output_root,
    check_overrides,
    check_tree,
    check_user_files,
    job_probe,
)
from sim.config.schema import SimConfig
from sim.config.validate import validate


def register_schema() -> None:
    """Put the typed schema under ``config.yaml`` (its first default), so every key is typed
    and every override is checked against it. The schema's node is built once per process
    (``OmegaConf.structured`` of the whole schema: ~0.1 s, and a sweep's worker registers it
    again for each arm it composes); Hydra deep-copies a stored node each time it loads it, so
    the one node is never changed."""
    store = ConfigStore.instance()
    if _SCHEMA_NODE:
        store.repo[SCHEMA_FILE] = _SCHEMA_NODE[0]
        return
    store.store(name="sim_schema", node=SimConfig)
    _SCHEMA_NODE.append(store.repo[SCHEMA_FILE])


SCHEMA_FILE = "sim_schema.yaml"
_SCHEMA_NODE: list = []  # the ConfigNode registered first, reused by later registrations


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
                   keep_hydra: bool = False, user_dirs: Sequence[Path] = (),
                   name: str = "config") -> DictConfig:
    """Compose ``config.yaml`` (or the main config ``name``) with Hydra overrides; errors become
    one-line ``ConfigError``.

    ``user_dirs`` are a user's config folders (``--config-dir``), searched after the project's:
    their files are scanned before Hydra reads them and may not set ``hydra.*`` keys beyond a
    documented few (``sim.config.safety``). The ``hydra`` node is checked for safety, then
    dropped unless ``keep_hydra``."""
    check_overrides(overrides)
    for folder in user_dirs:
        if not Path(folder).is_dir():
            raise ConfigError("--config-dir", f"'{folder}' is not a directory")
        check_user_files(Path(folder))
    searchpath = [f"file://{Path(d).resolve()}" for d in user_dirs]
    everything = list(overrides) + ([f"hydra.searchpath=[{','.join(searchpath)}]"]
                                    if searchpath else [])
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(str(directory or config_dir()), version_base="1.3"):
            cfg = compose(name, overrides=everything, return_hydra_config=True)
            check_file_provenance(everything, user_dirs)
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


def config_groups(user_dirs: Sequence[Path] = ()) -> set[str]:
    """Names of the config groups (folders of the project's tree and of the user's)."""
    return {p.name for folder in (config_dir(), *user_dirs) if Path(folder).is_dir()
            for p in Path(folder).iterdir() if p.is_dir()}


def load_config(overrides: Sequence[str] = (), directory: Path | None = None) -> SimConfig:
    """Compose and validate: the typed config a model is built from."""
    return validate(compose_config(overrides, directory))


def check_output_dir(cfg: DictConfig, key: str = "run") -> Path:
    """The folder a run (``key="run"``) or a sweep (``"sweep"``) will own, checked before Hydra
    creates it: not a system folder, writable; in a sweep each job's folder (``subdir``) lies
    strictly inside it; Hydra's ``output_subdir`` and every log file stay in the job's folder."""
    field = f"hydra.{key}.dir"
    probe = job_probe(cfg)
    try:
        target = Path(str(probe.hydra[key].dir))
        subdir = str(probe.hydra.sweep.subdir) if key == "sweep" else None
    except Exception as error:
        raise ConfigError(field, f"cannot be resolved ({error})") from None
    root = check_output_root(field, target)
    parent = next((p for p in [root, *root.parents] if p.exists()), Path("/"))
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(field, f"cannot write to '{target}' ({parent} is not a "
                          "writable directory); allowed: a writable path")
    job_dir = root
    if subdir is not None:
        job_dir = Path(os.path.realpath(root / subdir))
        if root not in job_dir.parents:
            raise ConfigError("hydra.sweep.subdir", f"'{subdir}' does not make a folder inside "
                              "the sweep folder; allowed: a relative path such as "
                              "${hydra.job.num}")
    output_subdir = cfg.hydra.get("output_subdir")
    if output_subdir is not None and job_dir not in Path(
            os.path.realpath(job_dir / str(output_subdir))).parents:
        raise ConfigError("hydra.output_subdir", f"'{output_subdir}' is outside the run folder; "
                          "allowed: a relative folder name such as .hydra, or null")
    check_log_files(cfg, job_dir)
    return root


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
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    full_key = re.search(r"full_key: (\S+)", text)
    if full_key and lines:
        where = re.match(r"In '([^']+)'", lines[0])
        detail = next((x for x in lines[1:] if not x.startswith(("full_key", "object_type"))),
                      lines[0])
        return ConfigError(full_key.group(1), f"{detail}" + (f" (in {where.group(1)})"
                                                            if where else ""))
    first = " ".join(lines[:2]) if lines and lines[0].endswith(":") else next(iter(lines), "")
    return ConfigError("overrides", first or type(error).__name__)
