"""The exogenous world, kept apart from the levers: what the world does, not the ministry.

Indices start at 1.0 in month 0 and compound the scenario's yearly rates monthly; the model
reads them as ``model.conditions``. (Industrial employment follows the scenario's trend month by
month in the industry phase, sim/agents/industry.py.)
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.schema import ScenarioConfig


@dataclass
class ScenarioState:
    """The exogenous conditions of one month."""

    demand_index: float = 1.0
    rent_index: float = 1.0
    procurement_index: float = 1.0
    interest_rate_month: float = 0.0


def scenario_at(config: ScenarioConfig, month: int) -> ScenarioState:
    years = month / 12.0
    return ScenarioState(
        demand_index=(1.0 + config.demand_growth_yr) ** years,
        rent_index=(1.0 + config.rent_inflation_yr) ** years,
        procurement_index=(1.0 + config.public_procurement_growth_yr) ** years,
        interest_rate_month=config.interest_rate_yr / 12.0,
    )
