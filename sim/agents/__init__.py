"""The actor families that decide: ESS enterprises and industrial firms.

Each family module holds the family's rules, vectorised over its table of the world (the phases
of the calendar), and a Mesa agent that is an inspection view of one row: monthly arithmetic
runs over the arrays, the agents give Mesa's tooling (``model.agents``, ``agents_by_type``) and
the dashboard something to query. Landlords, financiers and public actors decide through the
markets (``sim.markets``), the levers (``sim.policies``) and their ledger accounts
(``sim.ledger.Sector``).
"""

from sim.agents.ess import ESSEnterprise
from sim.agents.industry import IndustrialFirm

__all__ = ["ESSEnterprise", "IndustrialFirm"]
