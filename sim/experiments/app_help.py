"""`python -m sim.experiments [+experiment=NAME] --help`: the command in a screen, then what
the selected experiment runs — its arms, seeds, report language and launcher — read from its
composed config, and the launchers this install offers."""

from __future__ import annotations

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig

from sim.cli_help import EXPERIMENTS, HELP_FLAGS
from sim.config import ConfigError
from sim.config.compose import compose_config
from sim.config.safety import split_argv
from sim.plugins import LAUNCHER_EXTRAS, package_missing


def print_help(argv: list[str]) -> None:
    from sim.experiments.runner import SCHEMA_NAME, ExperimentConfig, main_config

    print(EXPERIMENTS, end="")
    ConfigStore.instance().store(name=SCHEMA_NAME, node=ExperimentConfig)
    _, overrides, user_dirs = split_argv([a for a in argv if a not in HELP_FLAGS])
    try:
        cfg = compose_config(overrides, keep_hydra=True, user_dirs=user_dirs,
                             name=main_config(argv))
    except ConfigError as error:
        print(f"\n(this command line does not compose: {error})")
        return
    print()
    print(describe(cfg))


def describe(cfg: DictConfig) -> str:
    """The selected experiment: name, arms, seeds, language, launcher; installed launchers."""
    params = cfg.hydra.sweeper.get("params") or {}
    exp = cfg.experiment
    declared = exp.get("arms") or {}
    launcher = str(cfg.hydra.launcher._target_).rsplit(".", 1)[-1]
    installed = [name for name, (package, _) in LAUNCHER_EXTRAS.items()
                 if not package_missing(package)]
    missing = sorted({f"{name} (extra '{extra}')" for name, (package, extra)
                      in LAUNCHER_EXTRAS.items() if package_missing(package)})
    lines = [
        f"This experiment ({exp.name}):",
        f"  arm={params.get('arm', cfg.get('arm'))}",
        f"  declared arms: {', '.join(declared) or 'none (arms are levers joined by +)'}",
        f"  seed={params.get('seed', cfg.seed)}          replications, paired by seed",
        f"  experiment.lang={exp.get('lang')}          report language (fr or en)",
        f"  launcher: {launcher}",
        f"  hydra/launcher= basic, {', '.join(installed)}",
    ]
    if missing:
        lines.append(f"  not installed: {', '.join(missing)}")
    return "\n".join(lines) + "\n"
