"""The design's settings (configs/design/*.yaml), checked into a typed object: a wrong key or
value is refused in one line naming the field and what is allowed."""

from __future__ import annotations

from dataclasses import dataclass, field

from omegaconf import MISSING, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.design.targets import ALL_TERRITORIES, expand
from sim.outcomes import PAYERS

LOCAL = "local"  # runs in this machine's joblib processes, outside Hydra


class DesignError(ValueError):
    """A design setting a user must fix; its message names the field."""


@dataclass
class Space:
    levers: list[str] = MISSING
    intensity: list[float] = MISSING
    start_months: list[int] = field(default_factory=lambda: [0])
    # per lever, one of: all, a density class, an archetype, region:<code or name>; or a group
    # (density_classes, archetypes, regions): each value of it present in the run's territory
    targets: list[str] = field(default_factory=lambda: [ALL_TERRITORIES])


@dataclass
class Search:
    population: int = 8
    generations: int = 4
    seed: int = 0


@dataclass
class Robustness:
    candidates: int = 3
    scenarios: list[str] = field(default_factory=lambda: ["central"])
    parameter_samples: int = 2
    parameters: list[str] = field(default_factory=list)
    seeds: list[int] = field(default_factory=lambda: [0])
    target_job_years: float = 0.0
    sample_seed: int = 0


@dataclass
class Design:
    name: str = MISSING
    out: str = MISSING
    model_overrides: list[str] = field(default_factory=list)
    seeds: list[int] = MISSING
    budget_eur_per_year: float = MISSING
    # caps per payer (``sim.outcomes.PAYERS``: state, regions, ...), € a year; none by default
    budget_by_payer_eur_per_year: dict[str, float] = field(default_factory=dict)
    n_jobs: int = 1
    # where runs go: `local` (joblib processes here, `n_jobs`), or a Hydra launcher of
    # `python -m sim.experiments` (resilient_joblib, resilient_submitit_slurm, ray_cluster, ...),
    # each batch one sweep; launcher_overrides: its `hydra.launcher.*` settings
    launcher: str = "local"
    launcher_overrides: list[str] = field(default_factory=list)
    space: Space = field(default_factory=Space)
    search: Search = field(default_factory=Search)
    robustness: Robustness = field(default_factory=Robustness)


def load(args: list[str]) -> Design:
    """The design named by `design=<name>` (default: small) with `key=value` overrides."""
    from sim.config.compose import config_dir

    name = next((a.split("=", 1)[1] for a in args if a.startswith("design=")), "small")
    path = config_dir() / "design" / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in path.parent.glob("*.yaml"))
        raise DesignError(f"design={name}: no such design; choose one of {known}")
    dotlist = [a for a in args if not a.startswith("design=")]
    try:
        merged = OmegaConf.merge(OmegaConf.structured(Design), OmegaConf.load(path),
                                 OmegaConf.from_dotlist(dotlist))
        design = OmegaConf.to_object(merged)
    except OmegaConfBaseException as exc:
        raise DesignError(f"{exc.full_key or 'design'}: {str(exc).splitlines()[0]}") from None
    check(design)
    return design


def check(design: Design) -> None:
    """Values a type cannot refuse."""
    from sim.config.compose import config_dir
    from sim.policies import REGISTRY

    _members("space.levers", design.space.levers, REGISTRY)
    design.space.targets = _targets(design)
    _members("robustness.scenarios", design.robustness.scenarios,
             [p.stem for p in (config_dir() / "scenario").glob("*.yaml")])
    if not design.space.intensity or min(design.space.intensity) < 0:
        raise DesignError("space.intensity: give doses >= 0 (0 leaves a lever off)")
    top = _intensity_bound()
    if max(design.space.intensity) > top:
        raise DesignError(f"space.intensity: {max(design.space.intensity)} is above the levers' "
                          f"full dose; allowed: 0 <= dose <= {top}")
    if any(m < 0 for m in design.space.start_months):
        raise DesignError("space.start_months: months must be >= 0")
    for key, value in (("search.population", design.search.population),
                       ("search.generations", design.search.generations),
                       ("robustness.candidates", design.robustness.candidates)):
        if value < 1:
            raise DesignError(f"{key}={value}: must be >= 1")
    if design.budget_eur_per_year <= 0:
        raise DesignError(f"budget_eur_per_year={design.budget_eur_per_year}: must be > 0")
    for payer, cap in design.budget_by_payer_eur_per_year.items():
        key = f"budget_by_payer_eur_per_year.{payer}"
        if payer not in PAYERS:
            raise DesignError(f"{key}: unknown payer; choose from {sorted(PAYERS)}")
        if cap < 0:
            raise DesignError(f"{key}={cap}: must be >= 0")
    _check_launcher(design)
    if not design.seeds or not design.robustness.seeds:
        raise DesignError("seeds, robustness.seeds: give at least one seed")


# Hydra's own launchers besides the project's (configs/hydra/launcher/*.yaml).
HYDRA_LAUNCHERS = ("basic", "joblib", "ray", "submitit_local", "submitit_slurm")


def _check_launcher(design: Design) -> None:
    from sim.config.compose import config_dir

    allowed = sorted({LOCAL, *HYDRA_LAUNCHERS,
                      *(p.stem for p in (config_dir() / "hydra" / "launcher").glob("*.yaml"))})
    if design.launcher not in allowed:
        raise DesignError(f"launcher={design.launcher}: unknown; choose from {allowed}")
    wrong = [o for o in design.launcher_overrides if not o.startswith("hydra.launcher.")]
    if wrong:
        raise DesignError(f"launcher_overrides: {wrong[0]!r}; allowed: "
                          "hydra.launcher.<key>=<value>")
    if design.launcher_overrides and design.launcher == LOCAL:
        raise DesignError("launcher_overrides: launcher=local takes none (it uses n_jobs)")


def _targets(design: Design) -> list[str]:
    """`space.targets` expanded against the territory the design's runs select."""
    from sim.config.compose import compose_config
    from sim.config.errors import ConfigError
    from sim.territories import TerritorySelectionError, load_territories

    if not design.space.targets:
        raise DesignError("space.targets: empty; give at least `all`")
    try:
        territory = compose_config(list(design.model_overrides)).territory
        selected = load_territories(territory.kind, territory.codes, territory.synthetic or None)
    except (ConfigError, TerritorySelectionError) as error:
        raise DesignError(f"model_overrides: {error}") from None
    try:
        return expand(list(design.space.targets), selected)
    except ValueError as error:
        raise DesignError(f"space.targets: {error}") from None


def _intensity_bound() -> float:
    """The upper bound every lever's schema puts on `intensity`."""
    from sim.policies.base import LeverParams
    from sim.spec import walk

    return next(meta["high"] for path, _, meta in walk(LeverParams(), "")
                if path == "intensity")


def _members(key: str, given: list[str], allowed) -> None:
    unknown = [g for g in given if g not in allowed]
    if unknown or not given:
        raise DesignError(f"{key}: {unknown or 'empty'} not allowed; choose from {sorted(allowed)}")


# A design table's column: the part of the State's yearly cost that is a tax expenditure
# (revenue forgone, `sim.outcomes.TAX_EXPENDITURES`), shown apart.
TAX_MEASURE = "tax_expenditure_eur_per_year"


def payer_measure(payer: str) -> str:
    """A design table's column: the paired public cost a year borne by one payer."""
    return f"cost_to_{payer}_eur_per_year"


def budget_excess(costs, design: Design) -> dict[str, float]:
    """How far (€ a year) a package's mean yearly public costs exceed each cap: the total
    and each payer's; at or under zero it keeps to that cap. ``costs`` maps the design tables'
    columns (``public_cost_eur_per_year``, ``payer_measure(p)``) to values."""
    out = {"over_budget_eur": costs["public_cost_eur_per_year"] - design.budget_eur_per_year}
    for payer, cap in sorted(design.budget_by_payer_eur_per_year.items()):
        out[f"over_budget_{payer}_eur"] = costs[payer_measure(payer)] - cap
    return out


def within_budget(costs, design: Design):
    """Whether a package keeps to every cap (a bool, or a boolean Series over table rows)."""
    excess = budget_excess(costs, design).values()
    ok = None
    for value in excess:
        ok = (value <= 0) if ok is None else ok & (value <= 0)
    return ok
