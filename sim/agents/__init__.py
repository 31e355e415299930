"""Mesa agents, one module per actor family of the brief.

Agents are thin views on a row of the model's arrays: monthly arithmetic runs over the arrays,
agents carry identity, discrete decisions and what an inspector shows. They never edit each
other's fields; markets and the ledger move things between them.
"""

from sim.agents.ess import ESSEnterprise
from sim.agents.financiers import Bank, GuaranteeFund, ImpactInvestor, PublicInvestmentBank
from sim.agents.industry import IndustrialFirm
from sim.agents.landlords import PrivateLandlord, SolidarityLandTrust
from sim.agents.public import Intercommunality, Region, State

__all__ = [
    "Bank",
    "ESSEnterprise",
    "GuaranteeFund",
    "ImpactInvestor",
    "IndustrialFirm",
    "Intercommunality",
    "PrivateLandlord",
    "PublicInvestmentBank",
    "Region",
    "SolidarityLandTrust",
    "State",
]
