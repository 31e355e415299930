"""The model's invariants: composition, determinism, conservation, stocks, brakes, Mesa tooling."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim import outcomes
from sim.api import build_model, run, run_config
from sim.config import compose_config, config_dir
from sim.events import EventKind
from sim.ledger import Ledger, LedgerError, Sector

TERRITORY_OPTIONS = sorted(p.stem for p in (config_dir() / "territory").glob("*.yaml"))
SCENARIO_OPTIONS = sorted(p.stem for p in (config_dir() / "scenario").glob("*.yaml"))
TAGS = ("month", "year", "seed", "levers")


@pytest.mark.parametrize("territory", TERRITORY_OPTIONS)
@pytest.mark.parametrize("scenario", SCENARIO_OPTIONS)
def test_every_config_composes(territory, scenario):
    from sim.config import validate

    config = validate(compose_config([f"territory={territory}", f"scenario={scenario}"]))
    assert config.territory.kind in ("region", "departement", "epci", "france", "synthetic")
    assert config.scenario.name == scenario


@pytest.mark.parametrize("overrides", [
    ["territory=tiny"],
    ["territory.kind=region", "territory.codes=[94]", "territory.label=Corse"],
    ["territory=drome"],
    ["territory.kind=epci", "territory.codes=[200040715,200000172]", "territory.label=two"],
])
def test_smoke_run_of_each_territory_kind(overrides):
    result = run([*overrides, "horizon_months=12"])
    ts = result.timeseries
    assert len(ts) == 12
    assert set(ts.columns) == {*TAGS, *outcomes.BY_KEY}  # no lever: no lever cost column
    assert ts["ess_enterprises"].iloc[0] > 0
    assert not ts.drop(columns=["levers"]).isna().any().any()
    assert set(result.territories["density_class"]) <= {"dense", "intermediate", "relaxed"}


def test_national_territory_builds():
    model = build_model(["territory=france", "horizon_months=1"])
    assert len(model.territories) == 1253
    assert 5000 < model.enterprises.n < 9000  # ~4,510 IAE + 747 EA + ~1,400 ESS in industry
    assert 20000 < model.firms.n < 40000
    model.step()
    assert model.month == 1


def test_same_seed_same_bytes(tmp_path):
    from sim.api import run_to_directory

    cfg = compose_config(["territory=tiny", "horizon_months=24", "seed=7"])
    run_to_directory(cfg, tmp_path / "a")
    run_to_directory(cfg, tmp_path / "b")
    for name in ("timeseries.parquet", "territories.parquet", "events.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_different_seeds_differ():
    a = run(["territory=tiny", "horizon_months=24", "seed=1"]).timeseries
    b = run(["territory=tiny", "horizon_months=24", "seed=2"]).timeseries
    assert not a.drop(columns="seed").equals(b.drop(columns="seed"))


def test_every_row_carries_seed_and_levers(baseline_run):
    for frame in baseline_run.tables().values():
        assert (frame["seed"] == 42).all()
        assert (frame["levers"] == "").all()


def test_levers_tag_is_stored_once_per_table(tmp_path):
    """The levers string, constant over a run, is dictionary-encoded in memory and in Parquet:
    repeated on each of a national run's millions of events it took most of their memory."""
    import pandas as pd

    from sim.api import run_to_directory

    overrides = ["territory=tiny", "horizon_months=6", "policies=[land_trust,impact_vat]"]
    result = run_to_directory(compose_config(overrides), tmp_path)
    for name, frame in result.tables().items():
        for tag in (frame["levers"], pd.read_parquet(tmp_path / f"{name}.parquet")["levers"]):
            assert isinstance(tag.dtype, pd.CategoricalDtype), name
            assert list(tag.cat.categories) == ["impact_vat,land_trust"], name
            assert (tag == "impact_vat,land_trust").all() and len(tag) == len(frame), name


def test_money_and_floor_conserved_every_month():
    model = build_model(["territory=classroom", "horizon_months=36"])
    floor = model.ledger.total_floor()
    while model.running:
        model.step()
        assert abs(model.ledger.money.sum()) < 1e-6 * model.ledger.gross_flow + 1e-3
        assert model.ledger.total_floor() == pytest.approx(floor, rel=1e-9)


def test_no_negative_stocks():
    model = build_model(["territory=classroom", "horizon_months=36"])
    while model.running:
        model.step()
        e, L = model.enterprises, model.ledger
        assert L.cash_view(e.n).min() >= -1e-6
        assert L.territory_floor.min() >= -1e-6
        assert L.site_floor.min() >= -1e-6
        for column in ("permanent", "insertion", "adapted", "insertion_posts"):
            assert getattr(e, column).min() >= 0
        assert (e.debt >= 0).all() and (model.loans.outstanding >= -1e-6).all()
        assert (e.insertion <= e.insertion_posts).all()


def test_ledger_refuses_to_create_money_or_floor():
    ledger = Ledger(2)
    with pytest.raises(LedgerError):
        ledger.pay_sector_to_sector(Sector.STATE, Sector.BANKS, -5.0, "negative")
    with pytest.raises(LedgerError):
        ledger.move_floor_between_stocks(0, 1, np.array([0]), np.array([10.0]))
    ledger.money[Sector.STATE] += 1.0  # money from nowhere
    with pytest.raises(LedgerError):
        ledger.assert_conserved(0.0)


def _paired(metric, overrides_on, overrides_off, seeds=range(6), horizon=60,
            territory="classroom"):
    on, off = [], []
    for seed in seeds:
        base = [f"territory={territory}", f"horizon_months={horizon}", f"seed={seed}"]
        on.append(metric(run_config(compose_config(base + overrides_on))))
        off.append(metric(run_config(compose_config(base + overrides_off))))
    return np.array(on), np.array(off)


def _assert_greater(a, b):
    """a > b on paired seeds: a one-sided Wilcoxon signed-rank test, or a > b on every seed."""
    diff = a - b
    assert (diff > 0).all() or stats.wilcoxon(diff, alternative="greater").pvalue < 0.05, diff


def test_lifting_mutual_ignorance_creates_more_ties():
    def ties(r):
        return r.timeseries["ess_industry_ties"].iloc[-1]

    off, on = _paired(ties, ["params.mutual_ignorance.enabled=false"], [])
    _assert_greater(off, on)


def test_lifting_competition_brake_wins_more_public_contracts():
    def public(r):
        return r.timeseries["ess_procurement_sales_eur"].sum()

    off, on = _paired(public, ["params.competition.enabled=false"], [])
    _assert_greater(off, on)


def _investment_screening(overrides):
    """Investment applications the banks refused although viable by their own criteria
    (profitable, within the debt ceiling), counted where they decide, and investment loans
    granted, over one run."""
    model = build_model(["progress=false", *overrides])
    market, refused = model.world.credit_market, [0]
    screen = market.screen

    def counted(rng, form, young, loss_making, *args, leverage=None, short_term=False, **kw):
        approved = screen(rng, form, young, loss_making, *args, leverage=leverage,
                          short_term=short_term, **kw)
        if not short_term:
            refused[0] += int((market.brake.viable(loss_making, leverage) & ~approved).sum())
        return approved

    market.screen = counted
    model.run()
    events = model.events_frame()
    granted = ((events.kind == EventKind.LOAN_GRANTED.value)
               & (events.details == "investment")).sum()
    return refused[0], granted


def test_lifting_finance_brake_opens_investment_loans():
    """Brake 3 is the ESS's own obstacles to the finance of growth (form, size, age,
    collateral): lifted, banks refuse fewer viable investment applications and grant more
    investment loans. Not every refusal goes: banks still refuse loss-makers and lend nothing
    beyond the debt ceiling."""
    on, off = [], []
    for seed in range(6):
        base = ["territory=classroom", "horizon_months=60", f"seed={seed}"]
        on.append(_investment_screening(base))
        off.append(_investment_screening([*base, "params.finance.enabled=false"]))
    on, off = np.array(on), np.array(off)
    _assert_greater(on[:, 0], off[:, 0])
    _assert_greater(off[:, 1], on[:, 1])


def test_lifting_premises_brake_grows_ess_in_dense_territories():
    def dense_jobs(r):
        t = r.territories
        last = t[(t.month == t.month.max()) & (t.density_class == "dense")]
        return last["ess_jobs_total"].sum()

    off, on = _paired(dense_jobs, ["params.premises.enabled=false",
                                   "scenario.demand_growth_yr=0.05"],
                      ["scenario.demand_growth_yr=0.05"])
    _assert_greater(off, on)


def test_lifting_hr_brake_fills_more_industrial_vacancies():
    def filled(r):
        return r.timeseries["industrial_vacancies_filled_by_insertion"].sum()

    off, on = _paired(filled, ["params.human_resources.enabled=false"], [])
    _assert_greater(off, on)


def test_mesa_batch_run_drives_the_model():
    import mesa

    from sim.model import EcosystemModel

    results = mesa.batch_run(EcosystemModel, parameters={"territory": "tiny",
                                                         "horizon_months": 6},
                             rng=[1, 2], max_steps=6, display_progress=False)
    assert len(results) == 2
    assert all(r["ess_enterprises"] > 0 for r in results)


def test_outcomes_registry_names_every_output_column():
    result = run(["territory=tiny", "horizon_months=3", "policies=[land_trust]"])
    lever_costs = {outcomes.lever_cost("land_trust")}
    assert set(result.timeseries.columns) == {*TAGS, *outcomes.BY_KEY, *lever_costs}
    panel = set(result.territories.columns) - {"month", "seed", "levers", "territory_code",
                                               "territory_name", "density_class", "archetype",
                                               "lon", "lat"}
    assert panel == set(outcomes.panel())
    for outcome in outcomes.OUTCOMES:
        assert outcome.unit and outcome.en and outcome.fr and outcome.label("fr") == outcome.fr
    assert set(result.summary["totals"]) == set(outcomes.of(outcomes.Aggregation.FLOW))


def test_mesa_datacollector_accessors():
    model = build_model(["territory=tiny", "horizon_months=6", "policies=[land_trust]"])
    model.run()
    frame = model.datacollector.get_model_vars_dataframe()
    ts = model.timeseries_frame()
    assert len(frame) == 6
    assert set(frame.columns) == set(ts.columns) - {"seed", "levers"}  # every column
    for column in frame.columns:  # month 0 included
        np.testing.assert_array_equal(frame[column].to_numpy(), ts[column].to_numpy(), column)
    from sim.agents import ESSEnterprise, IndustrialFirm

    assert len(model.agents_by_type[ESSEnterprise]) == model.enterprises.alive.sum()
    assert len(model.agents_by_type[IndustrialFirm]) == model.firms.n
