"""ESS enterprises in their legal forms (EI, ACI, ETTI, AI, EA, SCOP, SCIC, association)."""

from __future__ import annotations

import mesa

from sim.vocabulary import LEGAL_FORMS, SECTORS


class ESSEnterprise(mesa.Agent):
    """One ESS enterprise; its monthly state is row ``row`` of ``model.enterprises``."""

    def __init__(self, model, row: int):
        super().__init__(model)
        self.row = row

    @property
    def legal_form(self) -> str:
        return LEGAL_FORMS[self.model.enterprises.form[self.row]]

    @property
    def sector(self) -> str:
        return SECTORS[self.model.enterprises.sector[self.row]]

    @property
    def cash(self) -> float:
        return float(self.model.ledger.cash(self.row))

    @property
    def jobs(self) -> int:
        e = self.model.enterprises
        return int(e.permanent[self.row] + e.insertion[self.row] + e.adapted[self.row])

    def wants_to_grow(self) -> bool:
        """Grow when demand has outrun capacity (``pressure`` is the smoothed demand/capacity)."""
        return bool(self.model.enterprises.pressure[self.row]
                    > self.model.config.params.economy.growth_trigger)

    def describe(self) -> dict:
        """Everything an inspector shows: premises, lease, cash, staff, customers, history."""
        return self.model.enterprise_snapshot(self.row)
