"""Where a lever of a package acts: everywhere, or one density class, archetype or region of the
run's territory — one categorical choice per lever, so the search space stays small (at most
1 + 3 + 4 + 18 choices nationally).

A target reaches the lever through its own `target` settings (`sim.policies.base.Targeting`):
only enterprises and firms of the territories reached are eligible, and the lever books its
cost only there. A choice that reaches no territory of the run is refused when the design is
loaded (the model refuses such a lever too: it would silently do nothing).
"""

from __future__ import annotations

import numpy as np

from sim.vocabulary import ARCHETYPES, DENSITY_CLASSES

ALL_TERRITORIES = "all"
REGION_PREFIX = "region:"
# Words of `space.targets` standing for every value of a kind present in the run's territory.
GROUPS = ("density_classes", "archetypes", "regions")


def present_targets(territories) -> dict[str, list[str]]:
    """Per kind, the values present in a territory selection (regions by code)."""
    return {"density_classes": [c for c in DENSITY_CLASSES if c in set(territories.density_class)],
            "archetypes": [a for a in ARCHETYPES if a in set(territories.archetype)],
            "regions": [f"{REGION_PREFIX}{code}"
                        for code in sorted(set(territories.region_code.tolist()))]}


def expand(given: list[str], territories) -> list[str]:
    """`space.targets` as the search's choices: groups replaced by the values they stand for,
    region names by their codes, and a choice reaching the same territories as an earlier one
    dropped (order kept: on the tiny territory `rural` is `relaxed`, a one-region run's region
    is `all`), so the search never evaluates one package under two names. Raises ValueError
    naming the entry that is unknown or reaches no territory of the run."""
    present = present_targets(territories)
    names = dict(zip(territories.region.tolist(), territories.region_code.tolist(), strict=True))
    choices: list[str] = []
    for entry in given:
        if entry in GROUPS:
            choices += present[entry]
            continue
        if entry.startswith(REGION_PREFIX):
            region = entry.removeprefix(REGION_PREFIX)
            entry = f"{REGION_PREFIX}{names.get(region, region)}"
        if entry != ALL_TERRITORIES and not any(entry in values for values in present.values()):
            kind = ("unknown target" if entry not in (*DENSITY_CLASSES, *ARCHETYPES)
                    and not entry.startswith(REGION_PREFIX) else "reaches no territory of the run")
            allowed = [ALL_TERRITORIES, *GROUPS, *(v for values in present.values()
                                                   for v in values)]
            raise ValueError(f"{entry!r}: {kind}; allowed: {', '.join(allowed)}")
        choices.append(entry)
    reaches = {}
    for choice in choices:
        reaches.setdefault(_reach(choice, territories), choice)
    return list(reaches.values())


def _reach(choice: str, territories) -> bytes:
    """The territories a choice reaches, as a hashable mask."""
    if choice == ALL_TERRITORIES:
        return np.ones(len(territories.archetype), bool).tobytes()
    if choice.startswith(REGION_PREFIX):
        return (territories.region_code == choice.removeprefix(REGION_PREFIX)).tobytes()
    kind = territories.density_class if choice in DENSITY_CLASSES else territories.archetype
    return (kind == choice).tobytes()


def target_overrides(lever: str, where: str) -> list[str]:
    """The lever's targeting overrides for a choice (none for all territories)."""
    if where == ALL_TERRITORIES:
        return []
    if where.startswith(REGION_PREFIX):
        return [f"policies.{lever}.target.regions=['{where.removeprefix(REGION_PREFIX)}']"]
    key = "density_classes" if where in DENSITY_CLASSES else "archetypes"
    return [f"policies.{lever}.target.{key}=[{where}]"]
