"""Arms of an experiment: a name, the levers it switches on and any extra model overrides.

An arm is what a ministry compares: "baseline" (no lever), one lever, or a package. The sweep
names arms; this module turns a name into the `policies=[...]` override the model reads, so the
same arm means the same thing in every experiment. Names not declared in `experiment.arms` are
read as lever names joined by "+" ("land_trust+impact_vat"); "baseline" is the empty set.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from omegaconf import DictConfig, ListConfig, OmegaConf

HEADLINE_LEVERS = ("land_trust", "reserved_markets", "impact_vat", "conditional_aid")
BASELINE = "baseline"


@dataclass(frozen=True)
class ArmSpec:
    """One arm: its levers (sorted), extra model overrides, and a dose for dose-response."""

    name: str
    levers: tuple[str, ...]
    overrides: tuple[str, ...] = ()
    dose: float | None = None

    @property
    def levers_key(self) -> str:
        """Comma-joined sorted lever names, as in the model's `levers` column ('' = baseline)."""
        return ",".join(self.levers)


def arm_name(levers: Iterable[str]) -> str:
    """Canonical name of a set of levers: sorted and '+'-joined, 'baseline' when empty."""
    levers = sorted(levers)
    return "+".join(levers) if levers else BASELINE


def resolve_arm(name: str, declared: Mapping | None = None) -> ArmSpec:
    """Turn an arm name into its spec, using `experiment.arms` when the name is declared there.

    A declared arm is either a list of levers or a mapping with `policies`, optional
    `overrides` (model overrides, e.g. a lever parameter) and optional `dose`.
    """
    value = (declared or {}).get(name)
    if isinstance(value, DictConfig):
        value = OmegaConf.to_container(value, resolve=True)
    elif isinstance(value, ListConfig):
        value = list(value)
    if value is None:
        levers = () if name == BASELINE else tuple(name.split("+"))
        return ArmSpec(name, tuple(sorted(levers)))
    if isinstance(value, list):
        return ArmSpec(name, tuple(sorted(value)))
    if isinstance(value, dict):
        unknown = set(value) - {"policies", "overrides", "dose"}
        if unknown:
            raise ValueError(f"arm {name!r} has unknown keys {sorted(unknown)}")
        dose = value.get("dose")
        return ArmSpec(
            name,
            tuple(sorted(value.get("policies") or ())),
            tuple(value.get("overrides") or ()),
            None if dose is None else float(dose),
        )
    raise ValueError(f"arm {name!r} must map to a list of levers or a mapping, not {value!r}")


def policies_override(levers: Iterable[str]) -> str:
    """The Hydra override selecting exactly these levers (`policies=[]` for the baseline)."""
    return f"policies=[{','.join(sorted(levers))}]"


def _arm_from_policies(*, _root_: DictConfig) -> str:
    """Default of the `arm` key when a sweep varies `policies` directly: name it by its levers."""
    policies = _root_.get("policies")
    return arm_name(policies.keys() if isinstance(policies, DictConfig) else policies or ())


OmegaConf.register_new_resolver("ess_arm_from_policies", _arm_from_policies, replace=True)
