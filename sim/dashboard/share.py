"""A link that reopens the dashboard on the same run: territory, seed, levers and doses.

The query string holds what `Settings` holds, nothing else, so a teacher can hand a class one
address and every pupil starts from the same experiment. A link is read leniently: a field that
does not parse is left at its default and named in one line on the page, never a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

from sim.dashboard.adapter import CLASSROOM, LEVERS, Settings, parse_territory, territory_key
from sim.dashboard.territory import size_of

SEED_MAX = 2**63 - 1


def share_query(settings: Settings) -> str:
    """``territory=…&seed=…&levers=land_trust:0.8,…&compare=1`` for `settings`."""
    fields = {"territory": settings.territory, "seed": settings.seed}
    if settings.levers:
        fields["levers"] = ",".join(f"{n}:{v:g}" for n, v in sorted(settings.levers.items()))
    if settings.side_by_side:
        fields["compare"] = 1
    return urlencode(fields, safe=":,")


@dataclass(frozen=True)
class Shared:
    """What a link asked for, and the fields it got wrong (named, left at their defaults)."""

    settings: Settings
    refused: tuple[str, ...] = field(default_factory=tuple)


def read_query(search: str | None) -> Shared | None:
    """The settings a link carries, or None for a plain address without any of its fields."""
    query = parse_qs(search or "", keep_blank_values=True)
    if not {"territory", "seed", "levers", "compare"} & set(query):
        return None
    one = {key: values[-1] for key, values in query.items()}
    default, refused = Settings(), []

    territory = one.get("territory", default.territory)
    try:
        kind, codes = parse_territory(territory)
        territory = territory_key(kind, codes)
        if isinstance(size_of(territory), str):
            raise ValueError
    except ValueError:
        refused.append("territory")
        territory = CLASSROOM

    seed = default.seed
    if "seed" in one:
        try:
            seed = int(one["seed"])
            if not 0 <= seed <= SEED_MAX:
                raise ValueError
        except ValueError:
            refused.append("seed")
            seed = default.seed

    levers = {}
    for item in filter(None, one.get("levers", "").split(",")):
        name, _, dose = item.partition(":")
        try:
            value = float(dose)
            if name not in LEVERS or not 0.0 <= value <= 1.0:
                raise ValueError
            levers[name] = round(value, 2)
        except ValueError:
            refused.append(f"levers ({item})")
    compare = one.get("compare", "0") in ("1", "true", "yes")
    return Shared(Settings(territory, seed, levers, compare), tuple(refused))
