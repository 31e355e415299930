"""What the schema allows for a dotted key: its type and range, or the keys beside it.

Used to finish one-line error messages with "allowed: ...", for the run's schema and for each
lever's parameters alike.
"""

from __future__ import annotations

from sim.config.schema import SimConfig


def _field_of(key: str):
    """(dataclass holding ``key``'s last part, that field or None) in the schema or a lever's."""
    import dataclasses
    import typing

    from sim.policies import REGISTRY

    parts = key.split(".")
    node: type = SimConfig
    if len(parts) > 2 and parts[0] == "policies" and parts[1] in REGISTRY:
        node, parts = REGISTRY[parts[1]].Params, parts[2:]
    for depth, part in enumerate(parts):
        if not dataclasses.is_dataclass(node):
            return None, None
        fields = {f.name: f for f in dataclasses.fields(node)}
        if part not in fields:
            return node, None
        if depth == len(parts) - 1:
            return node, fields[part]
        node = typing.get_type_hints(node).get(part)
    return None, None


def expected(key: str) -> str:
    """The type and range the schema declares for ``key``."""
    import typing

    owner, field = _field_of(key)
    if field is None:
        return "see the schema (python -m sim --cfg job)"
    kind_type = typing.get_type_hints(owner).get(field.name)
    name = getattr(kind_type, "__name__", str(kind_type))
    kind = {"int": "an integer", "float": "a number", "bool": "true or false",
            "str": "a string"}.get(name, name)
    low, high = field.metadata.get("low"), field.metadata.get("high")
    if low is not None and high is not None:
        return f"{kind} with {low} <= value <= {high}"
    return kind


def siblings(key: str) -> list[str]:
    """The keys the schema allows beside ``key`` (for an unknown-key message)."""
    import dataclasses

    owner, _ = _field_of(key)
    return sorted(f.name for f in dataclasses.fields(owner)) if owner else []
