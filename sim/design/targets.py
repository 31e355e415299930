"""Where a lever of a package acts: everywhere, or one density class, archetype or region of the
run's territory, or a combination of them — one categorical choice per lever, so the search
space stays small (at most 1 + 3 + 4 + 18 choices nationally, plus the combinations written).

A combination joins values with `+`: values of one kind are alternatives (`dense+intermediate`:
dense or intermediate territories; `region:84+region:93`: either region), values of different
kinds must all hold (`dense+region:84`: the dense territories of region 84), as the levers'
`Targeting` reads its lists.

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
COMBINE = "+"  # joins the values of a combined target
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
    region names by their codes, combinations written in one order (kinds as `Targeting`
    lists them, values in the order `present_targets` gives), and a choice reaching the same
    territories as an earlier one dropped (order kept: on the tiny territory `rural` is
    `relaxed`, a one-region run's region is `all`), so the search never evaluates one package
    under two names. Raises ValueError naming the entry that is unknown, badly combined or
    reaches no territory of the run."""
    present = present_targets(territories)
    names = dict(zip(territories.region.tolist(), territories.region_code.tolist(), strict=True))
    allowed = [ALL_TERRITORIES, *GROUPS, *(v for values in present.values() for v in values),
               f"values joined by {COMBINE} (e.g. dense{COMBINE}region:<code>)"]
    choices: list[str] = []
    for entry in given:
        if entry in GROUPS:
            choices += present[entry]
            continue
        parts = [_value(part, names, present, entry, allowed) for part in entry.split(COMBINE)]
        if len(parts) > 1 and (ALL_TERRITORIES in parts or "" in parts):
            raise ValueError(f"{entry!r}: combine values only (not `all`, nor empty ones); "
                             f"allowed: {', '.join(allowed)}")
        choice = _canonical(parts, present)
        if choice != ALL_TERRITORIES and not np.frombuffer(_reach(choice, territories),
                                                           bool).any():
            raise ValueError(f"{entry!r}: reaches no territory of the run (no territory is "
                             f"all of them); allowed: {', '.join(allowed)}")
        choices.append(choice)
    reaches = {}
    for choice in choices:
        reaches.setdefault(_reach(choice, territories), choice)
    return list(reaches.values())


def _value(part: str, names: dict, present: dict, entry: str, allowed: list[str]) -> str:
    """One value of an entry, region names as codes; raises ValueError naming the entry."""
    if part in GROUPS and part != entry:
        raise ValueError(f"{entry!r}: {part} stands for one choice per value and cannot be "
                         f"combined; allowed: {', '.join(allowed)}")
    if part.startswith(REGION_PREFIX):
        region = part.removeprefix(REGION_PREFIX)
        part = f"{REGION_PREFIX}{names.get(region, region)}"
    if part in (ALL_TERRITORIES, "") or any(part in values for values in present.values()):
        return part
    kind = ("unknown target" if part not in (*DENSITY_CLASSES, *ARCHETYPES)
            and not part.startswith(REGION_PREFIX) else "reaches no territory of the run")
    which = f"{entry!r}" if part == entry else f"{entry!r}: {part!r}"
    raise ValueError(f"{which}: {kind}; allowed: {', '.join(allowed)}")


def _canonical(parts: list[str], present: dict) -> str:
    """A combination in one order, each value once (`region:84+dense` -> `dense+region:84`)."""
    order = [v for values in present.values() for v in values]
    unique = sorted(set(parts), key=lambda v: order.index(v) if v in order else -1)
    return COMBINE.join(unique)


def _split(choice: str) -> dict[str, list[str]]:
    """A choice's values by `Targeting` list: density_classes, archetypes, regions (codes)."""
    kinds: dict[str, list[str]] = {}
    for part in choice.split(COMBINE):
        if part.startswith(REGION_PREFIX):
            kinds.setdefault("regions", []).append(part.removeprefix(REGION_PREFIX))
        elif part in DENSITY_CLASSES:
            kinds.setdefault("density_classes", []).append(part)
        else:
            kinds.setdefault("archetypes", []).append(part)
    return kinds


def kinds_of(choice: str) -> list[list[str]]:
    """A combined choice's values grouped by kind, in its order (for readers)."""
    groups: dict[str, list[str]] = {}
    for kind, values in _split(choice).items():
        prefix = REGION_PREFIX if kind == "regions" else ""
        groups[kind] = [prefix + v for v in values]
    return list(groups.values())


def _reach(choice: str, territories) -> bytes:
    """The territories a choice reaches, as a hashable mask: any value of a kind, every kind
    (as `Targeting.mask`)."""
    reached = np.ones(len(territories.archetype), bool)
    if choice == ALL_TERRITORIES:
        return reached.tobytes()
    columns = {"density_classes": territories.density_class,
               "archetypes": territories.archetype, "regions": territories.region_code}
    for kind, values in _split(choice).items():
        reached &= np.isin(columns[kind], values)
    return reached.tobytes()


def target_overrides(lever: str, where: str) -> list[str]:
    """The lever's targeting overrides for a choice (none for all territories)."""
    if where == ALL_TERRITORIES:
        return []
    out = []
    for kind, values in _split(where).items():
        listed = ",".join(f"'{v}'" if kind == "regions" else v for v in values)
        out.append(f"policies.{lever}.target.{kind}=[{listed}]")
    return out
