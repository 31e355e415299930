"""Config safety: a scenario file is data, never code.

Hydra instantiates ``_target_`` classes (launchers, sweepers, callbacks) and ``logging`` builds
handlers from ``class`` names, so a config file sent by e-mail could otherwise run arbitrary
code (shared/ENGINEERING.md: a ``_target_`` of ``numpy.savetxt`` wrote a ``.pth`` file that ran
at the next Python start). Before anything is instantiated, every ``_target_`` is resolved and
checked against an allowlist of the project's own classes and Hydra's launchers and sweepers;
logging handlers must be standard ``logging`` classes; and interpolations may only reference
other keys or the project's own resolvers — never environment variables or decoding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from omegaconf import DictConfig, ListConfig

from sim.config.errors import ConfigError

ALLOWED_TARGET_PREFIXES = (
    "sim.",
    "hydra_plugins.ess_sim.",
    "hydra._internal.core_plugins.",
    "hydra_plugins.hydra_joblib_launcher.",
    "hydra_plugins.hydra_submitit_launcher.",
    "hydra_plugins.hydra_ray_launcher.",
)
ALLOWED_LOGGING_PREFIXES = ("logging.",)
# the project's own resolvers: naming an arm, counting a sensitivity design's rows
ALLOWED_RESOLVERS = {"now", "hydra", "ess_arm_from_policies", "ess_design_range"}
RESOLVER = re.compile(r"\$\{\s*([A-Za-z_][\w.]*)\s*:")


def check_tree(cfg: DictConfig) -> None:
    """Refuse any disallowed target, logging class or resolver in a composed config."""
    for path, node, raw in _leaves(cfg):
        _check_resolvers(path, raw)
        leaf = path.rsplit(".", 1)[-1]
        if leaf == "_target_":
            _check_target(path, _resolved(node, raw))
        elif leaf == "()":
            raise ConfigError(path, "factory keys '()' are not allowed in a config")
        elif (leaf == "class" and ("_logging" in path or "handlers" in path)
              and not str(raw).startswith(ALLOWED_LOGGING_PREFIXES)):
            raise ConfigError(path, f"'{raw}' is not allowed; allowed: logging.* classes")


def check_overrides(overrides: Sequence[str]) -> None:
    """Check command-line overrides (every value of a sweep) before Hydra sees them."""
    for override in overrides:
        key, _, value = override.lstrip("+~").partition("=")
        _check_resolvers(key, value)
        leaf = key.rsplit(".", 1)[-1]
        values = [v.strip() for v in value.split(",")] if value else []
        if leaf == "_target_":
            for v in values:
                _check_target(key, v)
        elif leaf == "()":
            raise ConfigError(key, "factory keys '()' are not allowed in a config")
        elif leaf == "class" and any(not v.startswith(ALLOWED_LOGGING_PREFIXES) for v in values):
            raise ConfigError(key, "only logging.* classes are allowed")


def first_of_sweeps(overrides: Sequence[str]) -> list[str]:
    """One job's overrides out of a sweep (first value of each swept key), to compose and check
    the files a multirun will load."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    chosen = []
    for override in OverridesParser.create().parse_overrides(list(overrides)):
        if override.is_sweep_override():
            first = next(iter(override.sweep_string_iterator()))
            chosen.append(f"{override.get_key_element()}={first}")
        else:
            chosen.append(override.input_line)
    return chosen


def _check_target(path: str, target: str) -> None:
    if not target.startswith(ALLOWED_TARGET_PREFIXES):
        allowed = ", ".join(p + "*" for p in ALLOWED_TARGET_PREFIXES)
        raise ConfigError(path, f"target '{target}' is not allowed; allowed: {allowed}")


def _check_resolvers(path: str, raw) -> None:
    if not isinstance(raw, str):
        return
    for name in RESOLVER.findall(raw):
        if name not in ALLOWED_RESOLVERS:
            raise ConfigError(path, f"interpolation resolver '{name}' is not allowed (it could "
                              f"read the environment or files); allowed: "
                              f"{', '.join(sorted(ALLOWED_RESOLVERS))}, references to other keys")


def _resolved(node, raw) -> str:
    """A target's value after interpolation; unresolvable targets are refused."""
    if not (isinstance(raw, str) and "${" in raw):
        return str(raw)
    try:
        return str(node._dereference_node()._value())
    except Exception:
        return str(raw)


def _leaves(node, path: str = "") -> Iterator[tuple[str, object, object]]:
    if isinstance(node, DictConfig):
        if node._is_missing() or node._is_none():
            return
        for key in node:
            yield from _leaves(node._get_node(key), f"{path}.{key}" if path else str(key))
    elif isinstance(node, ListConfig):
        if node._is_missing() or node._is_none():
            return
        for index in range(len(node)):
            yield from _leaves(node._get_node(index), f"{path}[{index}]")
    else:
        yield path, node, node._value()

