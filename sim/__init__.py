"""ESS–industry territorial ecosystems: an agent-based model on real French territories.

``sim.api.run`` runs one configuration and returns its tables; ``python -m sim`` does the same
from the command line with Hydra overrides and writes them to disk.
"""

__version__ = "0.1.0"
