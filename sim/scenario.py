"""The exogenous world, kept apart from the levers: what the world does, not the ministry.

Indices start at 1.0 in month 0 and compound the scenario's yearly rates monthly.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.schema import ScenarioConfig


@dataclass
class ScenarioState:
    demand_index: float = 1.0
    industry_index: float = 1.0
    rent_index: float = 1.0
    procurement_index: float = 1.0
    interest_rate_month: float = 0.0


def scenario_at(config: ScenarioConfig, month: int) -> ScenarioState:
    years = month / 12.0
    return ScenarioState(
        demand_index=(1.0 + config.demand_growth_yr) ** years,
        industry_index=(1.0 + config.industrial_employment_trend_yr) ** years,
        rent_index=(1.0 + config.rent_inflation_yr) ** years,
        procurement_index=(1.0 + config.public_procurement_growth_yr) ** years,
        interest_rate_month=config.interest_rate_yr / 12.0,
    )
