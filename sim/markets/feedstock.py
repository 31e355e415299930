"""The waste-feedstock market (brake 2, "accès aux gisements disponibles de qualité").

ESS collectors and reuse workshops (sectors in ``FEEDSTOCK_SECTORS``) can only sort, repair and
sell what they collect: their capacity is bounded by the feedstock they win. Each territory
holds a monthly supply of good-quality waste feedstock (tonnes) that its ESS collectors and the
conventional recyclers (and the operators eco-organisms contract with) both want.

Clearing rule (each territory, each month):

1. Consortium lots. Where the industrial cooperation lever runs, a consortium contract between
   an ESS collector and an industrial firm it works with (a trusted tie) reserves to the
   collector ``consortium_lot_share`` of the firm's own feedstock (take-back, end-of-life
   equipment, scrap; seed: Recyfe and Saint-Gobain, Ateliers du Bocage and BNP Paribas), shared
   among the firm's partner collectors, at most each collector's need. Lots come out of the
   territory's supply: conventional recyclers lose them. No partner, no lot.
2. The open supply (what lots leave) goes to bidders by a share contest (Tullock): each side's
   weight is the tonnes it still wants × its quality score × its relative price raised to
   ``price_elasticity``. ESS collectors bid a lower price than conventional recyclers by the
   competition brake's unit-cost premium (lower investment capacity), which is why they win
   less than they want; the supply is shared in proportion to weights, and no side gets more
   than it wants. Within a territory, collectors share the ESS part in proportion to their
   unmet need.

Need: ``tonnes_per_fte_month`` per effective FTE. A collector's capacity is its staff capacity
× the share of its need won (``enterprises.feedstock_access``): no feedstock, no output.

Calibration (month 0, the observed world with the brake as measured): in each territory the
conventional recyclers want ``conventional_demand_ratio`` tonnes per tonne its ESS collectors
need, and the supply is what clears both at the brake's prices (so each side's start share is
what the contest gives). Territories without an ESS collector at start get the run's average
need per inhabitant, so an entrant there finds feedstock. Supply and conventional demand stay
constant afterwards (zero trend): ESS growth or entry takes feedstock from other collectors and
from conventional recyclers, with diminishing returns.

Feedstock is paid for within the materials share of the settlement (no separate money flow).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.agents.ess import effective_fte
from sim.spec import param


@dataclass
class FeedstockParams:
    """The waste-feedstock market of ESS collectors and reuse workshops."""

    tonnes_per_fte_month: float = param(
        2.06, unit="t/FTE/month", low=0.0, high=100.0, plausible=(1.0, 4.0),
        source="repair and reuse employ 404 jobs per 10,000 t a year (GAIA 2021, via "
        "calibration/sources-notes.md 'Circular economy/ESS'): 24.75 t per job a year",
    )
    price_elasticity: float = param(
        2.0, unit="elasticity", low=0.0, high=20.0, plausible=(1.0, 4.0),
        assumption="elasticity of a bidder's share of contested feedstock to its relative price; "
        "with the 15% unit-cost premium it gives ESS collectors ~76% of the feedstock they need "
        "at start, about a quarter going to conventional recyclers",
    )
    ess_quality_score: float = param(
        1.0, unit="relative score", low=0.0, high=5.0, plausible=(0.8, 1.2),
        assumption="ESS collectors' quality score relative to conventional recyclers' for "
        "holders of feedstock (hand sorting suits reuse; mechanical sorting suits volume)",
    )
    conventional_demand_ratio: float = param(
        1.0, unit="t per ESS t", low=0.0, high=100.0, plausible=(0.3, 4.0),
        assumption="tonnes of a territory's good-quality feedstock conventional recyclers and "
        "eco-organisms' contracted operators want per tonne its ESS collectors need at start; "
        "ADEME 2012 counts 4,200 non-ESS vs 14,200 ESS FTE in reuse (0.3) and 79,000 jobs in "
        "the recycling industry (calibration/sources-notes.md), so higher in recycling",
    )
    firm_feedstock_t_per_job_month: float = param(
        0.5, unit="t/job/month", low=0.0, high=100.0, plausible=(0.1, 1.0),
        assumption="an industrial firm's own feedstock a consortium can reach (end-of-life "
        "equipment, take-back flows, clean scrap) per industrial job; order of magnitude of "
        "industry's non-hazardous non-mineral waste (~20 Mt/yr for ~3 M jobs, ADEME key "
        "figures, not checked against a cited table here)",
    )


@dataclass
class FeedstockMarket:
    """Per territory: monthly supply and conventional recyclers' demand (tonnes)."""

    supply: np.ndarray                # t/month of good-quality feedstock
    conventional_demand: np.ndarray   # t/month conventional recyclers want
    territory_access: np.ndarray      # share of need an entering collector can expect

    @classmethod
    def calibrate(cls, world, params) -> FeedstockMarket:
        """Supply and conventional demand so that, at the brake's prices, the contest clears
        with conventional recyclers served and ESS collectors winning their start share."""
        p = params.feedstock
        n_t = world.n_territories
        need = territory_need(world, params, collectors(world))
        pop = np.asarray(world.territories.population, float)
        per_inhabitant = need.sum() / max(pop.sum(), 1.0)
        reference = np.where(need > 0, need, per_inhabitant * pop)
        start_weight = ess_weight(params, observed=True)
        conventional = p.conventional_demand_ratio * reference
        market = cls((start_weight + p.conventional_demand_ratio) * reference, conventional,
                     np.zeros(n_t))
        market.territory_access = market.served_share(reference, market.supply, start_weight)
        world.enterprises.feedstock_access[:] = market.territory_access[
            world.enterprises.territory]
        return market

    def clear(self, territory: np.ndarray, need: np.ndarray, lots: np.ndarray, params,
              demand_index: float = 1.0) -> np.ndarray:
        """Tonnes each collector wins: its lot, then its part of the open supply's ESS share.
        Waste arisings and the conventional recyclers' demand follow the scenario's demand
        index (discarded goods follow consumption), so collectors follow the demand trend."""
        n_t = self.supply.size
        supply = self.supply * demand_index
        lot_total = np.bincount(territory, weights=lots, minlength=n_t)
        scale = np.divide(supply, lot_total, out=np.ones(n_t), where=lot_total > supply)
        lots = lots * scale[territory]
        open_supply = supply - np.bincount(territory, weights=lots, minlength=n_t)
        unmet = need - lots
        ess_wants = np.bincount(territory, weights=unmet, minlength=n_t)
        weight = ess_weight(params, observed=False)
        self.territory_access = self.served_share(ess_wants, open_supply, weight, demand_index)
        return lots + unmet * self.territory_access[territory]

    def served_share(self, ess_wants, open_supply, weight, demand_index: float = 1.0
                     ) -> np.ndarray:
        """Share of their unmet need ESS collectors win in each territory; also what a small
        new collector can expect (the ESS part is shared in proportion to need)."""
        bids = weight * ess_wants + self.conventional_demand * demand_index
        per_tonne = np.divide(open_supply * weight, bids, out=np.zeros_like(open_supply),
                              where=bids > 0)
        alone = np.where((open_supply > 0) & (weight > 0), 1.0, 0.0)  # no bidder yet: all of it
        return np.clip(np.where(bids > 0, per_tonne, alone), 0.0, 1.0)


def ess_weight(params, observed: bool) -> float:
    """ESS collectors' bid weight per tonne relative to conventional recyclers': quality ×
    relative price ** elasticity, their price lower by the competition brake's premium.
    ``observed`` applies the brake as measured (calibration), whatever this run does."""
    p, competition = params.feedstock, params.competition
    premium = (competition.unit_cost_premium if observed or competition.enabled else 0.0)
    return p.ess_quality_score * (1.0 + premium) ** -p.price_elasticity


def collectors(world) -> np.ndarray:
    """Rows of live ESS enterprises whose output needs waste feedstock."""
    e = world.enterprises
    return np.flatnonzero(e.alive & world.sectors.needs_feedstock[e.sector])


def need_tonnes(world, params, rows: np.ndarray) -> np.ndarray:
    """Feedstock each collector needs a month to work at its staff capacity."""
    return effective_fte(world, params, rows) * params.feedstock.tonnes_per_fte_month


def territory_need(world, params, rows: np.ndarray) -> np.ndarray:
    return np.bincount(world.enterprises.territory[rows], weights=need_tonnes(world, params, rows),
                       minlength=world.n_territories)


def consortium_lots(m, rows: np.ndarray, lot_share: np.ndarray) -> np.ndarray:
    """Tonnes reserved to each collector by consortium contracts: ``lot_share`` (by the
    collector's territory) of each partner firm's feedstock, shared among the firm's partner
    collectors. A partner is a firm with an active, trusted tie to the collector."""
    w = m.world
    lots = np.zeros(rows.size)
    if not lot_share.any() or rows.size == 0:
        return lots
    ties, e = w.ties.table, w.enterprises
    position = np.full(e.n, -1)
    position[rows] = np.arange(rows.size)
    partnered = (ties.active & (ties.trust >= m.params.mutual_ignorance.trust_to_buy)
                 & (position[ties.enterprise] >= 0))
    partnered &= lot_share[e.territory[ties.enterprise]] > 0
    firm, collector = ties.firm[partnered], position[ties.enterprise[partnered]]
    partners_of_firm = np.bincount(firm, minlength=w.firms.n)
    firm_feedstock = w.firms.jobs[firm] * m.params.feedstock.firm_feedstock_t_per_job_month
    lot = lot_share[e.territory[rows[collector]]] * firm_feedstock / partners_of_firm[firm]
    np.add.at(lots, collector, lot)
    return lots


def allocate_feedstock(m) -> None:
    """The feedstock phase: clear each territory's market and set every collector's access
    (share of its need won), which bounds its capacity in the production phase."""
    w = m.world
    market, e = w.feedstock_market, w.enterprises
    rows = collectors(w)
    need = need_tonnes(w, m.params, rows)
    lots = np.minimum(consortium_lots(m, rows, m.effects.feedstock.consortium_lot_share), need)
    won = market.clear(e.territory[rows], need, lots, m.params, m.conditions.demand_index)
    e.feedstock_access[rows] = np.divide(won, need, out=market.territory_access[
        e.territory[rows]].copy(), where=need > 0)
    m.now.feedstock_won_t = float(won.sum())
    m.now.feedstock_lots_t = float(np.minimum(lots, won).sum())
