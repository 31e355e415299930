"""Conventional industrial firms: buyers, hosts of implants, acquirers and competitors of ESS."""

from __future__ import annotations

import mesa


class IndustrialFirm(mesa.Agent):
    """One industrial firm; its monthly state is row ``row`` of ``model.firms``."""

    def __init__(self, model, row: int):
        super().__init__(model)
        self.row = row

    @property
    def jobs(self) -> float:
        return float(self.model.firms.jobs[self.row])

    @property
    def known_ess_suppliers(self) -> int:
        return int(self.model.firms.ess_ties[self.row])

    def complies_with_condition(self, aid_eur: float, threshold: float, voluntary: float,
                                draw: float) -> bool:
        """Aid above the threshold binds (transition contract); below, compliance is voluntary."""
        return aid_eur >= threshold or draw < voluntary
