"""Public actors: the State (VAT, aid per insertion post), Regions (aid to industry) and
intercommunalities (procurement, land, bringing actors together)."""

from __future__ import annotations

import mesa

from sim.ledger import Sector


class State(mesa.Agent):
    sector = Sector.STATE

    @property
    def balance(self) -> float:
        return float(self.model.ledger.money[self.sector])


class Region(mesa.Agent):
    sector = Sector.REGIONS

    def __init__(self, model, region: int, name: str):
        super().__init__(model)
        self.region = region
        self.name = name


class Intercommunality(mesa.Agent):
    sector = Sector.INTERCOMMUNALITIES

    def __init__(self, model, territory: int):
        super().__init__(model)
        self.territory = territory
