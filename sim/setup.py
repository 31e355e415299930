"""Where the initial world used to be built; ``sim.world.build_world`` builds it now. The name
below is kept for ``benchmarks.bench``, which times the national territory network."""

from sim.world import neighbour_index as _neighbour_index

__all__ = ["_neighbour_index"]
