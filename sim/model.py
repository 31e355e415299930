"""EcosystemModel: ESS enterprises and industry on a network of French territories, by month.

``step()`` runs the calendar: the named phases of ``CALENDAR``, each a function of the module
that owns its part of the economy (an actor family in ``sim.agents``, a market in
``sim.markets``). The model holds the world (``sim.world``, the state carried from month to
month), a fresh month record (``sim.month``, the month's flows), the levers' effects of the month
(``sim.effects``) and the named random streams. Every euro and square metre moves through the
world's ledger, whose conservation is asserted at the end of every month.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from typing import NamedTuple

import mesa
import numpy as np
import pandas as pd

from sim import warmup
from sim.agents import ESSEnterprise, IndustrialFirm, ess, industry
from sim.compaction import compact_tables
from sim.config import SimConfig, validate
from sim.effects import Effects
from sim.events import EventLog
from sim.markets import b2b, clearing, credit, feedstock, labour, premises, settlement
from sim.metrics import MetricsRecorder, SeriesCollector
from sim.month import Month
from sim.policies import REGISTRY
from sim.rng import RandomStreams
from sim.scenario import scenario_at
from sim.world import build_world


class Phase(NamedTuple):
    """A step of the month: a name and the function that runs it on the model."""

    name: str
    run: Callable


CALENDAR = (
    Phase("compaction", compact_tables),
    Phase("industry", industry.update),
    Phase("supplier discovery", b2b.discover_suppliers),
    Phase("feedstock", feedstock.allocate_feedstock),
    Phase("production", ess.produce),
    Phase("markets", clearing.clear_markets),
    Phase("settlement", settlement.settle),
    Phase("cash shortfalls", credit.finance_cash_shortfalls),
    Phase("insertion labour", labour.insertion_labour),
    Phase("trust", b2b.update_trust),
    Phase("growth", ess.grow),
    Phase("shrinkage", ess.shrink),
    Phase("redeployed posts", ess.redeploy_posts),
    Phase("new sites", ess.open_sites),
    Phase("relocations", ess.relocate),
    Phase("entries", ess.entries),
    Phase("failures", ess.failures),
    Phase("acquisitions", industry.acquisitions),
    Phase("scale-ups", ess.scale_ups),
    Phase("surplus paid out", ess.pay_out_surplus),
)

SETTLING_CALENDAR = tuple(Phase(p.name, warmup.SETTLING_REPLACED.get(p.name, p.run))
                          for p in CALENDAR if p.name not in warmup.SETTLING_SKIPPED)
"""A settling month before month 0 (``sim.warmup``): the calendar with the demography held,
each structure that fails replaced in place."""


class EcosystemModel(mesa.Model):
    """A territorial ecosystem of ESS enterprises, industrial firms, landlords, financiers and
    public actors.

    Args:
        config: a validated ``SimConfig``, a composed Hydra config, or None to compose the
            default config with ``overrides``.
        rng: the run seed (Mesa's convention; overrides ``config.seed`` on a copy).
        **overrides: Hydra overrides as keyword arguments (``territory="classroom"``,
            ``horizon_months=24``...), which lets ``mesa.batch_run`` drive the model.
    """

    def __init__(self, config: SimConfig | Mapping | None = None, *, rng=None, **overrides):
        config = _resolve(config, overrides)
        if rng is not None:
            config = dataclasses.replace(config, seed=int(rng))
        super().__init__(rng=config.seed)
        self.config = config
        self.params = config.params
        self.streams = RandomStreams(config.seed)
        self.month = 0
        self.conditions = scenario_at(config.scenario, 0)
        self.world = build_world(config, self.streams)
        self.events = EventLog(self.world.enterprises)
        n_t = self.world.n_territories
        alive = self.world.enterprises.alive.nonzero()[0]
        self.ess_views = {int(r): ESSEnterprise(self, int(r)) for r in alive}
        self.policies = []  # no lever acts before month 0
        self._settle(config.params.population.settling_months)
        premises.release_lifted_vacancy(self.world, self.params.premises)
        self.effects = Effects(n_t)
        self.now = Month(0, n_t)
        for row in range(self.world.firms.n):
            IndustrialFirm(self, row)
        self.policies = [REGISTRY[name](params, self)
                         for name, params in sorted(config.policies.items())]
        self.lever_names = [p.name for p in self.policies]
        self.metrics = MetricsRecorder(self)
        self.datacollector = SeriesCollector(self.metrics.reporters())

    # --- the calendar -------------------------------------------------------------------------
    def step(self) -> None:
        """One month: the world's conditions, the levers' effects, the phases of the calendar,
        the levers' public cost, then the month's data."""
        self.conditions = scenario_at(self.config.scenario, self.month)
        self.now = Month(self.month, self.world.n_territories)
        self.effects = Effects(self.world.n_territories)
        for policy in self.policies:
            policy.apply(self.effects, self.month)
        for phase in CALENDAR:
            phase.run(self)
        lever_costs = {p.name: p.book(self.month) for p in self.policies}
        self.metrics.record(self.now, lever_costs)
        self.datacollector.collect(self)
        self.world.ledger.assert_conserved(self.world.initial_floor)
        self.world.ledger.assert_no_negative_cash(self.world.enterprises.n)
        self.month += 1
        self.running = self.month < self.config.horizon_months

    def _settle(self, months: int) -> None:
        """The economy runs ``months`` settling months before month 0 at month-0 conditions,
        in the observed world (every brake as measured), without levers, output rows or
        events (``sim.warmup``): month 0 starts from the settled state, not from a population
        built healthy, and a run that lifts a brake lifts it from month 0."""
        if months <= 0:
            return
        n_t = self.world.n_territories
        run_params, self.params = self.params, warmup.observed_world(self.params)
        warmup.begin(self.world, months, self.params.economy.growth_cooldown_months)
        with warmup.observed_markets(self.world, self.params):
            for self.month in range(-months, 0):
                self.now = Month(self.month, n_t)
                self.effects = Effects(n_t)
                for phase in SETTLING_CALENDAR:
                    phase.run(self)
                self.world.ledger.assert_conserved(self.world.initial_floor)
                self.world.ledger.assert_no_negative_cash(self.world.enterprises.n)
        self.month = 0
        self.params = run_params
        self.events = EventLog(self.world.enterprises)

    def run(self) -> EcosystemModel:
        while self.running:
            self.step()
        return self

    def lever_introductions(self) -> Iterator[np.ndarray]:
        """Firms the active levers put in touch with an ESS supplier this month."""
        for policy in self.policies:
            dose = policy.dose(self.month)
            if dose > 0:
                firms = policy.introductions(dose)
                if firms is not None:
                    yield firms

    # --- the world as others read it (dashboard, validation, benchmarks, tests) ---------------
    @property
    def territories(self):
        return self.world.territories

    @property
    def enterprises(self):
        return self.world.enterprises

    @property
    def firms(self):
        return self.world.firms

    @property
    def sites(self):
        return self.world.sites

    @property
    def loans(self):
        return self.world.loans

    @property
    def ties(self):
        """The tie table (edge list) of the world's tie graph."""
        return self.world.ties.table

    @property
    def tie_index(self):
        return self.world.ties.index

    @property
    def ledger(self):
        return self.world.ledger

    @property
    def credit_market(self):
        return self.world.credit_market

    @property
    def premises_market(self):
        return self.world.premises_market

    @property
    def initial_floor(self) -> float:
        return self.world.initial_floor

    # --- what the dashboard inspects -------------------------------------------------------------
    def enterprise_snapshot(self, serial: int) -> dict:
        """The inspector's view of the enterprise named ``serial`` (as events name it); a
        KeyError when there is none, or its row was compacted away (``sim.compaction``)."""
        e = self.world.enterprises
        row = int(np.searchsorted(e.serial, serial))
        if row >= e.n or e.serial[row] != serial:
            raise KeyError(serial)
        return ess.snapshot(self, row)

    def ties_frame(self) -> pd.DataFrame:
        return self.world.ties.frame(self.world.territories.codes)

    def timeseries_frame(self) -> pd.DataFrame:
        return self.metrics.timeseries_frame()

    def territory_frame(self) -> pd.DataFrame:
        return self.metrics.territory_frame()

    def events_frame(self) -> pd.DataFrame:
        return self.events.frame(self.territories.codes,
                                 {"seed": self.config.seed, "levers": ",".join(self.lever_names)})


def _resolve(config, overrides) -> SimConfig:
    if isinstance(config, SimConfig):
        return config
    if config is not None:
        return validate(config)
    from sim.config import load_config  # Hydra, only when the model composes its own config

    return load_config([_override(k, v) for k, v in overrides.items()])


def _override(key: str, value) -> str:
    if isinstance(value, (list, tuple)):
        return f"{key}=[{','.join(map(str, value))}]"
    return f"{key}={value}"
