"""The lever-comparison report splits each lever's extra public cost by payer (issue 19): the
State's spending, its tax expenditure (VAT forgone), the Regions, the intercommunalities and the
public investment bank, each paired on seeds with its interval, as the policy design does. On
tiny model runs the parts are the outputs' own column differences and add up to the total."""

import html
import json

import numpy as np
import pandas as pd
import pytest

from sim import outcomes
from sim.api import run
from sim.experiments import analysis, synthetic
from sim.experiments.arms import policies_override, resolve_arm
from sim.experiments.reduce import COST_PARTS, STATE_SPENT, TAX_EXPENDITURE, collect
from sim.experiments.report import build_report
from sim.experiments.runner import SWEEP_INFO, RunSpec, execute_run
from sim.experiments.texts import WORDS, t

# One package whose levers fall on every payer: the State (VAT forgone), the public investment
# bank (land trust), the intercommunalities (reserved markets), the Regions (HR pooling).
LEVERS = ["impact_vat", "land_trust", "reserved_markets", "hr_pooling"]
ARMS = {"baseline": [], "package": LEVERS}
SEEDS = range(3)
TINY = ("progress=false", "territory=tiny", "horizon_months=12")


def _sweep(root, run_fn, backend, extra=(), arms=ARMS):
    planned = []
    for arm in arms:
        for seed in SEEDS:
            planned.append({"arm": arm, "seed": seed, "sample": None})
            a = resolve_arm(arm, arms)
            s = RunSpec(a, seed, (*extra, policies_override(a.levers), f"seed={seed}"))
            execute_run(root / "runs" / arm / f"seed={seed}", s, run_fn, backend)
    (root / SWEEP_INFO).write_text(json.dumps(
        {"experiment": "test", "command": "python -m sim", "total": len(planned),
         "expected": planned}))
    return root


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    root = _sweep(tmp_path_factory.mktemp("payers"), run, "model", TINY)
    for lang in ("fr", "en"):
        build_report(root, lang)
    return root


def _final(sweep, arm, seed) -> pd.Series:
    ts = pd.read_parquet(sweep / "runs" / arm / f"seed={seed}" / "timeseries.parquet")
    return ts.sort_values("month").iloc[-1]


def _parts_from_outputs(last: pd.Series) -> dict:
    """The parts read straight from a run's columns (a lever absent from the run costs 0)."""
    tax = sum(float(last.get(outcomes.lever_cost(x), 0.0)) for x in outcomes.TAX_EXPENDITURES)
    parts = {STATE_SPENT: float(last[outcomes.payer_cost("state")]) - tax, TAX_EXPENDITURE: tax}
    return parts | {outcomes.payer_cost(p): float(last[outcomes.payer_cost(p)])
                    for p in outcomes.PAYERS if p != "state"}


def test_payer_parts_are_the_outputs_column_differences(sweep):
    table = pd.read_parquet(sweep / "report" / "tables" / "cost_by_payer.parquet")
    assert list(table.arm.unique()) == ["package"]
    assert list(table.part) == list(COST_PARTS)
    diffs = pd.DataFrame([
        {k: v - _parts_from_outputs(_final(sweep, "baseline", s))[k]
         for k, v in _parts_from_outputs(_final(sweep, "package", s)).items()}
        for s in SEEDS])
    by_part = table.set_index("part")
    for part in COST_PARTS:
        assert by_part.loc[part, "n_pairs"] == len(SEEDS)
        np.testing.assert_allclose(by_part.loc[part, "diff"], diffs[part].mean(), rtol=1e-9,
                                   atol=1e-6)
        assert by_part.loc[part, "diff_low"] <= by_part.loc[part, "diff"]
        assert by_part.loc[part, "diff"] <= by_part.loc[part, "diff_high"]
    # every payer of the package bears something: the split is not all on one line
    assert (by_part["diff"].abs() > 0).sum() >= 4
    assert by_part.loc[TAX_EXPENDITURE, "diff"] > 0  # VAT forgone: the package's impact VAT


def test_payer_parts_add_up_to_the_extra_cost_shown(sweep):
    tables = sweep / "report" / "tables"
    parts = pd.read_parquet(tables / "cost_by_payer.parquet")
    effects = pd.read_parquet(tables / "effects.parquet")
    total = effects[(effects.arm == "package") & (effects.outcome == "public_cost_eur")]
    np.testing.assert_allclose(parts["diff"].sum(), total["diff"].iloc[0], rtol=1e-9)
    costs = pd.read_parquet(tables / "cost_effectiveness.parquet").iloc[0]
    extra = sum(costs[f"extra_{part}"] for part in COST_PARTS)
    np.testing.assert_allclose(extra, costs.extra_cost_eur, rtol=1e-9)


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ["Dont, par payeur", "État (dépense fiscale : TVA non perçue)", "Régions",
            "Banque publique d'investissement"]),
    ("en", ["Of which, by payer", "State (tax expenditure: VAT forgone)", "Regions",
            "Public investment bank"]),
])
def test_cost_section_shows_the_split_in_each_language(sweep, lang, words):
    page = (sweep / "report" / f"report.{lang}.html").read_text(encoding="utf-8")
    start = page.index(f"<h2>{html.escape(t(WORDS, 'cost', lang))}</h2>")
    section = page[start:page.index("<h2>", start + 1)]
    for word in words:
        assert html.escape(word) in section


def test_payer_shares_add_up_to_the_whole_extra_cost(sweep):
    table = pd.read_parquet(sweep / "report" / "tables" / "cost_by_payer.parquet")
    np.testing.assert_allclose(table.share.sum(), 1.0, rtol=1e-9)
    np.testing.assert_allclose(table.share, table["diff"] / table["diff"].sum(), rtol=1e-9)
    assert (table.share_low <= table.share).all() and (table.share <= table.share_high).all()


@pytest.mark.parametrize(("lang", "of_which", "payers"), [
    ("fr", ", dont ", ["TVA non perçue (État)", "Régions", "banque publique d'investissement",
                       "communes et intercommunalités", "départements"]),
    ("en", ", of which ", ["VAT forgone (State)", "Regions", "public investment bank",
                           "communes and intercommunalities", "départements"]),
])
def test_first_screen_says_who_pays_in_each_language(sweep, lang, of_which, payers):
    """The summary line of each lever gives, after its extra cost, every payer's share of it
    with its interval, the largest first, as the cost-by-payer table has them."""
    from sim.experiments.texts import PAYERS_SHORT, share_estimate

    page = html.unescape((sweep / "report" / f"report.{lang}.html").read_text(encoding="utf-8"))
    line = next(li for li in page.split("<li>") if li.startswith("package"))
    clause = line[line.index(of_which) + len(of_which):]
    table = pd.read_parquet(sweep / "report" / "tables" / "cost_by_payer.parquet")
    shown = table[table.share.abs() >= 0.005].sort_values("share", ascending=False)
    expected = [f"{t(PAYERS_SHORT, r.part, lang)} "
                f"{share_estimate(r.share, r.share_low, r.share_high, lang)}"
                for r in shown.itertuples()]
    assert clause.startswith(", ".join(expected))
    for payer in payers:
        assert payer in clause
    assert ("%" if lang == "en" else "\u202f%") in clause


@pytest.mark.parametrize(("args", "fr", "en"), [
    ((0.4123, 0.381, 0.448), "41\u202f% [38\u202f%\u202f; 45\u202f%]", "41% [38%; 45%]"),
    ((1.0, 1.0, 1.0), "100\u202f%", "100%"),
    ((0.2, -np.inf, np.inf), "20\u202f% [non borné]", "20% [unbounded]"),
    ((0.2, np.nan, np.nan), "20\u202f%", "20%"),
])
def test_a_share_is_written_in_whole_per_cent_with_its_interval(args, fr, en):
    from sim.experiments.texts import share_estimate

    assert share_estimate(*args, "fr") == fr
    assert share_estimate(*args, "en") == en


def test_outputs_without_payer_columns_give_no_split(tmp_path):
    """Runs written before the payers' columns existed: the report builds, without the split."""
    arms = {"baseline": [], "package": ["impact_vat", "land_trust", "reserved_markets"]}
    root = _sweep(tmp_path, synthetic.run, "synthetic", arms=arms)
    assert collect(root).outcomes[TAX_EXPENDITURE].notna().all()  # the synthetic backend splits
    for path in (root / "runs").rglob("timeseries.parquet"):
        ts = pd.read_parquet(path)
        ts.drop(columns=[outcomes.payer_cost(p) for p in outcomes.PAYERS]).to_parquet(path)
    col = collect(root)
    assert not set(COST_PARTS) & set(col.outcomes.columns)
    assert analysis.cost_by_payer(analysis.Paired(col.outcomes), ["baseline", "package"],
                                  "baseline") is None
    page = build_report(root, "en").read_text(encoding="utf-8")
    assert "Of which, by payer" not in page and ", of which " not in page
    assert not (root / "report" / "tables" / "cost_by_payer.parquet").exists()


@pytest.mark.parametrize(("lang", "clause"), [
    ("fr", "sur 36 mois, dont banque publique d'investissement 100\u202f%."),
    ("en", "over 36 months, of which public investment bank 100%."),
])
def test_the_conclusion_says_who_pays_the_best_lever(tmp_path_factory, lang, clause):
    """Synthetic sweep: the land trust, paid whole by the public investment bank, buys most
    jobs per euro; the first sentence a reader sees says who pays it."""
    from tests.test_experiments_report import make_sweep

    root = make_sweep(tmp_path_factory.mktemp(f"best_{lang}"))
    page = html.unescape(build_report(root, lang).read_text(encoding="utf-8"))
    conclusion = page.split('<p class="conclusion">')[1].split("</p>")[0]
    assert conclusion.endswith(clause), conclusion
