"""The report's first screen and formats, checked on synthetic sweeps whose effects are known.

The synthetic backend's conditional aid does nothing in dense territories; a copy of the sweep
where it cuts insertion exits there by 30 % must have that adverse effect named in the summary,
derived from the intervals. Industrial jobs made identical in every run must leave the tables,
with the reason said.
"""

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from sim.experiments import findings
from sim.experiments.report import build_report
from sim.experiments.texts import estimate, interval, money, number
from tests.test_experiments_report import ARMS, SEEDS, make_sweep

NNBSP = "\u202f"
MULTIRUN = "territory:\n  label: Occitanie\nhorizon_months: 36\nscenario:\n  name: central\n"


class Page(HTMLParser):
    """Text of each element kind: h1, the meta line, the conclusion, list items, table cells;
    image alt texts."""

    def __init__(self, page: str):
        super().__init__()
        self.parts: dict[str, list[str]] = {}
        self.alts: list[str] = []
        self._open: list[tuple[str, str]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.alts.append(attrs.get("alt", ""))
            return
        if tag in ("meta", "br"):
            return
        key = f"{tag}.{attrs['class']}" if attrs.get("class") else tag
        self._open.append((key, ""))

    def handle_endtag(self, tag):
        key, text = self._open.pop()
        self.parts.setdefault(key, []).append(text)
        if self._open:  # text of children belongs to the parent too
            parent, ptext = self._open[-1]
            self._open[-1] = (parent, ptext + text)

    def handle_data(self, data):
        if self._open:
            key, text = self._open[-1]
            self._open[-1] = (key, text + data)


def _with_multirun(root):
    (root / "multirun.yaml").write_text(MULTIRUN)
    return root


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    return _with_multirun(make_sweep(tmp_path_factory.mktemp("plain")))


@pytest.fixture(scope="module")
def adverse(tmp_path_factory):
    """Conditional aid cuts insertion exits by 30 % in dense territories; industrial jobs are
    the same in every run."""
    root = _with_multirun(make_sweep(tmp_path_factory.mktemp("adverse")))
    for arm in ARMS:
        for seed in SEEDS:
            run = root / "runs" / arm / f"seed={seed}"
            ts = pd.read_parquet(run / "timeseries.parquet")
            ts["industrial_jobs"] = 50_000.0
            ts.to_parquet(run / "timeseries.parquet")
            if arm == "conditional_aid":
                panel = pd.read_parquet(run / "territories.parquet")
                dense = panel.density_class == "dense"
                panel.loc[dense, "insertion_exits_employment"] *= 0.7
                panel.to_parquet(run / "territories.parquet")
    return root


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_header_names_territory_date_runs_horizon_and_a_conclusion(plain, lang):
    page = Page(build_report(plain, lang).read_text(encoding="utf-8"))
    title = page.parts["h1"][0]
    assert "Occitanie" in title
    meta = page.parts["p.meta"][0]
    runs = len(ARMS) * len(SEEDS)
    if lang == "fr":
        assert re.search(r"simulé le \d{1,2} [a-zéû]+ 20\d\d", meta), meta
        assert f"{runs} simulations ({len(ARMS)} scénarios × {len(SEEDS)} graines)" in meta
        assert "horizon 36 mois" in meta
    else:
        assert re.search(r"run on \d{1,2} [A-Z][a-z]+ 20\d\d", meta), meta
        assert f"{runs} runs ({len(ARMS)} scenarios × {len(SEEDS)} seeds)" in meta
        assert "horizon 36 months" in meta
    conclusion = page.parts["p.conclusion"][0]
    # the synthetic land trust costs 30 k€ a month per territory, conditional aid 20 k€ and
    # acts where jobs are many: the rule must pick a lever and give its cost per job-year
    assert ("k€" in conclusion) if lang == "fr" else ("€" in conclusion and "k" in conclusion)
    assert any(name in conclusion for name in (
        ["Foncière solidaire", "Aides conditionnées", "Les quatre leviers"] if lang == "fr"
        else ["Land trust", "Conditional aid", "All four levers"]))
    assert 3 <= 1 + len(page.parts["li.finding"]) <= 5  # three to five sentences in all


def test_adverse_effect_is_stated_in_the_summary(plain, adverse):
    plain_page = Page(build_report(plain, "en").read_text(encoding="utf-8"))
    page = Page(build_report(adverse, "en").read_text(encoding="utf-8"))
    item = "Conditional aid: insertion exits to employment (cumulative) in dense territories −"
    assert not any(item in li for li in plain_page.parts["li.finding"])
    assert any(item in li and "Significant adverse effects" in li
               for li in page.parts["li.finding"])
    fr = Page(build_report(adverse, "fr").read_text(encoding="utf-8"))
    assert any("Aides conditionnées : sorties d'insertion vers l'emploi (cumul) en "
               "territoires denses −" in li for li in fr.parts["li.finding"])
    # and the density table marks it in red
    assert any("−" in td for td in fr.parts["td.adverse"])


def test_adverse_effects_follow_the_intervals():
    effects = pd.DataFrame([
        {"arm": "a", "outcome": "ess_jobs", "diff": -5.0, "diff_low": -8.0, "diff_high": -2.0},
        {"arm": "a", "outcome": "mean_rent_ess_eur_m2", "diff": 2.0, "diff_low": 1.0,
         "diff_high": 3.0},
        {"arm": "a", "outcome": "ess_enterprises", "diff": -5.0, "diff_low": -8.0,
         "diff_high": 1.0},
        {"arm": "a", "outcome": "public_cost_eur", "diff": 9e6, "diff_low": 8e6,
         "diff_high": 1e7},
        {"arm": "b", "outcome": "mean_rent_ess_eur_m2", "diff": -2.0, "diff_low": -3.0,
         "diff_high": -1.0},
    ])
    density = pd.DataFrame([{"arm": "b", "density_class": "dense",
                             "outcome": "insertion_exits_employment", "diff": -10.0,
                             "diff_low": -11.0, "diff_high": -9.0}])
    found = {(a.arm, a.outcome, a.density_class)
             for a in findings.adverse_effects(effects, density)}
    assert found == {("a", "ess_jobs", None), ("a", "mean_rent_ess_eur_m2", None),
                     ("b", "insertion_exits_employment", "dense")}
    assert findings.adverse_effects(effects, density)[0].arm == "b"  # clearest first


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_constant_outcome_is_dropped_and_explained(adverse, lang):
    page = build_report(adverse, lang).read_text(encoding="utf-8")
    label = "Emplois industriels" if lang == "fr" else "Industrial jobs"
    rows = [td for td in Page(page).parts["td"] if td.startswith(label)]
    assert not rows
    assert ("exogènes dans ce modèle" if lang == "fr" else "exogenous in this model") in page


def test_number_and_interval_formats():
    assert number(2168139596, "fr") == f"2{NNBSP}170{NNBSP}000{NNBSP}000"
    assert money(2168139596, "fr") == f"2,17{NNBSP}Md€"
    assert money(2168139596, "en") == "€2.17bn"
    assert money(-45_100, "en", signed=True) == "−€45.1k"
    assert number(-0.8, "fr") == "−0,8" and number(7.2, "en", signed=True) == "+7.2"
    assert number(725, "en") == "725" and number(1199, "fr") == f"1{NNBSP}200"
    assert estimate(725, 86.8, 1360, "fr", signed=True) == f"+730 [90{NNBSP}; 1{NNBSP}360]"
    assert estimate(99712, 96655, 102769, "en") == "99,700 [96,700; 102,800]"
    assert interval(float("-inf"), float("inf"), "fr") == "[non borné]"
    assert estimate(7300, 3360, 10100, "fr", money) == (
        f"7,3{NNBSP}k€ [3,4{NNBSP}k€{NNBSP}; 10,1{NNBSP}k€]")


CELL = {
    "fr": re.compile(r"^[−+]?\d{1,3}(\u202f\d{3})*(,\d+)?(\u202f(k€|M€|Md€|€|%))?"
                     r"( \[(−?\d{1,3}(\u202f\d{3})*(,\d+)?(\u202f(k€|M€|Md€|€|%))?\u202f; "
                     r"−?\d{1,3}(\u202f\d{3})*(,\d+)?(\u202f(k€|M€|Md€|€|%))?|non borné)\])?$"),
    "en": re.compile(r"^[−+]?€?\d{1,3}(,\d{3})*(\.\d+)?(k|m|bn|%)?"
                     r"( \[(−?€?\d{1,3}(,\d{3})*(\.\d+)?(k|m|bn|%)?; "
                     r"−?€?\d{1,3}(,\d{3})*(\.\d+)?(k|m|bn|%)?|unbounded)\])?$"),
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_table_number_is_written_one_way(plain, lang):
    page = Page(build_report(plain, lang).read_text(encoding="utf-8"))
    cells = [td for td in page.parts["td"] + page.parts.get("td.adverse", [])
             if td and td[0] in "0123456789−+€"]
    assert len(cells) > 50
    bad = [c for c in cells if not CELL[lang].match(c)]
    assert not bad, bad[:5]
    assert not re.search(r"\d{5}", " ".join(cells))  # no long unseparated numbers


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_figures_have_alt_texts_and_their_own_directory(plain, lang):
    page = Page(build_report(plain, lang).read_text(encoding="utf-8"))
    assert page.alts and all(len(alt) > 20 for alt in page.alts)
    assert (plain / "report" / "figures" / lang / "series_ess_jobs.png").exists()
    statuses = page.parts["th"]
    assert ("terminée" if lang == "fr" else "complete") in statuses
