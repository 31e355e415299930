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

Eco-organism lots (opt-in, ``lot_contracts``). The eco-organisms of the REP streams (Refashion
for textiles, Ecosystem and Ecologic for electrical equipment, Ecomaison for furniture, Citeo)
have a share of a territory's feedstock (``lot_share``) collected and sorted under contracts they
award by tender, for ``lot_contract_months``: one lot per stream and territory. The lot table
(territory × stream, share of the territory's supply, holder, expiry month) is built at the first
feedstock phase with expiries spread evenly over a contract's length, so about the same number
of lots come up each month. When a lot expires it is tendered again: the conventional
recyclers bid, and so does every local collector able to take on ``lot_min_capacity_share`` of
the lot (its staff need, plus the growth it can staff over a contract, ``lot_bid_headroom``,
less the lots it already holds) and, where the industrial cooperation lever runs, a consortium
of the territory's collectors pooling their capacity. Bids are scored on price (the ESS price
carries the competition brake's premium), quality and capacity, with noise (the eco-organism's
own judgement of each offer); the best score wins. The holder receives the lot's share of the
supply for the contract's length (a consortium shares it by the capacity each member brought);
a lot it cannot use (more than its need, or the holder has closed) goes to the open contest.
Lots held by conventional recyclers are theirs: they want that much less in the open contest.
A lost lot cuts the holder's feedstock at expiry, not before. Tenders draw from their own
random stream (``feedstock.lots``). The lots' first holders are drawn by tenders run on the
world of the first feedstock phase, with the brakes as measured and no lever (they are the past).
Off (the default), the market is the contest above alone. Lots are not yet reported as outcomes
(``EcoLots.tenders`` keeps, per month, the lots tendered, won by ESS and won by consortia).

Feedstock is paid for within the materials share of the settlement (no separate money flow).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.agents.ess import effective_fte
from sim.grouping import GroupIndex
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
    lot_contracts: bool = param(
        False, unit="bool",
        assumption="eco-organisms award a share of each territory's feedstock in lots by tender "
        "(see the module's docstring); off, the open contest alone allocates feedstock. Opt-in: "
        "ARA, zero trends, 20 seeds, month 0 to 120: ESS collectors hold ~20% of lots at the "
        "build and ~15% at the end (164 tenders a year throughout); collector jobs -16.5% with "
        "lots vs -15.2% without (paired difference -1.3 pp, se 1.2), all ESS jobs -2.2% vs "
        "-1.1% (-1.0 pp, se 0.3): lots follow and slightly amplify the baseline's own decline "
        "of collectors (fewer bidders win fewer lots)",
    )
    lot_share: float = param(
        0.5, unit="share of supply", low=0.0, high=1.0, plausible=(0.3, 0.8),
        assumption="share of a territory's good-quality feedstock collected and sorted under "
        "eco-organism contracts (REP streams: textiles, electrical equipment, furniture, "
        "packaging); the rest (non-REP streams, industrial take-back, donations) is contested "
        "in the open",
    )
    lot_streams: int = param(
        3, unit="lots per territory", low=1, high=20, plausible=(2, 6),
        assumption="one lot per REP stream an ESS collector can work on (textiles: Refashion; "
        "electrical equipment: Ecosystem, Ecologic; furniture: Ecomaison), each an equal share "
        "of the lotted feedstock",
    )
    lot_contract_months: int = param(
        36, unit="months", low=1, high=240, plausible=(24, 72),
        source="eco-organisms' operator contracts run about 3 years: Ecologic DEEE 1/4/2019-"
        "31/3/2022; Valdelia furniture collection 2018-2020; EcoDDS 2013-2015; Eco-mobilier "
        "(Ecomaison) campaigns 2013, 2015-16, 2018-19, contracts of 2 years at least; Citeo "
        "lots to 2029 (~4 years); Ecosystem's 2020 tender postponed a year by contract "
        "extension (actu-environnement 2020-04). Range 2-6 years",
    )
    lot_min_capacity_share: float = param(
        1.0, unit="share of a lot", low=0.0, high=100.0, plausible=(0.5, 1.0),
        assumption="share of a lot's tonnage a bidder must show it can process to be admitted "
        "(the tender's technical and capacity criteria)",
    )
    lot_bid_headroom: float = param(
        0.5, unit="share of need", low=0.0, high=10.0, plausible=(0.2, 1.0),
        assumption="tonnage a collector can commit to beyond what its staff process today, as a "
        "share of it (hiring and a second shift over the contract's ramp-up)",
    )
    lot_price_weight: float = param(
        0.6, unit="score weight", low=0.0, high=10.0, plausible=(0.4, 0.8),
        assumption="weight of price in an eco-organism's award score (offers scored on price, "
        "technical quality and capacity; Ecologic 2018: 'savoir-faire opérationnel, respect de "
        "la réglementation et tarifs pertinents')",
    )
    lot_quality_weight: float = param(
        0.3, unit="score weight", low=0.0, high=10.0, plausible=(0.1, 0.5),
        assumption="weight of quality (sorting for reuse, traceability) in the award score; "
        "the ESS collector's quality is ess_quality_score, the conventional recycler's 1",
    )
    lot_capacity_weight: float = param(
        0.1, unit="score weight", low=0.0, high=10.0, plausible=(0.0, 0.3),
        assumption="weight of a bidder's capacity (share of the lot it can process, at most 1) "
        "in the award score; conventional recyclers can process the whole lot",
    )
    lot_score_noise: float = param(
        0.1, unit="score sd", low=0.0, high=10.0, plausible=(0.05, 0.2),
        assumption="spread of the buyer's judgement of each offer; with the defaults a single "
        "ESS bidder at full capacity wins ~29% of tenders against the conventional bid",
    )


@dataclass
class FeedstockMarket:
    """Per territory: monthly supply and conventional recyclers' demand (tonnes)."""

    supply: np.ndarray                # t/month of good-quality feedstock
    conventional_demand: np.ndarray   # t/month conventional recyclers want
    territory_access: np.ndarray      # share of need an entering collector can expect
    lots: EcoLots | None = None       # eco-organism lots (``lot_contracts``), built at month 0

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
              demand_index: float = 1.0, held: tuple | None = None) -> np.ndarray:
        """Tonnes each collector wins: its lot, then its part of the open supply's ESS share.
        Waste arisings and the conventional recyclers' demand follow the scenario's demand
        index (discarded goods follow consumption), so collectors follow the demand trend.
        ``held``: eco-organism lots in force, (tonnes each collector holds, at most its need;
        tonnes conventional recyclers hold in each territory), served before anything else."""
        n_t = self.supply.size
        supply = self.supply * demand_index
        conventional = None
        eco = 0.0
        if held is not None:
            eco, conventional_held = held
            supply = np.maximum(supply - conventional_held
                                - np.bincount(territory, weights=eco, minlength=n_t), 0.0)
            conventional = np.maximum(self.conventional_demand * demand_index
                                      - conventional_held, 0.0)
            need = need - eco
            lots = np.minimum(lots, need)
        lot_total = np.bincount(territory, weights=lots, minlength=n_t)
        scale = np.divide(supply, lot_total, out=np.ones(n_t), where=lot_total > supply)
        lots = lots * scale[territory]
        open_supply = supply - np.bincount(territory, weights=lots, minlength=n_t)
        unmet = need - lots
        ess_wants = np.bincount(territory, weights=unmet, minlength=n_t)
        weight = ess_weight(params, observed=False)
        self.territory_access = self.served_share(ess_wants, open_supply, weight, demand_index,
                                                  conventional)
        return eco + lots + unmet * self.territory_access[territory]

    def served_share(self, ess_wants, open_supply, weight, demand_index: float = 1.0,
                     conventional: np.ndarray | None = None) -> np.ndarray:
        """Share of their unmet need ESS collectors win in each territory; also what a small
        new collector can expect (the ESS part is shared in proportion to need).
        ``conventional``: the conventional recyclers' demand, if not the calibrated one."""
        if conventional is None:
            conventional = self.conventional_demand * demand_index
        bids = weight * ess_wants + conventional
        per_tonne = np.divide(open_supply * weight, bids, out=np.zeros_like(open_supply),
                              where=bids > 0)
        alone = np.where((open_supply > 0) & (weight > 0), 1.0, 0.0)  # no bidder yet: all of it
        return np.clip(np.where(bids > 0, per_tonne, alone), 0.0, 1.0)


CONVENTIONAL = -1  # holder of a lot won by the conventional recyclers


@dataclass
class EcoLots:
    """Eco-organism lots: one per territory and stream, a share of the territory's supply,
    held until its expiry month, when it is tendered again. ``members`` lists, for lots held by
    ESS collectors, each member's row and the part of the lot it receives."""

    territory: np.ndarray             # (lots,) territory of the lot
    stream: np.ndarray                # (lots,) REP stream (0 .. lot_streams - 1)
    share: np.ndarray                 # (lots,) share of its territory's supply
    expiry: np.ndarray                # (lots,) month at which it is tendered again
    holder: np.ndarray                # (lots,) lead ESS row, or CONVENTIONAL
    member_lot: np.ndarray            # (members,) lot of each ESS member
    member_row: np.ndarray            # (members,) enterprise row of each member
    member_part: np.ndarray           # (members,) share of the lot the member receives
    tenders: list                     # (month, lots tendered, lots won by ESS, by consortia)

    @classmethod
    def build(cls, n_territories: int, params, rng: np.random.Generator, month: int) -> EcoLots:
        """The lot table at ``month``: expiries spread evenly over the next contract's length
        (months 1 to ``lot_contract_months`` ahead, in random order), so the tender rate is
        stationary; every lot is held by conventional recyclers until ``build_lots`` tenders
        it."""
        p = params.feedstock
        n = n_territories * p.lot_streams
        months = int(p.lot_contract_months)
        expiry = month + 1 + (np.arange(n) * months) // n  # as even as whole months allow
        return cls(np.repeat(np.arange(n_territories), p.lot_streams),
                   np.tile(np.arange(p.lot_streams), n_territories),
                   np.full(n, p.lot_share / p.lot_streams), rng.permutation(expiry),
                   np.full(n, CONVENTIONAL), np.zeros(0, np.int64), np.zeros(0, np.int64),
                   np.zeros(0), [])

    def tonnes(self, supply: np.ndarray) -> np.ndarray:
        """Monthly tonnes of each lot, given each territory's supply this month."""
        return self.share * supply[self.territory]

    def held(self, n_rows: int, supply: np.ndarray, alive: np.ndarray,
             territory: np.ndarray, exclude: np.ndarray | None = None) -> np.ndarray:
        """Tonnes each enterprise row receives from the lots it holds: none for a member that
        closed or moved out of the lot's territory (its part goes to the open contest until
        the lot's expiry); ``exclude``: lots left out (those being tendered)."""
        keep = alive[self.member_row] & (territory[self.member_row]
                                         == self.territory[self.member_lot])
        if exclude is not None:
            keep &= ~np.isin(self.member_lot, exclude)
        t = self.tonnes(supply)[self.member_lot[keep]] * self.member_part[keep]
        return np.bincount(self.member_row[keep], weights=t, minlength=n_rows)

    def conventional_tonnes(self, n_territories: int, supply: np.ndarray) -> np.ndarray:
        """Tonnes conventional recyclers hold by lots in each territory."""
        mine = self.holder == CONVENTIONAL
        return np.bincount(self.territory[mine], weights=self.tonnes(supply)[mine],
                           minlength=n_territories)

    def award(self, lot: int, rows: np.ndarray, parts: np.ndarray, expiry: int) -> None:
        """The lot goes to ``rows`` (ESS members; none: the conventional recyclers)."""
        drop = self.member_lot == lot
        if drop.any():
            keep = ~drop
            self.member_lot, self.member_row, self.member_part = (
                self.member_lot[keep], self.member_row[keep], self.member_part[keep])
        self.holder[lot] = rows[0] if rows.size else CONVENTIONAL
        self.member_lot = np.concatenate([self.member_lot, np.full(rows.size, lot)])
        self.member_row = np.concatenate([self.member_row, rows])
        self.member_part = np.concatenate([self.member_part, parts])
        self.expiry[lot] = expiry


def bid_scores(capacity: np.ndarray, tonnes: float, params, price_premium: float,
               noise: np.ndarray) -> tuple[float, np.ndarray]:
    """Award scores of the conventional bid and of ESS bids of the given ``capacity`` (t/month
    each can process): price, quality and capacity (share of the lot, at most 1), plus noise
    (``noise[0]`` the conventional bid's)."""
    p = params.feedstock
    conventional = p.lot_price_weight + p.lot_quality_weight + p.lot_capacity_weight + noise[0]
    share = np.minimum(capacity / tonnes, 1.0) if tonnes > 0 else np.ones_like(capacity)
    ess = (p.lot_price_weight / (1.0 + price_premium) + p.lot_quality_weight * p.ess_quality_score
           + p.lot_capacity_weight * share + noise[1:])
    return float(conventional), ess


def tender_lot(tonnes: float, local: np.ndarray, capacity: np.ndarray, consortium: bool,
               params, price_premium: float, rng: np.random.Generator
               ) -> tuple[np.ndarray, np.ndarray]:
    """One tender: the members who win the lot and the part each receives (empty: the
    conventional recyclers win). Each ``local`` collector able to process the lot's minimum
    bids alone; with ``consortium``, the local collectors with capacity also bid together,
    pooling it. Noise is drawn for every local collector and the consortium, bidder or not, so
    one bidder's eligibility does not move the others' draws."""
    p = params.feedstock
    minimum = p.lot_min_capacity_share * tonnes
    noise = rng.normal(0.0, p.lot_score_noise, size=local.size + 2)
    pooled_rows = local[capacity > 0]
    pooled = capacity[capacity > 0].sum()
    caps = np.append(capacity, pooled)
    eligible = caps >= minimum
    eligible[:-1] &= capacity > 0
    eligible[-1] &= consortium and pooled_rows.size >= 2
    conventional, ess = bid_scores(caps, tonnes, params, price_premium,
                                   np.append(noise[-1], noise[:-1]))
    ess = np.where(eligible, ess, -np.inf)
    best = int(np.argmax(ess)) if ess.size else -1
    if best < 0 or ess[best] <= conventional:
        return np.zeros(0, np.int64), np.zeros(0)
    if best == local.size:  # the consortium: each member's part is the capacity it brought
        return pooled_rows, capacity[capacity > 0] / pooled
    return local[best:best + 1], np.ones(1)


def tender_expired(m, lots: EcoLots, rows: np.ndarray, need: np.ndarray,
                   supply: np.ndarray) -> None:
    """Tender the lots whose contract ends this month."""
    due = (lots.expiry <= m.month).nonzero()[0]
    run_tenders(m, lots, due, rows, need, supply)


def run_tenders(m, lots: EcoLots, due: np.ndarray, rows: np.ndarray, need: np.ndarray,
                supply: np.ndarray, observed: bool = False) -> None:
    """Award the ``due`` lots in turn: a winner's capacity is taken by the lots it wins.
    ``observed``: tenders of the past (the build), with the competition brake as measured and
    no lever's consortia, whatever this run does."""
    w, p = m.world, m.params.feedstock
    if due.size == 0:
        lots.tenders.append((m.month, 0, 0, 0))
        return
    e = w.enterprises
    rng = m.streams["feedstock.lots"]
    contract = int(p.lot_contract_months)
    competition = m.params.competition
    premium = competition.unit_cost_premium if observed else competition.price_premium()
    consortium_chance = (np.zeros(w.n_territories) if observed
                         else m.effects.feedstock.lot_consortia)
    headroom = np.zeros(e.n)
    headroom[rows] = need * (1.0 + p.lot_bid_headroom)
    headroom -= lots.held(e.n, supply, e.alive, e.territory, exclude=due)
    by_territory = GroupIndex(e.territory[rows], rows, w.n_territories)  # rows stay in order
    tonnes = lots.tonnes(supply)
    won = consortia = 0
    for lot in due:
        t = lots.territory[lot]
        start = by_territory.starts[t]
        local = by_territory.members[start:start + by_territory.counts[t]]
        consortium = bool(rng.random() < consortium_chance[t])
        capacity = np.maximum(headroom[local], 0.0)
        members, parts = tender_lot(float(tonnes[lot]), local, capacity, consortium, m.params,
                                    premium, rng)
        headroom[members] -= parts * tonnes[lot]
        lots.award(lot, members, parts, m.month + contract)
        won += members.size > 0
        consortia += members.size > 1
    lots.tenders.append((m.month, int(due.size), int(won), int(consortia)))


def build_lots(m, rows: np.ndarray, need: np.ndarray, supply: np.ndarray) -> EcoLots:
    """The lot table at the first feedstock phase: each lot's holder is who wins its last
    tender, run on the world of that month in order of expiry (as the lots were signed), with
    the brakes as measured and no lever (those tenders are the past); the expiries stay spread
    over the contract's length."""
    lots = EcoLots.build(m.world.n_territories, m.params, m.streams["feedstock.lots"], m.month)
    signed = lots.expiry.copy()
    run_tenders(m, lots, np.argsort(signed, kind="stable"), rows, need, supply, observed=True)
    lots.expiry[:] = signed
    lots.tenders.clear()
    return lots


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
    return (e.alive & world.sectors.needs_feedstock[e.sector]).nonzero()[0]


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
    # the trusted live ties first, then their collectors among them: each column gathered
    # once over the ties kept so far, in the ties' order (was masked over every row)
    partnered = (ties.active & (ties.trust >= m.params.mutual_ignorance.trust_to_buy)).nonzero()[0]
    collector = position[ties.enterprise[partnered]]
    kept = (collector >= 0).nonzero()[0]
    partnered, collector = partnered[kept], collector[kept]
    share = lot_share[e.territory[rows[collector]]]
    kept = (share > 0).nonzero()[0]
    partnered, collector, share = partnered[kept], collector[kept], share[kept]
    firm = ties.firm[partnered]
    partners_of_firm = np.bincount(firm, minlength=w.firms.n)
    firm_feedstock = w.firms.jobs[firm] * m.params.feedstock.firm_feedstock_t_per_job_month
    lot = share * firm_feedstock / partners_of_firm[firm]
    if collector.size == 0:  # (``np.bincount`` of nothing gives integers)
        return lots
    # from zeros, in the ties' order: the sums ``np.add.at`` makes, bit for bit
    return np.bincount(collector, weights=lot, minlength=rows.size)


def allocate_feedstock(m) -> None:
    """The feedstock phase: tender expired eco-organism lots (if on), clear each territory's
    market and set every collector's access (share of its need won), which bounds its capacity
    in the production phase."""
    w = m.world
    market, e = w.feedstock_market, w.enterprises
    rows = collectors(w)
    need = need_tonnes(w, m.params, rows)
    partner = consortium_lots(m, rows, m.effects.feedstock.consortium_lot_share)
    held = None
    if m.params.feedstock.lot_contracts:
        supply = market.supply * m.conditions.demand_index
        if market.lots is None:
            market.lots = build_lots(m, rows, need, supply)
        else:
            tender_expired(m, market.lots, rows, need, supply)
        eco = np.minimum(market.lots.held(e.n, supply, e.alive, e.territory)[rows], need)
        held = (eco, market.lots.conventional_tonnes(w.n_territories, supply))
    lots = np.minimum(partner, need)
    won = market.clear(e.territory[rows], need, lots, m.params, m.conditions.demand_index,
                       held)
    if held is not None:
        lots = np.minimum(partner, need - held[0])
    e.feedstock_access[rows] = np.divide(won, need, out=market.territory_access[
        e.territory[rows]].copy(), where=need > 0)
    m.now.feedstock_won_t = float(won.sum())
    m.now.feedstock_lots_t = float(np.minimum(lots, won).sum())
