"""Config trust boundary: a scenario file is data, never code (docs/guarantees.md states it).

Hydra instantiates ``_target_`` callables (launchers, sweepers, callbacks), ``logging`` builds
handlers from ``class`` names and imports ``ext://`` paths, and OmegaConf resolvers read the
environment; so a config file sent by e-mail could otherwise run code, truncate files or leak
secrets (shared/ENGINEERING.md: a ``_target_`` of ``numpy.savetxt`` wrote a ``.pth`` file that
ran at the next Python start). Before anything is instantiated:

- every ``_target_`` is resolved the way Hydra resolves it and must be one of a fixed set of
  callables, named by their defining module and qualified name (``sim.model.np.savetxt`` is
  ``numpy.savetxt``: refused);
- logging configs may only build a few handler classes; files stay inside the run folder;
- every interpolation is parsed with OmegaConf's own grammar, nested ones included, and may only
  reference keys or call the resolvers listed here;
- files from a user's ``--config-dir`` are size-checked and parsed safely before Hydra reads
  them, and may set only the few ``hydra.*`` keys of ``USER_FILE_HYDRA_KEYS``.
"""

from __future__ import annotations

import copy
import importlib
import os
import re
import sys
import types
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import yaml
from omegaconf import DictConfig, ListConfig, OmegaConf, grammar_parser, open_dict
from omegaconf.errors import GrammarParseError, OmegaConfBaseException
from omegaconf.grammar.gen.OmegaConfGrammarParser import OmegaConfGrammarParser

from sim.config.errors import ConfigError

# (defining module, qualified name) of every callable a config may name as `_target_`.
ALLOWED_CALLABLES = frozenset({
    ("hydra._internal.core_plugins.basic_launcher", "BasicLauncher"),
    ("hydra._internal.core_plugins.basic_sweeper", "BasicSweeper"),
    ("hydra_plugins.hydra_joblib_launcher.joblib_launcher", "JoblibLauncher"),
    ("hydra_plugins.hydra_submitit_launcher.submitit_launcher", "LocalLauncher"),
    ("hydra_plugins.hydra_submitit_launcher.submitit_launcher", "SlurmLauncher"),
    ("hydra_plugins.hydra_ray_launcher.ray_launcher", "RayLauncher"),
    ("hydra_plugins.ess_sim.first_job_sweeper", "FirstJobSweeper"),
    ("hydra_plugins.ess_sim.ray_cluster_launcher", "RayClusterLauncher"),
    ("hydra_plugins.ess_sim.resilient_joblib_launcher", "ResilientJoblibLauncher"),
    ("hydra_plugins.ess_sim.resilient_submitit_launcher", "ResilientSubmititLocalLauncher"),
    ("hydra_plugins.ess_sim.resilient_submitit_launcher", "ResilientSubmititSlurmLauncher"),
    ("sim.experiments.callbacks", "ExperimentCallback"),
})
# Only these modules are imported to resolve a target: naming any other is refused unimported.
IMPORTABLE = frozenset(".".join(module.split(".")[:n]) for module, _ in ALLOWED_CALLABLES
                       for n in range(1, module.count(".") + 2))
# the project's own resolvers (naming an arm, counting a design's rows, slugs) and Hydra's
ALLOWED_RESOLVERS = frozenset({"now", "hydra", "ess_arm_from_policies", "ess_design_range",
                               "ess_slug", "ess_territory_label"})
LOGGING_NODES = ("hydra.job_logging", "hydra.hydra_logging")
LOG_HANDLERS = {"logging.StreamHandler", "logging.FileHandler", "logging.NullHandler"}
HANDLER_KEYS = {"class", "level", "formatter", "filters", "stream", "filename", "mode",
                "encoding", "delay", "errors"}
FORMATTER_KEYS = {"format", "datefmt", "style", "validate", "class"}
LOG_STREAMS = {"ext://sys.stdout", "ext://sys.stderr"}
# The hydra keys a user's scenario or experiment file may set (prefixes end with a dot); a
# file may also choose `hydra/launcher` among the shipped launchers in its defaults list.
USER_FILE_HYDRA_KEYS = ("hydra.run.dir", "hydra.sweep.dir", "hydra.sweep.subdir",
                        "hydra.sweeper.params.", "hydra.launcher.n_jobs", "hydra.output_subdir",
                        "hydra.verbose", "hydra.job_logging.loggers.",
                        "hydra.hydra_logging.loggers.", "hydra.job_logging.root.level",
                        "hydra.hydra_logging.root.level")
# hydra keys refused everywhere, the command line included
REFUSED_HYDRA_KEYS = {
    "hydra.job.env_set": "setting environment variables (LD_PRELOAD, PYTHONPATH...) runs code",
    "hydra.searchpath": "add config folders with --config-dir",
    "hydra.runtime": "Hydra sets these itself",
    "hydra.mode": "use -m / --multirun",
}
# Folders of the operating system and of Python a run folder must never be or be inside.
SYSTEM_DIRS = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc",
               "/run", "/sbin", "/sys", "/usr", "/var/lib", "/var/log", "/var/cache", "/var/spool",
               "/var/run")
# Limits on a user's config files: far above any real scenario (the shipped ones are < 4 KB)
MAX_FILE_BYTES = 256 * 1024
MAX_YAML_NODES = 100_000  # after alias expansion: a "billion laughs" file stops here
MAX_USER_FILES = 2_000  # files and folders under a --config-dir
JOB_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
UNSAFE_FOR_FOLDER_NAMES = re.compile(r"[^A-Za-z0-9_.+=-]+")


# --- slugs --------------------------------------------------------------------------------

def slug(text: object) -> str:
    """``text`` as one safe folder-name component: no separators, no leading dot, <= 80 chars."""
    cleaned = re.sub(r"\.{2,}", ".", UNSAFE_FOR_FOLDER_NAMES.sub("-", str(text)))
    cleaned = cleaned.strip("-.")[:80].strip("-.")
    return cleaned or "unnamed"


OmegaConf.register_new_resolver("ess_slug", slug, replace=True)


# --- targets and interpolations -------------------------------------------------------------

def check_target(path: str, target: object) -> None:
    """Refuse a ``_target_`` unless it resolves, as Hydra resolves it, to an allowed callable."""
    text = str(target)
    allowed = ", ".join(sorted(f"{m}.{q}" for m, q in ALLOWED_CALLABLES))
    refused = ConfigError(path, f"target '{text}' is not allowed; allowed: {allowed}")
    try:
        obj = _locate_importing_only_allowed(text)
        ident = (getattr(obj, "__module__", None), getattr(obj, "__qualname__", None))
        if ident not in ALLOWED_CALLABLES or _locate_importing_only_allowed(
                ".".join(ident)) is not obj:
            raise refused
    except (ImportError, AttributeError, ValueError):
        raise refused from None


def _locate_importing_only_allowed(text: str) -> object:
    """Hydra's ``_locate`` (attribute first, else import the submodule), importing only the
    modules that define allowed callables and their packages: naming any other module, even
    one with import-time effects (``sim.experiments.__main__`` starts a sweep), imports
    nothing."""
    parts = text.split(".")
    if not all(parts) or parts[0] not in IMPORTABLE:
        raise ValueError(text)
    obj = importlib.import_module(parts[0])
    for index, part in enumerate(parts[1:], start=2):
        if hasattr(obj, part):
            obj = getattr(obj, part)
        elif isinstance(obj, types.ModuleType) and ".".join(parts[:index]) in IMPORTABLE:
            obj = importlib.import_module(".".join(parts[:index]))
        else:
            raise AttributeError(text)
    return obj


def check_interpolations(path: str, text: object) -> None:
    """Parse ``text`` with OmegaConf's grammar; refuse resolvers not listed, and resolver names
    built from interpolations (``${oc.${x}:Y}``), at any depth."""
    if not isinstance(text, str) or "${" not in text:
        return
    try:
        names = list(_resolver_names(grammar_parser.parse(text)))
    except (GrammarParseError, RecursionError):
        raise ConfigError(path, f"malformed interpolation in '{text[:80]}'; allowed: "
                          "${other.key} or ${resolver:args}") from None
    for name in names:
        if name is None:
            raise ConfigError(path, "a resolver name built from an interpolation is not "
                              f"allowed; allowed: {', '.join(sorted(ALLOWED_RESOLVERS))}")
        if name not in ALLOWED_RESOLVERS:
            raise ConfigError(path, f"interpolation resolver '{name}' is not allowed (it could "
                              f"read the environment or files); allowed: "
                              f"{', '.join(sorted(ALLOWED_RESOLVERS))}, references to other keys")


def _resolver_names(node) -> Iterator[str | None]:
    """Every resolver name in a parse tree; None for a name containing an interpolation."""
    if isinstance(node, OmegaConfGrammarParser.ResolverNameContext):
        dynamic = any(isinstance(c, OmegaConfGrammarParser.InterpolationContext)
                      for c in node.getChildren())
        yield None if dynamic else node.getText()
    for index in range(node.getChildCount() if hasattr(node, "getChildCount") else 0):
        child = node.getChild(index)
        if not hasattr(child, "symbol"):  # terminals carry a token, rules carry children
            yield from _resolver_names(child)


# --- the composed tree ----------------------------------------------------------------------

def check_tree(cfg: DictConfig) -> None:
    """Refuse a disallowed target, logging setting, resolver or hydra key in a composed config.

    Interpolations are checked everywhere before any is resolved (a target's value is read
    after interpolation)."""
    leaves = list(_leaves(cfg))
    for path, _, raw in leaves:
        check_interpolations(path, raw)
    for path, node, raw in leaves:
        leaf = _leaf_key(path)
        if leaf == "_target_":
            check_target(path, _resolved(path, node, raw))
        elif leaf in ("()", "."):
            raise ConfigError(path, f"'{leaf}' keys are not allowed in a config")
    if "hydra" in cfg:
        _check_hydra_node(cfg)


def _check_hydra_node(cfg: DictConfig) -> None:
    hydra = cfg.hydra
    job = hydra.get("job") or {}
    copied = set(job.get("env_copy") or ())
    for key in job.get("env_set") or {}:
        if key not in copied:
            raise ConfigError(f"hydra.job.env_set.{key}", REFUSED_HYDRA_KEYS["hydra.job.env_set"]
                              + "; allowed: none")
    if job.get("name") is not None:
        check_job_name(str(job.get("name")))
    for node in LOGGING_NODES:
        logging_cfg = OmegaConf.select(cfg, node)
        if isinstance(logging_cfg, DictConfig):
            _check_logging(node, logging_cfg)
    params = OmegaConf.select(cfg, "hydra.sweeper.params")
    if isinstance(params, DictConfig):
        check_overrides([f"{k}={params._get_node(k)._value()}" for k in params])


def check_job_name(name: str) -> None:
    if not JOB_NAME.fullmatch(name):
        raise ConfigError("hydra.job.name", f"'{name[:80]}' is not allowed in a file name; "
                          "allowed: letters, digits, '_', '-', '.' (not first), up to 100")


def _check_logging(prefix: str, node: DictConfig) -> None:
    """Logging's dictConfig builds handler classes, passes unknown keys to their constructors
    and imports any ``ext://`` path: only plain handlers, known keys and standard streams."""
    for path, _, raw in _leaves(node, prefix):
        if isinstance(raw, str) and raw.startswith("ext://") and raw not in LOG_STREAMS:
            raise ConfigError(path, f"'{raw}' is not allowed; allowed: {sorted(LOG_STREAMS)}")
    for name, handler in (node.get("handlers") or {}).items():
        where = f"{prefix}.handlers.{name}"
        for key in handler:
            if key not in HANDLER_KEYS:
                raise ConfigError(f"{where}.{key}", f"unknown handler key; allowed: "
                                  f"{', '.join(sorted(HANDLER_KEYS))}")
        if str(handler.get("class")) not in LOG_HANDLERS:
            raise ConfigError(f"{where}.class", f"'{handler.get('class')}' is not allowed; "
                              f"allowed: {', '.join(sorted(LOG_HANDLERS))}")
        if str(handler.get("mode", "a")) not in ("a", "w"):
            raise ConfigError(f"{where}.mode", f"'{handler.get('mode')}' is not allowed; "
                              "allowed: a, w (a new file only)")
    for name, formatter in (node.get("formatters") or {}).items():
        for key in formatter:
            if key not in FORMATTER_KEYS:
                raise ConfigError(f"{prefix}.formatters.{name}.{key}", "unknown formatter key; "
                                  f"allowed: {', '.join(sorted(FORMATTER_KEYS))}")
        if formatter.get("class", "logging.Formatter") != "logging.Formatter":
            raise ConfigError(f"{prefix}.formatters.{name}.class", "allowed: logging.Formatter")


# --- command-line overrides -----------------------------------------------------------------

def check_overrides(overrides: Sequence[str]) -> None:
    """Check command-line overrides (every value of a sweep) before Hydra sees them."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    parser = OverridesParser.create()
    parsed = []
    for line in overrides:
        try:
            parsed += parser.parse_overrides([line])
        except (HydraException, RecursionError):
            key = line.lstrip("+~").partition("=")[0] or "overrides"
            raise ConfigError(key[:100], f"cannot parse '{line[:80]}'; allowed: key=value, "
                              "key='quoted text', +key=value, ~key") from None
    for override in parsed:
        key = override.key_or_group
        if override.package is not None:
            raise ConfigError(override.get_key_element(), "package overrides ('@') are not "
                              "allowed; allowed: group=option, key=value")
        _check_hydra_key(key)
        values = list(_strings(override.value()))
        for value in values:
            if "\x00" in value:
                raise ConfigError(key, "a NUL character is not allowed; allowed: plain text")
            check_interpolations(key, value)
        leaf = _leaf_key(key)
        if leaf == "_target_":
            for value in values:
                check_target(key, value)
        elif leaf in ("()", "."):
            raise ConfigError(key, f"'{leaf}' keys are not allowed in a config")
        elif key == "hydra.job.name":
            for value in values:
                check_job_name(value)


def _check_hydra_key(key: str) -> None:
    for refused, why in REFUSED_HYDRA_KEYS.items():
        if key == refused or key.startswith(refused + "."):
            raise ConfigError(key, f"cannot be set ({why}); allowed: other hydra keys")


def _strings(value) -> Iterator[str]:
    """Every string inside a parsed override value (lists, dicts, sweeps, quoted strings)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif hasattr(value, "text"):  # QuotedString
        yield str(value.text)
    elif hasattr(value, "list"):  # ChoiceSweep, GlobChoiceSweep
        yield from _strings(value.list)


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


# --- command lines ---------------------------------------------------------------------------

# Hydra flags that only print something: the overrides are checked, nothing runs.
# Shell completion: its `install=bash` / `query=bash` are commands to Hydra, not overrides.
COMPLETION_FLAGS = ("--shell-completion", "-sc")
INFO_FLAGS = ("--help", "-h", "--hydra-help", "--cfg", "-c", "--info", "--shell-completion",
              "-sc", "--version", "--resolve")
# Hydra flags taking a value (the next argument)
VALUE_FLAGS = ("--config-dir", "-cd", "--package", "-p", "--cfg", "-c", "--info")
REFUSED_FLAGS = {
    "--experimental-rerun": "it loads a pickle file, which can run code",
    "--config-path": "the model's config tree is fixed; put scenario files in --config-dir",
    "-cp": "the model's config tree is fixed; put scenario files in --config-dir",
    "--config-name": "the model's config tree is fixed; put scenario files in --config-dir",
    "-cn": "the model's config tree is fixed; put scenario files in --config-dir",
}


def split_argv(argv: list[str]) -> tuple[list[str], list[str], list[Path]]:
    """(flags, overrides, user config folders) of a command line; refused flags raise."""
    flags, overrides, user_dirs = [], [], []
    args = iter(argv)
    for arg in args:
        name, has_value, value = arg.partition("=")
        if name in REFUSED_FLAGS:
            raise ConfigError(name, f"is not allowed ({REFUSED_FLAGS[name]}); allowed: -m, "
                              "--config-dir, --cfg, --help")
        if not arg.startswith("-"):
            overrides.append(arg)
            continue
        flags.append(name)
        if name in VALUE_FLAGS and not has_value:
            value = next(args, "")
            if name in ("--cfg", "-c", "--info") and "=" in value:  # an override, not a value
                overrides.append(value)
                continue
        if name in ("--config-dir", "-cd"):
            user_dirs[:] = [Path(value)]  # Hydra uses the last one
    return flags, overrides, user_dirs


def sweep_params(cfg: DictConfig, overrides: Sequence[str]) -> list[str]:
    """The sweeps a config file declares (``hydra.sweeper.params``) and the command line does not
    replace, as overrides."""
    params = OmegaConf.select(cfg, "hydra.sweeper.params") or {}
    given = {line.lstrip("+~").partition("=")[0] for line in overrides}
    return [f"{key}={params._get_node(key)._value()}" for key in params if key not in given]


def sweep_variants(overrides: Sequence[str], groups: Iterable[str]) -> Iterator[list[str]]:
    """Besides a sweep's first job, one job per other value of each swept config group or
    hydra key (``scenario=a,b``, ``hydra.job.name=x,y``): the values that load other files or
    change what Hydra sets up per job, and any value that looks like a path (a folder name
    such as ``hydra.sweep.subdir`` may interpolate it), so that every one of them is composed
    and checked before the sweep starts. Other plain values (``seed=range(0,20)``) are checked
    by ``check_overrides``."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    first = first_of_sweeps(overrides)
    structural = set(groups)
    parsed = OverridesParser.create().parse_overrides(list(overrides))
    for index, override in enumerate(parsed):
        if not override.is_sweep_override():
            continue
        key = override.key_or_group
        every = "/" in key or key in structural or key.startswith("hydra.")
        for value in list(override.sweep_string_iterator())[1:]:
            if every or _path_like(value):  # a value a folder name may interpolate
                yield [*first[:index], f"{override.get_key_element()}={value}",
                       *first[index + 1:]]


def _path_like(value: str) -> bool:
    return "/" in value or "\\" in value or value.strip() in (".", "..")


# --- output folders -------------------------------------------------------------------------

def check_output_root(field: str, target: Path) -> Path:
    """Refuse a run folder that is, or is inside, a system or Python installation folder."""
    if "\x00" in str(target):
        raise ConfigError(field, "a NUL character is not allowed; allowed: a folder path")
    resolved = Path(os.path.realpath(target))
    forbidden = [Path(p) for p in SYSTEM_DIRS] + [Path(sys.prefix), Path(sys.base_prefix)]
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve() or any(
            resolved == p or p in resolved.parents for p in forbidden):
        raise ConfigError(field, f"'{target}' is a system folder; allowed: a folder of your own "
                          "(default: outputs/ under the current folder)")
    return resolved


def job_probe(cfg: DictConfig, job_dir: Path | None = None) -> DictConfig:
    """A copy of a composed config with the values Hydra fills in only when a job runs."""
    probe = copy.deepcopy(cfg)
    with open_dict(probe):
        probe.hydra.job.num = 0
        probe.hydra.job.id = "0"
        if job_dir is not None:
            probe.hydra.runtime.output_dir = str(job_dir)
    return probe


def check_log_files(cfg: DictConfig, job_dir: Path) -> None:
    """Every logging file handler writes inside ``job_dir`` (``hydra.runtime.output_dir``) and
    never truncates an existing file."""
    probe = job_probe(cfg, job_dir)
    inside = Path(os.path.realpath(job_dir))
    for node in LOGGING_NODES:
        handlers = OmegaConf.select(probe, f"{node}.handlers") or {}
        for name in handlers:
            where = f"{node}.handlers.{name}"
            try:
                filename = OmegaConf.select(probe, f"{where}.filename")
            except OmegaConfBaseException as error:
                raise ConfigError(f"{where}.filename", f"cannot be resolved ({error})") from None
            if filename is None:
                continue
            if "\x00" in str(filename):
                raise ConfigError(f"{where}.filename", "a NUL character is not allowed")
            path = Path(os.path.realpath(str(filename)))
            if inside not in path.parents:
                raise ConfigError(f"{where}.filename", f"'{filename}' is outside the run folder; "
                                  f"allowed: a file inside {job_dir}")
            if str(handlers[name].get("mode", "a")) == "w" and path.exists():
                raise ConfigError(f"{where}.mode", f"'w' would truncate the existing {path}; "
                                  "allowed: a, or w for a new file")


# --- user config files ----------------------------------------------------------------------

def check_user_files(directory: Path) -> None:
    """Scan a user's config folder before Hydra reads it: every YAML file is small, text, valid
    YAML, and its aliases do not expand into a bomb."""
    seen = 0
    for folder, subfolders, files in os.walk(directory):  # symbolic links not followed
        seen += len(files) + len(subfolders)
        if seen > MAX_USER_FILES:
            raise ConfigError("--config-dir", f"more than {MAX_USER_FILES} files under "
                              f"{directory}; allowed: a folder of scenario files")
        for name in sorted(files):
            path = Path(folder) / name
            if path.suffix in (".yaml", ".yml") and path.is_file():
                check_yaml_file(path)


def check_yaml_file(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ConfigError("config file", f"{path} is {size:,} bytes; allowed: at most "
                          f"{MAX_FILE_BYTES:,}")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise ConfigError("config file", f"{path} is not a text file; allowed: UTF-8 YAML")
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except RecursionError:
        raise ConfigError("config file", f"{path} is nested too deeply; allowed: a plain "
                          "scenario file") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}, line {mark.line + 1}" if mark else str(path)
        problem = getattr(error, "problem", None) or type(error).__name__
        raise ConfigError("config file", f"broken YAML in {where}: {problem}") from None
    sizes: dict[int, int] = {}
    try:
        total = sum(_expanded_size(doc, sizes) for doc in documents if doc is not None)
    except RecursionError:
        total = MAX_YAML_NODES + 1
    if total > MAX_YAML_NODES:
        raise ConfigError("config file", f"{path}: its aliases expand to more than "
                          f"{MAX_YAML_NODES:,} values; allowed: a plain scenario file")


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """Values after alias expansion, each shared node counted once per use (memoised: linear)."""
    if id(node) in sizes:
        return sizes[id(node)]
    sizes[id(node)] = MAX_YAML_NODES + 1  # a recursive alias counts as a bomb
    if isinstance(node, yaml.MappingNode):
        total = 1 + sum(_expanded_size(k, sizes) + _expanded_size(v, sizes)
                        for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        total = 1 + sum(_expanded_size(item, sizes) for item in node.value)
    else:
        total = 1
    sizes[id(node)] = min(total, MAX_YAML_NODES + 1)
    return sizes[id(node)]


def check_file_provenance(overrides: Sequence[str], user_dirs: Iterable[Path]) -> None:
    """Refuse ``hydra.*`` content a user's file brings (content it sets, or a config it places
    under ``hydra``), except ``USER_FILE_HYDRA_KEYS`` and a launcher choice.

    Runs inside an initialised Hydra context; follows Hydra's own defaults list, so it sees
    exactly the files the composition used and the package each one landed in."""
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode

    user = {str(Path(d).resolve()) for d in user_dirs}
    if not user:
        return
    loader = GlobalHydra.instance().config_loader()
    _, repo = loader._parse_overrides_and_create_caching_repo("config", list(overrides))

    def from_user(config_path: str | None) -> str | None:
        if config_path is None:
            return None
        result = repo.load_config(config_path=config_path)
        source = str(getattr(result, "path", "") or "").removeprefix("file://")
        return config_path if result is not None and source in user else None

    defaults = loader.compute_defaults_list("config", list(overrides), RunMode.RUN).defaults
    for default in defaults:
        name = from_user(default.config_path)
        package = default.package or ""
        if name is not None:
            content = repo.load_config(config_path=default.config_path).config
            for key in _hydra_keys(content, package):
                if not key.startswith(USER_FILE_HYDRA_KEYS) and key not in USER_FILE_HYDRA_KEYS:
                    raise ConfigError(key, f"cannot be set in the scenario file '{name}'; "
                                      f"allowed in files: {', '.join(USER_FILE_HYDRA_KEYS)}")
        parent = None if default.is_self else from_user(default.parent)
        if (parent is not None and (package == "hydra" or package.startswith("hydra."))
                and not package.startswith("hydra.launcher")):
            raise ConfigError(package, f"the scenario file '{parent}' cannot place configs "
                              "under hydra; allowed: the choice of hydra/launcher")


def _hydra_keys(content, package: str) -> Iterator[str]:
    """Dotted paths of the ``hydra.*`` values a file's content sets once placed at ``package``."""
    if not isinstance(content, DictConfig):
        return
    if package in ("", "_global_"):
        if "hydra" in content:
            yield from _dotted(content._get_node("hydra"), "hydra")
    elif package == "hydra" or package.startswith("hydra."):
        yield from _dotted(content, package)


def _dotted(node, prefix: str) -> Iterator[str]:
    if isinstance(node, DictConfig) and not node._is_interpolation() and not node._is_none():
        if len(node) == 0:
            yield prefix
        for key in node:
            if key != "defaults":
                yield from _dotted(node._get_node(key), f"{prefix}.{key}")
    else:
        yield prefix


# --- walking a tree -------------------------------------------------------------------------

def _leaf_key(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def _resolved(path: str, node, raw) -> str:
    """A target's value after interpolation; one that cannot be resolved is refused."""
    if not (isinstance(raw, str) and "${" in raw):
        return str(raw)
    try:
        return str(node._dereference_node()._value())
    except Exception:
        raise ConfigError(path, f"'{raw}' cannot be resolved; allowed: a plain target") from None


def _leaves(node, path: str = "") -> Iterator[tuple[str, object, object]]:
    """Every leaf (and every interpolated container, unresolved) as (path, node, raw value)."""
    if isinstance(node, (DictConfig, ListConfig)):
        if node._is_interpolation():
            yield path, node, node._value()
            return
        if node._is_missing() or node._is_none():
            return
        if isinstance(node, DictConfig):
            for key in node:
                yield from _leaves(node._get_node(key), f"{path}.{key}" if path else str(key))
        else:
            for index in range(len(node)):
                yield from _leaves(node._get_node(index), f"{path}[{index}]")
    else:
        yield path, node, node._value()
