"""Parameter metadata of the schema: the spec (``param``, ``walk``, ``plausible_range``, defined
in the leaf module ``sim.spec``) and the uncertain parameters the sensitivity analysis samples."""

from __future__ import annotations

from collections.abc import Iterable

from sim.spec import param, plausible_range, walk

__all__ = ["param", "plausible_range", "uncertain_parameters", "walk"]


def uncertain_parameters(levers: Iterable[str] = ()) -> dict[str, tuple[float, float]]:
    """Dotted config path -> plausible (low, high) of every numeric parameter of the scenario and
    the model that declares one: all assumptions, and sourced values whose sources span a range.

    ``levers`` adds the uncertain parameters of those levers (``policies.<name>.<field>``), for a
    sensitivity analysis of a lever's effect. Integer-typed parameters (e.g. scale-up thresholds)
    take rounded values: round a sample before passing it as an override.
    """
    from sim.config.schema import SimConfig
    from sim.policies import REGISTRY

    config = SimConfig()
    roots = [("scenario.", config.scenario), ("params.", config.params)]
    roots += [(f"policies.{name}.", REGISTRY[name].Params()) for name in levers]
    ranges = {}
    for prefix, node in roots:
        for path, value, meta in walk(node, prefix):
            bounds = plausible_range(value, meta)
            if bounds is not None:
                ranges[path] = bounds
    return ranges
