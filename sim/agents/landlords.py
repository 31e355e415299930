"""Landlords: private owners of a territory, and solidarity land trusts of a region."""

from __future__ import annotations

import mesa


class PrivateLandlord(mesa.Agent):
    """The private owners of activity premises of one territory (rent set by tension)."""

    def __init__(self, model, territory: int):
        super().__init__(model)
        self.territory = territory

    @property
    def vacant_m2(self) -> float:
        return float(self.model.ledger.territory_floor[0, self.territory])

    def accepts_ess_tenant(self, draw: float) -> bool:
        """Private landlords prefer conventional tenants (brake 4)."""
        return draw < self.model.config.params.premises.acceptance()


class SolidarityLandTrust(mesa.Agent):
    """A foncière solidaire of one region: capped rents, ESS priority, capital from investors."""

    def __init__(self, model, region: int):
        super().__init__(model)
        self.region = region

    @property
    def vacant_m2(self) -> float:
        mask = self.model.territory_region == self.region
        return float(self.model.ledger.territory_floor[1, mask].sum())
