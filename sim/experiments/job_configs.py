"""A sweep's job configs, composed by Hydra once per group of jobs that differ only by seed or
sample, and derived for the others (issue #20, item 2).

Hydra composes every job's config from scratch where the job runs (about 0.15 s of CPU with
the model's schema: as much as a quarter of a short run), although the jobs of an experiment
mostly differ by `seed=k` (and `sample=s` in a sensitivity sweep). Hydra applies such a plain
value override after merging the defaults, with `OmegaConf.update`, and records the job's
overrides in `hydra.overrides.task` and `hydra.job.override_dirname`. `JobConfigs` composes the
first job of a group with Hydra, keeps it, and gives every job of the group a copy with its own
values set the same way: the same config, node for node (tests/test_job_configs.py compares
them with Hydra's). Anything else (another arm, a config group, `+key`, `~key`) is composed by
Hydra, and so is a derivation that fails, so that its error is Hydra's own.
"""

from __future__ import annotations

import io
import pickle
import re
from collections.abc import Sequence

from hydra.core.config_loader import ConfigLoader
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override, OverrideType, ValueType
from omegaconf import DictConfig, OmegaConf

# Plain values that vary within a group of jobs sharing one composition.
DERIVABLE = frozenset({"seed", "sample"})

Group = tuple[tuple, ...]


class JobConfigs:
    """The job configs of one launch (one master config), as `load_sweep_config` gives them."""

    def __init__(self, config_loader: ConfigLoader, master_config: DictConfig) -> None:
        self._loader, self._master = config_loader, master_config
        self._parser = OverridesParser.create()
        self._templates: dict[Group, tuple[list[Override], Template]] = {}

    def load(self, overrides: Sequence[str]) -> DictConfig:
        """The job's config, a new object the job may change."""
        parsed = self._parser.parse_overrides(list(overrides))
        group = _group(parsed)
        if group is not None and group not in self._templates:
            self._templates[group] = (parsed, Template(self._compose(overrides)))
        if group is None:
            return self._compose(overrides)
        template_overrides, template = self._templates[group]
        try:
            return _derive(template, template_overrides, parsed)
        except Exception:  # Hydra's compose then raises its own error (or agrees)
            return self._compose(overrides)

    def _compose(self, overrides: Sequence[str]) -> DictConfig:
        return self._loader.load_sweep_config(self._master, list(overrides))


def _derivable(override: Override) -> bool:
    return (override.key_or_group in DERIVABLE and override.type == OverrideType.CHANGE
            and override.value_type == ValueType.ELEMENT and override.package is None)


def _group(parsed: list[Override]) -> Group | None:
    """What the jobs of a group share: every override but a derivable one's value; None for a
    job that cannot share (a sweep left in its overrides)."""
    if any(o.is_sweep_override() for o in parsed):
        return None
    return tuple((o.key_or_group, "") if _derivable(o) else (o.input_line,) for o in parsed)


class Template:
    """A composed config kept pickled: each `copy` unpickles it, a copy with the same nodes,
    flags and types as a deep copy (the same pickle bytes) in about a quarter of the CPU
    (~10 ms against ~35 ms a job). Classes are kept aside, not pickled by name: Hydra's plugin
    scan imports some config classes twice (the joblib launcher's), which pickle then refuses
    as "not the same object"; a copy refers to the very classes the config does."""

    def __init__(self, cfg: DictConfig):
        out = io.BytesIO()
        keeper = _ClassKeeper(out)
        keeper.dump(cfg)
        self._payload, self._classes = out.getvalue(), keeper.classes

    def copy(self) -> DictConfig:
        return _ClassGiver(io.BytesIO(self._payload), self._classes).load()


class _ClassKeeper(pickle.Pickler):
    def __init__(self, file):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.classes: list[type] = []
        self._index: dict[int, int] = {}

    def persistent_id(self, obj):
        if not isinstance(obj, type):
            return None
        if id(obj) not in self._index:
            self._index[id(obj)] = len(self.classes)
            self.classes.append(obj)
        return self._index[id(obj)]


class _ClassGiver(pickle.Unpickler):
    def __init__(self, file, classes: list[type]):
        super().__init__(file)
        self._classes = classes

    def persistent_load(self, pid):
        return self._classes[pid]


def _derive(template: Template, template_overrides: list[Override],
            parsed: list[Override]) -> DictConfig:
    """A copy of the template with the job's values, as Hydra would have composed the job (the
    job's values are set on the template's nodes, none is added: nodes made after unpickling
    would not share the unpickled ones' attribute names, and would pickle otherwise)."""
    cfg = template.copy()
    for mine, theirs in zip(parsed, template_overrides, strict=True):
        if mine.input_line != theirs.input_line:
            if mine.key_or_group in cfg.hydra.runtime.choices:  # a config group: compose it
                raise ValueError(f"{mine.key_or_group} is a config group")
            OmegaConf.update(cfg, mine.key_or_group, mine.value(), merge=True)
    task = [o for o in parsed if not o.is_hydra_override()]
    lines = cfg.hydra.overrides.task
    if len(lines) != len(task):  # a group's jobs have as many overrides as its template
        raise ValueError("the job's task overrides do not match its group's")
    for i, override in enumerate(task):
        lines[i] = override.input_line
    cfg.hydra.job.override_dirname = _override_dirname(task, cfg.hydra.job.config.override_dirname)
    return cfg


def _override_dirname(overrides: list[Override], settings: DictConfig) -> str:
    """`hydra.job.override_dirname` as Hydra computes it (hydra 1.3, `get_overrides_dirname`)."""
    lines = sorted(o.input_line for o in overrides if o.key_or_group not in settings.exclude_keys)
    return re.sub("[=]", settings.kv_sep, settings.item_sep.join(lines))
