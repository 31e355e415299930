"""Typed config schema: what a run can be told, with unit, range and source for every value.

The dataclasses are registered in Hydra's ConfigStore, so a YAML file or an override with a
wrong type or an unknown key is refused before the model starts; ``validate`` then checks ranges
and choices. Monetary values are euros of 2024.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.brakes import Competition, FinanceAccess, HumanResources, MutualIgnorance, PremisesAccess
from sim.ledger import Sector
from sim.markets.feedstock import FeedstockParams
from sim.spec import param
from sim.vocabulary import LEGAL_FORMS, SECTORS, TERRITORY_KINDS  # noqa: F401 (imported from here)


@dataclass
class TerritoryConfig:
    kind: str = param("region", unit="-", choices=TERRITORY_KINDS, source="INSEE COG (shipped)")
    codes: list[str] = param(["84"], unit="codes",
                             source="INSEE region code 84 = Auvergne-Rhône-Alpes")
    synthetic: dict[str, int] = param({}, unit="territories per archetype", assumption="classroom")
    label: str = param("Auvergne-Rhône-Alpes", unit="-", assumption="display name")


@dataclass
class ScenarioConfig:
    """What the world does (not what the ministry does)."""

    name: str = param("central", unit="-", assumption="scenario label")
    demand_growth_yr: float = param(
        0.01, unit="1/yr", low=-0.2, high=0.2, plausible=(-0.01, 0.03),
        source="Insee comptes nationaux: household consumption volume ~+1%/yr 2015-2024",
    )
    industrial_employment_trend_yr: float = param(
        0.005, unit="1/yr", low=-0.2, high=0.2, plausible=(-0.02, 0.03),
        source="Bpifrance Le Lab 2024: manufacturing stabilised; the 12%-of-GDP target "
        "(600-800 k jobs by 2035) is the optimistic alternative",
    )
    interest_rate_yr: float = param(
        0.045, unit="1/yr", low=0.0, high=0.3, plausible=(0.02, 0.07),
        source="Banque de France: rate of new loans to SMEs, 2024 (~4.5%)",
    )
    rent_inflation_yr: float = param(
        0.0, unit="1/yr", low=-0.1, high=0.2, plausible=(-0.01, 0.03),
        source="real growth of rents (money is in euros of 2024, prices and wages constant): "
        "Insee ILAT (tertiary rents index) ~+2%/yr over 2015-2024 against consumer prices "
        "~+1.8%/yr, so ~0 in real terms",
    )
    public_procurement_growth_yr: float = param(
        0.0, unit="1/yr", low=-0.2, high=0.2, plausible=(-0.02, 0.02),
        source="OECP 2022: procurement roughly flat in volume",
    )


@dataclass
class FormParams:
    """One legal form: size, insertion path, outcomes, aid and finance rights.

    Each field's note says where every form's value (in ``default_forms``) comes from; per-form
    assumptions carry ``plausible_scale``, a range as multiples of each form's default."""

    per_100k_inhabitants: float = param(
        1.0, unit="structures/100k inh", low=0.0, high=100.0,
        source="national counts / 66.57 M inhabitants (INSEE EPCI table): EI 1,173 (26% of 4,510, "
        "Dares 2023), ACI 2,255 (~half), AI 700 and ETTI 391 (43,400 and 18,000 people / mean "
        "size); EA 747 (Sénat 2021); SCOP 1,065 and SCIC 200 in the model's sectors, so that "
        "with their sector mix ~930 cooperatives are in industry (seed: two thirds of ~1,400); "
        "ASSOCIATION 466 in scope (reuse and collection associations outside the IAE)",
    )
    permanent_staff: float = param(
        5.0, unit="persons", low=0.0, high=1000.0, plausible_scale=(0.7, 1.4),
        source="EI 9 / ETTI 6: ~10,000 permanent staff for ~1,200 EI+ETTI (FEI 2013-14); SCOP "
        "31: seed, cooperatives are two thirds of 43,000 jobs and of ~1,400 structures; ACI 5, "
        "AI 4, EA 10 (≥ 55% disabled staff rule), SCIC 25, ASSOCIATION 10 assumed",
    )
    insertion_staff: float = param(
        0.0, unit="persons", low=0.0, high=1000.0,
        source="Dares, end 2022 stock / structures: ACI 64,200 / 2,255 ≈ 28; AI 43,400 / 700 = 62; "
        "EI 19,000 / 1,173 ≈ 16; ETTI 18,000 / 391 = 46",
    )
    adapted_staff: float = param(0.0, unit="persons", low=0.0, high=1000.0,
                                 source="Sénat 2021: 37,325 aided disabled employees / 747 EA = 50")
    fte_per_insertion_head: float = param(
        0.8, unit="FTE/person", low=0.0, high=1.0,
        source="DGEFP 2018 realised FTE / Dares end-2017 stock: ACI 26,515 / 51,700 ≈ 0.5; AI "
        "18,189 / 55,800 ≈ 0.33; EI 13,759 / 15,000 ≈ 0.9; ETTI 10,262 / 13,600 ≈ 0.75",
    )
    path_months: float = param(
        12.0, unit="months", low=1.0, high=60.0,
        source="Dares 2022, stock / new contracts a year: ACI 64,200 / 65,800 → 12; EI 19,000 / "
        "21,500 → 11; AI 43,400 / 49,900 → 10; ETTI 18,000 / 37,600 → 6. Preferred to the "
        "quoted '6-8 months in AI/ETTI' because it makes entries match the stock (fact 3)",
    )
    exit_employment: float = param(
        0.0, unit="share", low=0.0, high=1.0,
        source="Dares (Jan 2024), 2021 leavers in employment 6 months later: AI and ETTI 53%, EI "
        "41%, ACI 33% (45% overall). Preferred to the 2005-14 cohorts (ACI 30 / EI 37 / AI 52 / "
        "ETTI 55%) as the same vintage as the 45% headline",
    )
    exit_durable: float = param(
        0.0, unit="share", low=0.0, high=1.0,
        source="ACI 19% (Dares Jan 2024); EI 24% (FEI 2013); AI and ETTI 21% assumed so that all "
        "leavers give ~20% (Dares; DREETS BFC 2022: 20.6%)",
    )
    aid_per_fte_yr: float = param(
        0.0, unit="€/FTE/yr", low=0.0, high=100000.0,
        source="aide au poste, arrêté of 4 Dec 2024 (euros of 2024, so not the 2025 EI 13,304): EI "
        "12,459 / ETTI 4,781 / AI 1,619 / ACI 23,921; EA ~18,500 (arrêté of 16 Jan 2025: "
        "18,230-18,941 by age)",
    )
    commercial_share_of_charges: float = param(
        1.0, unit="share of charges", low=0.0, high=1.0,
        source="Code du travail art. D5132-34 (décret of 15 Sept 2006; circulaire "
        "DGEFP 2005-41): an ACI's sales may cover less than 30% of its charges (up to 50% by "
        "prefect's decision); the rest is the aide au poste and co-funding by the département, "
        "communes and the FSE (IGAS-IGF 2013), so ACI's real value is at most 0.30. Default 1.0 "
        "for every form (no co-funding: each lives on its sales and the State's aid) until the "
        "ACI failures of the stationary baseline are explained (issue 13): set "
        "params.population.forms.ACI.commercial_share_of_charges=0.3 to use it",
    )
    target_margin: float = param(
        0.02, unit="share of sales", low=-0.5, high=0.5, plausible_scale=(0.0, 2.0),
        assumption="net margin an enterprise of the form earns at creation (Dares 2019-005: "
        "insertion firms' margin rate ~4x below conventional firms'; CG Scop: cooperatives' "
        "net margin a few %)",
    )
    pay_flexibility: float = param(
        0.0, unit="share of permanent pay", low=0.0, high=1.0, plausible_scale=(0.5, 2.0),
        assumption="pay members forgo in a month after a loss (SCOP 0.15, SCIC 0.1, others 0): "
        "worker cooperatives adjust pay rather than jobs (Burdín & Dean 2009; Pérotin 2015), "
        "which the model takes as why they outlive other firms. Calibrated on the French "
        "figure (CG Scop: 79% vs 61% at 5 years, an exit hazard about half the others'), "
        "stronger than Burdín 2014's 29% lower hazard (Uruguay, 1997-2009)",
    )
    voluntary_closure_yr: float = param(
        0.0, unit="1/yr", low=0.0, high=1.0, plausible_scale=(0.5, 2.0),
        source="closures other than failure (retirement without a successor, dissolution, "
        "merger, end of a project) of structures at least voluntary_closure_min_age_months "
        "old. Opt-in (0 for every form by default): with SCOP and SCIC at 0.019 and "
        "turnover_prior_months=12, cooperatives' creations come near the real rate (ARA, "
        "zero trends, 8 seeds: 58 SCOP and 16 SCIC entrants in ten years instead of ~15; exits "
        "2.6%/yr) but the mix of forms drifts more (ACI and AI structures -8 to -9%, SCOP "
        "+8%, SCIC jobs -10.3%, outside the validation's ±10% band), since the total of "
        "founders follows demand, not closures: not the default until it does. The figure for "
        "SCOP and SCIC, 0.019: CG Scop, rapport d'activité 2020 (figures via letowski.fr, "
        "April 2021; page not recorded in ../shared/calibration/sources-notes.md): 93 of 3,611 "
        "cooperatives disappeared in 2020 (2.6%), 200 were created (5.5%); with 79% alive "
        "after 5 years (CG Scop 2023: a hazard of 4.7%/yr) ~890 are under 5 years old and "
        "~42 of the closures theirs, so ~51 of ~2,720 older ones close a year (1.9%), taken "
        "as non-failure closures: the model's established cooperatives almost never fail "
        "(pay flexibility), and CG Scop does not split its figure by reason nor Scop from "
        "Scic. The seed study gives no closure rate. Other forms 0: no published closure rate "
        "by reason for SIAE, EA or associations, and their established structures already "
        "leave at 3-10%/yr through failures in the model (ARA, zero trends, seed 0: EA 2.8%, "
        "EI 4.2%, ETTI 4.5%, AI 5.5%, associations 8.2%, ACI 9.7%), above the cooperatives' "
        "published 1.9%",
    )
    insertion_on_site: bool = param(True, unit="bool",
                                    source="Code du travail L5132: AI and ETTI place their "
                                    "employees at clients (mise à disposition)")
    finance_form_factor: str = param(
        "firm", unit="-", choices=("firm", "cooperative", "association"),
        source="legal status: EI, ETTI and EA are mostly commercial companies; ACI and AI are "
        "mostly associations (Dares 2019-005: 50% of EI, 95% of ETTI commercial)",
    )
    outside_equity: bool = param(
        True, unit="bool",
        source="associations have no share capital; SCOP capital is held mostly by employees "
        "(loi 1978); SCIC and commercial companies may open their capital",
    )
    labelled_impact: bool = param(True, unit="bool",
                                  assumption="every form's goods could carry an impact label")
    sector_mix: list[float] = param(
        [0.25, 0.25, 0.25, 0.25], unit="shares of " + ", ".join(SECTORS),
        assumption="sector mix by form (seed's panorama: insertion and adapted structures in "
        "collection, reuse and on-site services, cooperatives in manufacturing); the industrial "
        "shares (collection + manufacturing) are set so that a France build holds ~1,400 ESS "
        "structures and ~43,000 jobs in industry, two thirds cooperative (seed)",
    )


def _form(**kw) -> FormParams:
    return FormParams(**kw)


def default_forms() -> dict[str, FormParams]:
    """Per-form defaults; each field's source note in ``FormParams`` covers every form."""
    return {
        "EI": _form(per_100k_inhabitants=1.76, permanent_staff=9, insertion_staff=16,
                    fte_per_insertion_head=0.9, path_months=11, exit_employment=0.41,
                    exit_durable=0.24, aid_per_fte_yr=12459, target_margin=0.02,
                    finance_form_factor="firm", outside_equity=True,
                    sector_mix=[0.30, 0.15, 0.52, 0.03]),
        "ACI": _form(per_100k_inhabitants=3.39, permanent_staff=5, insertion_staff=28,
                     fte_per_insertion_head=0.5, path_months=12, exit_employment=0.33,
                     exit_durable=0.19, aid_per_fte_yr=23921, target_margin=0.01,
                     finance_form_factor="association", outside_equity=False,
                     sector_mix=[0.01, 0.50, 0.49, 0.0]),
        "AI": _form(per_100k_inhabitants=1.05, permanent_staff=4, insertion_staff=62,
                    fte_per_insertion_head=0.33, path_months=10, exit_employment=0.53,
                    exit_durable=0.21, aid_per_fte_yr=1619, target_margin=0.02,
                    insertion_on_site=False, finance_form_factor="association",
                    outside_equity=False, sector_mix=[0.0, 0.0, 1.0, 0.0]),
        "ETTI": _form(per_100k_inhabitants=0.59, permanent_staff=6, insertion_staff=46,
                      fte_per_insertion_head=0.75, path_months=6, exit_employment=0.53,
                      exit_durable=0.21, aid_per_fte_yr=4781, target_margin=0.02,
                      insertion_on_site=False, finance_form_factor="firm", outside_equity=True,
                      sector_mix=[0.0, 0.0, 1.0, 0.0]),
        "EA": _form(per_100k_inhabitants=1.12, permanent_staff=10, adapted_staff=50,
                    aid_per_fte_yr=18500, target_margin=0.02, finance_form_factor="firm",
                    outside_equity=True, sector_mix=[0.03, 0.0, 0.92, 0.05]),
        "SCOP": _form(per_100k_inhabitants=1.6, permanent_staff=31, target_margin=0.04,
                      pay_flexibility=0.15, finance_form_factor="cooperative",
                      outside_equity=False, sector_mix=[0.05, 0.0, 0.25, 0.70]),
        "SCIC": _form(per_100k_inhabitants=0.3, permanent_staff=25, target_margin=0.03,
                      pay_flexibility=0.1, finance_form_factor="cooperative",
                      outside_equity=True, sector_mix=[0.25, 0.35, 0.10, 0.30]),
        "ASSOCIATION": _form(per_100k_inhabitants=0.7, permanent_staff=10, target_margin=0.01,
                             finance_form_factor="association", outside_equity=False,
                             sector_mix=[0.05, 0.75, 0.20, 0.0]),
    }


def _position(group: str) -> float:
    return param(
        0.0, unit="-1 low .. +1 high", low=-1.0, high=1.0, plausible=(-1.0, 1.0),
        source=f"where the {group} multipliers sit in the range the regional table states "
        "(docs/regional_calibration.md: an observed figure +- its uncertainty, a fallback over "
        "the observed multipliers): 0 the table's value; for the sensitivity analysis",
    )


@dataclass
class RegionalPosition:
    """Moves every regional multiplier of a group within its stated range (one factor per
    group, all regions together), so that the regional figures' uncertainty, fallbacks
    included, enters the sensitivity analysis."""

    insertion: float = _position("insertion structure")
    adapted: float = _position("adapted enterprise")
    cooperative: float = _position("cooperative")
    association: float = _position("association")
    industry: float = _position("industrial firm")
    insertion_size: float = _position("insertion employees per structure")


@dataclass
class PopulationParams:
    """How many agents a territory holds at the start (see docs/ODD.md, initialisation)."""

    forms: dict[str, FormParams] = field(default_factory=default_forms)
    regional_calibration: bool = param(
        True, unit="bool",
        source="regional counts of insertion structures, cooperatives and adapted enterprises and "
        "Insee's industry share of salaried jobs by region (sim/territories/data/, "
        "docs/regional_calibration.md): each form's density and the firms per inhabitant are "
        "multiplied by their region's (or département's) factor; false: one national density",
    )
    regional_position: RegionalPosition = field(default_factory=RegionalPosition)
    industrial_firms_per_100k: float = param(
        47.0, unit="firms/100k inh", low=0.0, high=1000.0,
        source="Insee Ésane: ~30,000 manufacturing firms with 10+ employees (~44 per 100k "
        "inhabitants); 47 before the basin and metropolis multipliers, which average 0.94 over "
        "France, so that a France build holds ~29,300 firms",
    )
    industrial_jobs_per_firm: float = param(
        112.0, unit="jobs/firm", low=1.0, high=10000.0,
        source="seed: 43,000 ESS jobs are 1.3% of industrial jobs, so ~3.3 M (Insee: ~3.1-3.2 M "
        "salaried jobs in industry incl. energy, water and waste); 3.3 M / 29,300 firms ≈ 112 "
        "(smaller firms' jobs counted with them). Preferred to Ésane's ~2.8 M in manufacturing "
        "firms of 10+ employees because the 1.3% fact uses the wider denominator",
    )
    basin_industry_multiplier: float = param(
        1.6, unit="multiplier", low=0.0, high=10.0, plausible=(1.2, 2.5),
        assumption="industrial firms per inhabitant in old industrial basins relative to average",
    )
    metropolis_industry_multiplier: float = param(
        0.7, unit="multiplier", low=0.0, high=10.0, plausible=(0.5, 1.0),
        assumption="industrial firms per inhabitant in metropolises relative to average",
    )
    m2_per_job: float = param(
        40.0, unit="m²/job", low=1.0, high=1000.0, plausible=(25.0, 60.0),
        assumption="activity floor space per ESS job (workshops, sorting, storage)",
    )
    incumbent_age_months: int = param(
        60, unit="months", low=0, high=600, plausible=(36, 120),
        assumption="age of the structures present at start (older than a young firm for the "
        "banks' screening)",
    )
    settling_months: int = param(
        0, unit="months", low=0, high=240, plausible=(24, 48),
        assumption="months the economy runs before month 0, unreported, each failed structure "
        "replaced in place by a new one (sim/warmup.py); 36 is the settled start: month 0 then "
        "holds the young, indebted, in-arrears and refused structures the failure process keeps "
        "in steady state, and the public contracts awarded in those months. Opt-in, because tie "
        "orders grow from month 0 (x3 in ten years) and only the unsettled start's early decline "
        "of public contracts hides it: ARA, every trend at zero, 8 seeds, ten years, with 36: "
        "permanent jobs +5.5% [+4.5; +6.6] (outside the +-5% band), insertion -2.4%, adapted "
        "-0.8%, enterprises -0.3%, and two checks fail (new cooperatives' 5-year survival 0.69, "
        "scale-ups with brake 5 lifted -1.5 [-2.8; -0.2]); with 0: permanent +3.5% [+1.8; "
        "+5.2], insertion -4.0% [-5.5; -2.4], adapted -1.5%, enterprises -1.1%, every check "
        "passes, but enterprises rise ~+5% by month 25 before falling back (failures begin "
        "only after a delay)",
    )
    firm_jobs_log_sd: float = param(
        1.0, unit="s.d. of log jobs", low=0.0, high=3.0, plausible=(0.7, 1.4),
        assumption="dispersion of industrial firms' sizes around industrial_jobs_per_firm "
        "(log-normal)",
    )
    basin_brownfield_multiplier: float = param(
        3.0, unit="multiplier", low=0.0, high=20.0, plausible=(1.5, 5.0),
        assumption="brownfield floor per inhabitant in old industrial basins relative to "
        "elsewhere",
    )
    consumer_facing_reuse: float = param(
        1.0, unit="weight", low=0.0, high=1.0, plausible=(0.7, 1.0),
        assumption="weight of households in the residual demand of reuse and reconditioning "
        "(shops selling second-hand goods)",
    )
    consumer_facing_manufacturing: float = param(
        0.5, unit="weight", low=0.0, high=1.0, plausible=(0.2, 0.8),
        assumption="weight of households in the residual demand of ESS manufacturing (the "
        "other sectors sell to businesses only)",
    )


@dataclass
class EconomyParams:
    """Monthly economics of an ESS enterprise and the markets it sells in."""

    sales_per_fte_month: float = param(
        6000.0, unit="€/FTE/month", low=0.0, high=100000.0,
        source="CG Scop 2023: 9.4 Md€ for 84,294 jobs (~111 k€ a job a year); ESS outside "
        "cooperatives assumed lower: 72 k€ a year per full-time equivalent. A unit only: each "
        "enterprise's productivity is calibrated on it (sim/agents/ess.py), so margins do not move",
    )
    insertion_productivity: float = param(
        0.7, unit="multiplier", low=0.0, high=2.0, plausible=(0.6, 0.8),
        source="Dares Analyses 2019-005: insertion labour productivity 20-40% lower",
    )
    adapted_productivity: float = param(
        0.75, unit="multiplier", low=0.0, high=2.0, plausible=(0.6, 0.9),
        assumption="disabled workers' productivity in adapted enterprises",
    )
    wage_permanent_month: float = param(
        3300.0, unit="€/month", low=0.0, high=50000.0,
        source="Insee: average employer cost of an ESS employee (~2,300 € net a month)",
    )
    wage_insertion_month: float = param(
        2000.0, unit="€/FTE/month", low=0.0, high=50000.0,
        source="SMIC 2024 employer cost after general reductions (~2,000 €)",
    )
    materials_share: float = param(
        0.45, unit="share of sales", low=0.0, high=0.95, plausible=(0.35, 0.6),
        assumption="purchases of materials and services",
    )
    utilisation_at_start: float = param(
        0.92, unit="share", low=0.1, high=1.0, plausible=(0.85, 0.98),
        assumption="initial demand as a share of capacity (markets calibrated so the start is "
        "near equilibrium)",
    )
    consumer_share_of_residual: float = param(
        0.4, unit="share", low=0.0, high=1.0, plausible=(0.25, 0.6),
        assumption="households' share of ESS demand not covered by tenders and industry ties",
    )
    price_elasticity: float = param(
        1.2, unit="-", low=0.0, high=5.0, plausible=(0.5, 2.0),
        assumption="price elasticity of household demand for ESS goods",
    )
    vat_standard: float = param(0.20, unit="rate", low=0.0, high=1.0,
                                source="Code général des impôts art. 278: 20%")
    cash_months_at_start: float = param(
        3.0, unit="months of wage costs", low=0.0, high=24.0, plausible=(1.0, 6.0),
        assumption="founders' equity of a structure at creation (incumbents start with the "
        "settled cash_reserve_months instead, so that month 0 is not a burn-in)",
    )
    sales_volatility: float = param(
        0.35, unit="s.d. of log monthly sales", low=0.0, high=2.0, plausible=(0.15, 0.5),
        assumption="month-to-month dispersion of private sales cashed around what was served "
        "(lumpy orders, seasonality, late payers); with the cash buffer it sets how often "
        "structures run short (France Active 2013: 40% short of cash several times a year)",
    )
    entrant_margin_sd: float = param(
        0.12, unit="share of sales", low=0.0, high=1.0, plausible=(0.06, 0.18),
        assumption="dispersion of an entrant's margin around its form's target (it learns its "
        "true costs once it operates; incumbents, the survivors, keep 0.02): sets how many "
        "young structures fail (Insee: 61% of firms created in 2014 alive after 5 years)",
    )
    newness_half_life_months: float = param(
        24.0, unit="months", low=0.0, high=600.0, plausible=(12.0, 60.0),
        assumption="half-life of the gap between an entrant's drawn productivity "
        "(entrant_margin_sd) and its form's productivity at the target margin "
        "(ess.mature_productivity): the liability of newness (Stinchcombe 1965; Brüderl & "
        "Schüssler 1990, ASQ 35: young organisations' fate is open while they learn their "
        "costs, their routines and clients; the hazard falls as they age) fades as the "
        "structure learns, so selection acts on the young and the survivors converge to the "
        "incumbents (margin_dispersion around the target). The value is an assumption "
        "(about the first two to three years, as hazards peak then fall in Brüderl & "
        "Schüssler). 0: an entrant keeps its drawn productivity for life, so the lucky "
        "draws never leave and productivity ratchets up (issue 13, ARA, zero trends, 20 "
        "seeds, month 119 over 0: associations' jobs -10.9% [-15.0; -6.8] while their "
        "structures hold)",
    )
    cash_reserve_months: float = param(
        0.25, unit="months of wage costs", low=0.0, high=24.0, plausible=(0.1, 1.0),
        assumption="cash a debt-free structure keeps at year end; the surplus is paid out or "
        "spent on projects (sets, with sales_volatility, how often structures run short); "
        "incumbents hold it at start, as settled structures do",
    )
    growth_trigger: float = param(
        1.0, unit="demand/capacity", low=0.5, high=3.0, plausible=(0.95, 1.1),
        assumption="demand-to-capacity ratio above which an enterprise tries to grow",
    )
    growth_step: float = param(
        0.15, unit="share of staff", low=0.0, high=2.0, plausible=(0.05, 0.3),
        assumption="size of one expansion",
    )
    fitout_eur_per_m2: float = param(
        400.0, unit="€/m²", low=0.0, high=10000.0, plausible=(200.0, 800.0),
        assumption="fit-out and equipment cost of new workshop space",
    )
    entry_rate_per_100k_yr: float = param(
        1.3, unit="entries/100k inh/yr", low=0.0, high=100.0, plausible=(0.8, 2.0),
        assumption="attempted creations of ESS structures in scope (about half find premises); "
        "set so the number of structures stays about stable over the run, as ESS employer "
        "counts did (~163 k in 2015, ~155 k in 2019, Atlas de l'ESS)",
    )
    entry_demand_elasticity: float = param(
        3.0, unit="-", low=0.0, high=20.0, plausible=(1.0, 6.0),
        assumption="elasticity of attempted creations to the demand-to-capacity ratio of a "
        "territory's structures (relative to month 0): founders enter where incumbents are "
        "short of capacity and shun crowded markets, which gives the number of structures a "
        "stable level (0: entry ignores the market)",
    )
    entry_intensity_cap: float = param(
        3.0, unit="multiple of the base rate", low=1.0, high=100.0, plausible=(2.0, 5.0),
        assumption="most attempted creations unmet demand draws, relative to entry_rate_per_"
        "100k_yr (a territory's pool of would-be founders is limited)",
    )
    entry_by_form: bool = param(
        False, unit="bool",
        assumption="founders' legal forms also follow entry_intensity's rule form by form (the "
        "demand per structure of each form in the territory over its month-0 level, raised to "
        "entry_demand_elasticity, at most entry_intensity_cap: ess.form_entry_intensity); off, "
        "by the forms' densities (times their exit hazards with founders_follow_turnover) "
        "alone. Opt-in. Measured before founders_follow_turnover existed (ARA, zero trends, 4 "
        "seeds, month 119 over 0): "
        "off, ACI structures -36% and SCOP +44% (associations are refused cash and fail more: "
        "lifting brake 3 gives ACI -4%), collectors (collection and reuse, half ACI) -18.4%; "
        "on, ACI -20%, SCOP +29%, collectors -14.0%, collectors' jobs -8.6% (off -7.0%): it "
        "narrows the drift of the mix of forms without closing it (ACI founders are capped and "
        "most find no premises), and new cooperatives' 5-year survival falls to 0.69 (validation "
        "band 0.70-0.88)",
    )
    founders_follow_turnover: bool = param(
        True, unit="bool",
        source="organisational ecology: founding rates of each organisational population "
        "respond to its own exits and density (Hannan & Freeman 1989, Organizational Ecology; "
        "Carroll & Hannan 2000); in steady state each form's creations match its closures "
        "(CG Scop 2020: 200 created, 93 disappeared of 3,611 cooperatives, a growing form; "
        "Dares: the number of SIAE about flat, ~3,800-4,500, while ACI close and open). "
        "Founders' legal forms follow the territory's density by form times each "
        "form's recent exit hazard (ess.founders_form_weights): a structure that closes "
        "leaves a niche of its kind (clients, funded posts, local funders) that a project of "
        "the same kind takes up. Off (density alone), with every trend at zero, the forms "
        "that fail more lose ground to those that fail less (ARA, 4 seeds, month 119 over 0: "
        "ACI structures -37%, SCOP +50%, SCIC +58%) while the number of structures holds",
    )
    turnover_half_life_months: float = param(
        24.0, unit="months", low=1.0, high=240.0, plausible=(12.0, 60.0),
        assumption="half-life of the exponentially weighted closures and structure-months "
        "by form that founders_follow_turnover reads (a form's hazard is known from the past "
        "few years' closures, settling months included)",
    )
    turnover_prior_months: float = param(
        0.0, unit="months", low=0.0, high=240.0, plausible=(6.0, 36.0),
        assumption="months of the initial stock's exposure, at one hazard for every form (the "
        "base rate of attempted creations per structure), that the closures by form start "
        "from (world._turnover_prior): founders begin at the forms' densities and follow the "
        "observed closures as this prior fades. About the first year of an unsettled start, "
        "when failures have not yet reached their pace (ARA, zero trends: ~6 failures by "
        "month 11, ~50 a year later) while cooperatives close voluntarily from month 0. "
        "Without a prior, founders of the first months are nearly all cooperatives (SCOP "
        "structures +22% in the first year). Measured (ARA, zero trends, 8 seeds, month 119 "
        "over 0; structures ACI / AI / SCOP / SCIC, jobs SCIC / associations): 6 months: "
        "-9.0 / -3.6 / +5.9 / +4.0%, -2.8 / -10.9%; 12: -8.0 / -8.8 / +8.2 / +5.5%, "
        "-10.3 / -6.3%; 24: -11.1 / -9.5 / +9.6 / +10.2%, -6.4 / -10.5%; 34.6 (one "
        "half-life's memory): -10.4 / -7.5 / +9.7 / +15.7%, +0.7 / -9.7%. A settled start "
        "(settling_months) inherits a hazard by form instead. 0 by default, as closures "
        "other than failure are opt-in (voluntary_closure_yr): failures alone need no prior",
    )
    shrink_trigger: float = param(
        0.75, unit="demand/capacity", low=0.0, high=1.0, plausible=(0.6, 0.85),
        assumption="demand-to-capacity ratio below which an enterprise sheds staff",
    )
    funded_posts_growth_yr: float = param(
        0.01, unit="1/yr", low=-0.5, high=0.5, plausible=(0.0, 0.03),
        source="Dares: insertion stock ~130-145 k, roughly flat; State IAE budget stable in "
        "real terms (PLF 2024-25)",
    )
    insertion_envelope_fungibility: float = param(
        0.0, unit="share of a form's envelope", low=0.0, high=1.0, plausible=(0.0, 0.2),
        assumption="share of an insertion form's unused funded posts the State may move to "
        "another form within the year: the aide au poste is budgeted by form (PLF 2020: ACI "
        "32,000 FTE, AI 17,500, EI 16,000, ETTI 13,000, EITI 500) and prefects have some "
        "fongibilite (Assemblee nationale, PLF 2019 debate), of unpublished size (0: none)",
    )
    failure_cash_months: float = param(
        6.0, unit="months", low=1.0, high=36.0, plausible=(3.0, 12.0),
        assumption="months of refused credit, without paying its suppliers back, before an "
        "enterprise fails (cessation des paiements)",
    )
    voluntary_closure_min_age_months: int = param(
        60, unit="months", low=0, high=600,
        source="the age from which a structure may close for reasons other than failure at its "
        "form's voluntary_closure_yr: the 5 years of the survival figures (CG Scop 2023: 79% "
        "of cooperatives alive after 5 years; Insee: 61% of firms) from which that rate is "
        "derived, whose young closures are counted as failures",
    )
    growth_cooldown_months: int = param(
        6, unit="months", low=1, high=60, plausible=(3, 12),
        assumption="months between two changes of an enterprise's size (hiring takes time; a "
        "cut is not reversed at once)",
    )
    equipment_eur_per_job: float = param(
        2000.0, unit="€/job", low=0.0, high=1e6, plausible=(1000.0, 5000.0),
        assumption="tools and equipment bought with each job an expansion adds (beside fit-out)",
    )
    investment_loan_months: int = param(
        60, unit="months", low=1, high=360, plausible=(36, 84),
        assumption="duration of an investment loan (equipment and fit-out, 3-7 years)",
    )
    pressure_smoothing: float = param(
        0.3, unit="weight of the month", low=0.0, high=1.0, plausible=(0.15, 0.5),
        assumption="weight of this month's demand/capacity in the smoothed pressure growth and "
        "shrinkage read (a few months of order book)",
    )
    result_smoothing: float = param(
        1 / 6, unit="weight of the month", low=0.0, high=1.0, plausible=(0.08, 0.33),
        assumption="weight of this month's result in the trend by which an enterprise is judged "
        "loss-making (~a half-year of accounts)",
    )
    entrant_size_share: float = param(
        0.5, unit="share of the form's mean staff", low=0.0, high=2.0, plausible=(0.3, 0.8),
        assumption="staff of an entrant relative to its form's mean (structures start small)",
    )
    margin_dispersion: float = param(
        0.02, unit="share of sales", low=0.0, high=1.0, plausible=(0.01, 0.05),
        assumption="s.d. of incumbents' margins around their form's target at start (survivors "
        "of past selection; entrants draw entrant_margin_sd)",
    )


@dataclass
class ProcurementParams:
    # The lots' volume is the spend of the buyers the model draws each lot's buyer among
    # (``buyer_share_*`` below, same OECP 2023 table): the State with hospitals and the local
    # authorities, 51,112 + 73,385 = 124,497 M€ in 2023, i.e. ~1,830 €/inh/yr for 68.0 M
    # inhabitants (Insee, 1 Jan 2023); ~10% of it in the sectors ESS serve, scaled to each
    # territory by its population (``sim.world``). Until session 11 it was the local public
    # sector's alone (OECP 2022, 66 Md€, ~970 €/inh/yr: 8 €/inh/month), of which the buyer
    # draw then gave the State 41%. OECP 2022 for the same buyers: State and hospitals 43.1 +
    # local 66 = 109.1 Md€, i.e. 13.4 €/inh/month (calibration E).
    spend_per_capita_month: float = param(
        15.3, unit="€/inh/month", low=0.0, high=1000.0, plausible=(8.0, 20.0),
        source="OECP, recensement économique de la commande publique 2023 (contracts >= 90 k€, "
        "table by buyer type; not checked against the primary PDF): State and hospitals "
        "51,112 M€ + local authorities 73,385 M€ = 124.5 Md€, ~1,830 €/inh/yr (Insee "
        "population 68.0 M, 1 Jan 2023); ~10% in sectors ESS serve (waste, reuse, cleaning, "
        "small manufacturing)",
    )
    lot_size_eur: float = param(
        150000.0, unit="€", low=1000.0, high=1e8, plausible=(90000.0, 400000.0),
        assumption="size of a lot ESS bid for: OECP counts contracts ≥ 90 k€, averaging 680 k€ "
        "(160.3 Md€ / 235,600 in 2022) because of large works contracts",
    )
    initial_share_of_demand: float = param(
        0.1, unit="share", low=0.0, high=1.0, plausible=(0.05, 0.2),
        assumption="share of ESS demand from public contracts at start (Sénat r14-409: ESAT and "
        "EA depend mainly on public orders in 4% of cases, on private orders in 70%)",
    )
    contract_months: float = param(
        24.0, unit="months", low=1.0, high=120.0, plausible=(12.0, 48.0),
        assumption="duration of a contract (framework agreements run at most 4 years, Code de la "
        "commande publique L2125-1)",
    )
    social_clause_share: float = param(
        0.2, unit="share of lots", low=0.0, high=1.0,
        source="OECP: 22.3% (2022), 18.7% (2023) of contracts with a social clause",
    )
    social_clause_weight: float = param(
        0.15, unit="score weight", low=0.0, high=1.0, plausible=(0.05, 0.3),
        assumption="weight of the social criterion when a clause applies",
    )
    price_weight: float = param(0.6, unit="score weight", low=0.0, high=1.0,
                                plausible=(0.4, 0.8),
                                assumption="weight of price in award scoring")
    score_noise: float = param(0.1, unit="score", low=0.0, high=2.0, plausible=(0.05, 0.2),
                               assumption="quality dispersion between bids")
    public_work_cap: float = param(
        0.5, unit="share of capacity", low=0.0, high=1.0, plausible=(0.3, 0.8),
        assumption="an enterprise bids while its public contracts stay under this share of its "
        "capacity (it grows to deliver)",
    )
    joint_bid_members: int = param(
        3, unit="structures", low=1, high=10, plausible=(2, 4),
        assumption="structures pooling their headroom in a joint bid (seed: Est Ensemble's GME "
        "of four structures)",
    )
    # Who tenders each lot, i.e. who pays its contract (ledger) and, when the lot is reserved,
    # its premium (``sim.policies.reserved_markets``): shares of procurement spend by buyer
    # (weights, normalised to their sum). OECP, recensement économique de la commande publique
    # 2023 (contracts >= 90 k€ HT notified in 2023; table "répartition des contrats et montants
    # par type d'acheteur"): State and hospital sector 19,545 contracts, 51,112 M€; local
    # authorities 194,993 contracts, 73,385 M€; other buyers (network operators, public
    # enterprises: no account in the model, left out) 29,193 contracts, 46,161 M€; total
    # 243,731 contracts, 170,658 M€. So State 41.1%, local authorities 58.9% of the State's
    # and local authorities' 124,497 M€. Within local authorities, Intercommunalités de France /
    # Banque des Territoires, baromètre de la commande publique 2023 (published 1 Oct 2024):
    # communes and intercommunalities 72%, Regions 3%, départements the remaining 25%.
    # Not checked against the primary documents (neither is in ../shared/calibration, which
    # has OECP 2022 only: State and hospitals 43.1 Md€, local public sector 66 Md€, i.e. State
    # 39.5%): the figures above are the OECP table as reproduced by daco-solutions
    # ("Chiffres_recensement_2023.pdf"), whose total matches the OECP's own announcement (171 Md€,
    # 243,700 contracts), and the baromètre as reported by weka.fr and esteval.fr (Oct 2024).
    # Also reported (same figures): commandepublique-grandest.fr (243,731 contracts, local
    # authorities 194,993). The lot volume (``spend_per_capita_month``) is the spend of these
    # same buyers in the same table, so each buyer's share of the lots is its share of spend.
    buyer_share_state: float = param(
        0.411, unit="share of spend", low=0.0, high=1.0,
        source="OECP, recensement économique de la commande publique 2023, table by buyer type: "
        "State and hospital sector 51,112 of the 124,497 M€ bought by the State, hospitals and "
        "local authorities (contracts >= 90 k€); hospitals booked with the State",
    )
    buyer_share_regions: float = param(
        0.018, unit="share of spend", low=0.0, high=1.0,
        source="OECP 2023: local authorities 73,385 of 124,497 M€ (58.9%); Regions 3% of local "
        "authorities' purchases (Intercommunalités de France / Banque des Territoires, "
        "baromètre de la commande publique 2023, Oct 2024)",
    )
    buyer_share_departements: float = param(
        0.147, unit="share of spend", low=0.0, high=1.0,
        source="OECP 2023: local authorities 58.9%; départements the 25% of local purchases "
        "neither the communal bloc (72%) nor the Regions (3%) make (baromètre 2023)",
    )
    buyer_share_communes: float = param(
        0.424, unit="share of spend", low=0.0, high=1.0,
        source="OECP 2023: local authorities 58.9%; communes and intercommunalities 72% of "
        "local purchases (baromètre de la commande publique 2023)",
    )

    def buyers(self) -> tuple[list[int], np.ndarray]:
        """The buyers (ledger sectors, ``sim.ledger.Sector``) and the probability that one of
        them tenders a lot (the shares normalised to their sum)."""
        payers = [int(Sector.STATE), int(Sector.REGIONS), int(Sector.DEPARTEMENTS),
                  int(Sector.INTERCOMMUNALITIES)]
        weights = np.array([self.buyer_share_state, self.buyer_share_regions,
                            self.buyer_share_departements, self.buyer_share_communes])
        return payers, weights / weights.sum()


@dataclass
class IndustryParams:
    host_floor_m2_per_job: float = param(
        2.0, unit="m²/industrial job", low=0.0, high=1000.0, plausible=(0.5, 5.0),
        assumption="floor industrial firms could lend an ESS implant (a workshop inside the "
        "plant): ~5% of the ~40 m² of industrial floor per job left idle; each host lends "
        "only its own (a firm needs implant_floor_m2 of it), from the ledger's host stock",
    )
    implant_floor_m2: float = param(
        150.0, unit="m² per implant", low=0.0, high=1e5, plausible=(50.0, 500.0),
        assumption="floor of the host's plant an ESS team works on in an implant (a workshop or "
        "a line's bay)",
    )
    implant_equipment_eur: float = param(
        250_000.0, unit="€ per implant", low=0.0, high=1e8, plausible=(50_000.0, 1_000_000.0),
        assumption="host's equipment an implant team runs (the study: machines 'qui restent à la "
        "propriété des industries conventionnelles'); adds no output without the ESS team, "
        "and its depreciation stays the host's (not in the implant's charge)",
    )
    implant_charge_share: float = param(
        0.5, unit="share", low=0.0, high=1.0, plausible=(0.0, 1.0),
        assumption="share of the floor's market rent the host recovers in the implant contract "
        "(paid monthly, like a rent, to industry)",
    )
    purchases_per_job_month: float = param(
        6000.0, unit="€/job/month", low=0.0, high=1e6, plausible=(3000.0, 12000.0),
        assumption="purchases an industrial firm could source from the ESS (services, waste, "
        "packaging, subcontracting): ~20% of its intermediate consumption (Insee: industry "
        "1,255 Md€ of sales, 325 Md€ of value added for 2.6 M FTE, ~30 k€ a job a month)",
    )
    need_share_collection_recycling: float = param(
        0.2, unit="share of ESS-suppliable purchases", low=0.0, high=1.0, plausible=(0.1, 0.3),
        assumption="waste collection and recycling services in what industry could buy from "
        "ESS sectors (the four need shares sum to 1)",
    )
    need_share_reuse_reconditioning: float = param(
        0.15, unit="share of ESS-suppliable purchases", low=0.0, high=1.0, plausible=(0.05, 0.25),
        assumption="reconditioned equipment, pallets, packaging, IT in the same purchases",
    )
    need_share_subcontracting_services: float = param(
        0.45, unit="share of ESS-suppliable purchases", low=0.0, high=1.0, plausible=(0.3, 0.6),
        assumption="subcontracting and on-site services (packing, assembly, cleaning, logistics, "
        "green spaces): the bulk of ESAT/EA/EI sales to industry",
    )
    need_share_manufacturing: float = param(
        0.2, unit="share of ESS-suppliable purchases", low=0.0, high=1.0, plausible=(0.1, 0.3),
        assumption="parts and components made to order in the same purchases",
    )
    ess_sourcing_share: float = param(
        0.09, unit="share of a sector's need", low=0.0, high=1.0, plausible=(0.05, 0.25),
        assumption="share of its need in an ESS sector a buyer sources from the trusted ESS "
        "suppliers it knows there; calibrated so that month-0 ESS deliveries to industry stay "
        "those of the former rule (3% of all purchases once a firm knows one supplier): ARA, "
        "10 seeds, 2.65 vs 2.67 M€/month delivered, 3.20 vs 3.03 M€/month ordered",
    )
    ess_price_elasticity: float = param(
        1.0, unit="elasticity", low=0.0, high=5.0, plausible=(0.5, 2.0),
        assumption="response of a buyer's ESS orders to the ESS unit-cost premium (brake 2); "
        "the observed premium is the calibration point",
    )
    csr_propensity_mean: float = param(
        0.3, unit="share of firms", low=0.0, high=1.0, plausible=(0.15, 0.5),
        assumption="share of firms willing to buy from the ESS when they know a supplier",
    )
    hard_to_fill_rate_month: float = param(
        0.004, unit="vacancies/job/month", low=0.0, high=1.0,
        source="OPCO 2i 2023: 76,000 open posts for ~3 M industrial jobs; a stock of 2.5% of "
        "jobs with a ~6-month mean duration gives ~0.4% a month",
    )
    regional_aid_share_yr: float = param(
        0.08, unit="share of firms/yr", low=0.0, high=1.0, plausible=(0.04, 0.15),
        assumption="share of industrial firms (10+ employees) aided by their Region in a year "
        "(Nouvelle-Aquitaine 2022: > 2,600 firms of all sectors aided, for ~2,800 industrial "
        "firms of 10+ employees in the region)",
    )
    regional_aid_mean_eur: float = param(
        60000.0, unit="€", low=0.0, high=1e8,
        source="Nouvelle-Aquitaine 2023: 6% of aided firms above the 150 k€ threshold hold 78% of "
        "the amounts; a log-normal with s.d. 2.3 and mean 60 k€ gives both. Preferred to the "
        "mean of 1.37 Md€ / 2,600 firms (~530 k€), which a few very large grants inflate, "
        "because the model uses amounts to tell which files a conditionality threshold binds "
        "(the baseline's regional aid total is therefore low)",
    )
    regional_aid_log_sd: float = param(
        2.3, unit="s.d. of log €", low=0.0, high=5.0,
        source="same: the dispersion that puts 6% of files and 78% of amounts above 150 k€",
    )
    acquisition_rate_yr: float = param(
        0.002, unit="1/yr", low=0.0, high=1.0, plausible=(0.0, 0.01),
        assumption="chance a tied firm acquires its ESS supplier in a year (seed: La Poste / "
        "Nouvelle Attitude)",
    )
    acquisition_min_trust: float = param(
        0.6, unit="trust", low=0.0, high=1.0, plausible=(0.4, 0.8),
        assumption="trust a firm needs in its ESS supplier before it considers buying it",
    )
    vacancy_months: float = param(
        6.0, unit="months", low=1.0, high=60.0,
        source="OPCO 2i 2023: hard-to-fill posts stay open ~6 months (the duration behind "
        "hard_to_fill_rate_month)",
    )


@dataclass
class LabourParams:
    """The insertion leavers' labour market (markets/labour.py): industrial hard-to-fill
    vacancies and the rest of the local market, matched with frictions."""

    industrial_trade_share_by_sector: list[float] = param(
        [0.5, 0.3, 0.2, 0.7], unit="shares of " + ", ".join(SECTORS), low=0.0, high=1.0,
        plausible_scale=(0.5, 1.5),
        assumption="share of a structure's leavers trained in a trade an industrial hard-to-fill "
        "vacancy asks (sorting, handling, dismantling, machining, logistics), by the structure's "
        "sector; the skill gap (brake 5) then removes those lacking the level asked",
    )
    industrial_matching_efficiency: float = param(
        0.02, unit="share of vacancies", low=0.0, high=1.0, plausible=(0.01, 0.05),
        assumption="share of industrial hard-to-fill vacancies whose employer knows and would "
        "hire an insertion graduate during its six-month search; set so that about a fifth of "
        "leavers in employment go to industry (industry and construction ~20% of IAE leavers' "
        "jobs, an assumption in the absence of a Dares breakdown by sector)",
    )
    other_matching_efficiency: float = param(
        0.5, unit="share of vacancies", low=0.01, high=1.0, plausible=(0.3, 0.8),
        assumption="share of the other employers' vacancies open to insertion leavers that "
        "reach one in the month; with it the pool is sized at month 0 to give the Dares exit "
        "rates (a smaller share means a larger pool, so the cap by vacancies binds less)",
    )
    leaver_share_of_jobseekers: float = param(
        0.07, unit="share", low=0.001, high=1.0, plausible=(0.03, 0.15),
        assumption="insertion leavers' share of the jobseekers competing for the vacancies open "
        "to them: ~85,000 leavers searching at a time (170,000 a year, Dares 2021, over six "
        "months) among ~1.2 M category-A jobseekers below the baccalauréat (France Travail)",
    )
    durable_industrial_share: float = param(
        0.6, unit="share of hires", low=0.0, high=1.0, plausible=(0.4, 0.8),
        assumption="share of industrial hard-to-fill posts filled by a graduate that are CDI or "
        "CDD >= 6 months (hard-to-fill posts are mostly permanent; Dares: at least a quarter of "
        "all leavers' jobs are CDI); other jobs' durable share is calibrated per form so the "
        "baseline gives the Dares durable rates",
    )
    tie_hiring_bonus: float = param(
        0.5, unit="relative search weight", low=0.0, high=5.0, plausible=(0.2, 1.0),
        assumption="extra weight of a graduate whose structure already works with industry "
        "(employers know it)",
    )


@dataclass
class ScaleUpParams:
    industrial_fte: float = param(
        50.0, unit="FTE", low=1.0, high=10000.0, plausible=(50.0, 250.0),
        source="industrial scale = beyond the EU small-enterprise ceiling: fewer than 50 staff "
        "in annual work units (Commission Recommendation 2003/361/EC, art. 2)")
    industrial_sales_eur_yr: float = param(
        10e6, unit="€/yr", low=1e5, high=1e10, plausible=(10e6, 50e6),
        source="industrial scale by revenue = beyond the EU small-enterprise turnover ceiling "
        "of 10 M€ (Commission Recommendation 2003/361/EC, art. 2)")
    regional_sites: int = param(3, unit="territories", low=2, high=100, plausible=(2, 5),
                                assumption="territories of its region with a site for a "
                                "'significant regional footprint' (seed, introduction)")
    regional_sector_share: float = param(
        0.25, unit="share of FTE", low=0.0, high=1.0, plausible=(0.15, 0.5),
        assumption="share of its region's ESS FTE in its sector that is also a significant "
        "regional footprint (a regional leader on one site)")
    swarming_regions: int = param(2, unit="regions", low=2, high=18, plausible=(2, 3),
                                  assumption="regions with sites for 'essaimer au niveau national'")
    site_opening_rate_month: float = param(
        0.2, unit="1/month", low=0.0, high=1.0, plausible=(0.05, 0.4),
        assumption="chance a month that a large enterprise with a reason to open a site "
        "(blocked by premises, or beyond its sites' catchment) looks for one",
    )
    site_catchment_fte: float = param(
        40.0, unit="FTE per site", low=1.0, high=10000.0, plausible=(25.0, 80.0),
        assumption="FTE one site's catchment supports: beyond it, clients further away are "
        "reached by opening a site elsewhere rather than growing at home",
    )
    min_staff_for_new_site: int = param(40, unit="persons", low=1, high=10000,
                                        plausible=(20, 60),
                                        assumption="size before an enterprise opens a site")
    new_site_jobs: int = param(10, unit="persons", low=1, high=1000, plausible=(5, 20),
                               assumption="staff of a newly opened site")
    foreign_region_share: float = param(0.15, unit="share", low=0.0, high=1.0,
                                        plausible=(0.05, 0.3),
                                        assumption="share of new sites opened in another region")
    site_wait_months: int = param(2, unit="months", low=0, high=60, plausible=(1, 6),
                                  assumption="months blocked by premises before an enterprise "
                                  "looks for a second site")
    relocation_wait_months: int = param(
        6, unit="months", low=1, high=120, plausible=(3, 12),
        assumption="months blocked by premises in a tense territory before an enterprise "
        "considers moving (brake 4's last resort)")
    relocation_min_tension: float = param(
        1.5, unit="tension", low=0.0, high=10.0, plausible=(1.2, 2.0),
        assumption="land tension above which a blocked enterprise considers moving next door")
    relocation_rate_month: float = param(
        0.1, unit="1/month", low=0.0, high=1.0, plausible=(0.05, 0.2),
        assumption="chance a month that a blocked enterprise in a tense territory moves")


@dataclass
class AutomationParams:
    """Capital versus insertion labour (brake 5, "tension entre la création d'emplois et
    l'industrialisation"): a growing producer compares, per unit of output, the cost of hiring
    its form's staff mix (wages net of the State's aid per post) with that of a machine (user
    cost of capital at its bank rate, plus operators), within its mission
    (sim/agents/automation.py).
    """

    machine_eur_per_fte: float = param(
        250_000.0, unit="€ per FTE of output", low=1.0, high=1e7, plausible=(100_000.0, 500_000.0),
        assumption="price of equipment whose output equals one full-time worker's in ESS "
        "activities (sorting, dismantling, repair, assembly: hard to automate; an automated "
        "textile sorting line costs millions); at 250 k€ and the 2024 bank rate no producer "
        "automates, below ~180 k€ unaided cooperatives do",
    )
    machine_fixed_eur: float = param(
        100_000.0, unit="€ per automation project", low=0.0, high=1e8,
        plausible=(30_000.0, 300_000.0),
        assumption="engineering, installation and ramp-up of an automation project, whatever its "
        "size: the indivisibility that makes machines pay only at scale",
    )
    machine_life_yr: float = param(
        10.0, unit="years", low=1.0, high=50.0, plausible=(7.0, 15.0),
        assumption="useful life over which a machine is depreciated (industrial equipment is "
        "usually written off over 5-15 years)",
    )
    operators_per_machine_fte: float = param(
        0.25, unit="permanent jobs per FTE of machine output", low=0.0, high=5.0,
        plausible=(0.1, 0.5),
        assumption="skilled operators and maintenance a machine needs (permanent staff)",
    )
    insertion_min_share: float = param(
        0.5, unit="share of FTE", low=0.0, high=1.0, plausible=(0.3, 0.7),
        assumption="least share of insertion FTE among its FTE an insertion enterprise or "
        "workshop keeps to keep its convention with the State (its activity is a support for "
        "insertion paths); automation stops there",
    )
    adapted_min_share: float = param(
        0.55, unit="share of jobs", low=0.0, high=1.0,
        source="adapted enterprises employ at least 55% of disabled workers since 2019 (80% "
        "before): Cour des comptes S2023-0640, Les entreprises adaptées 2017-2022",
    )


@dataclass
class Params:
    """Everything the model is told apart from territory, scenario and levers."""

    population: PopulationParams = field(default_factory=PopulationParams)
    economy: EconomyParams = field(default_factory=EconomyParams)
    procurement: ProcurementParams = field(default_factory=ProcurementParams)
    industry: IndustryParams = field(default_factory=IndustryParams)
    labour: LabourParams = field(default_factory=LabourParams)
    feedstock: FeedstockParams = field(default_factory=FeedstockParams)
    scale_up: ScaleUpParams = field(default_factory=ScaleUpParams)
    mutual_ignorance: MutualIgnorance = field(default_factory=MutualIgnorance)
    competition: Competition = field(default_factory=Competition)
    finance: FinanceAccess = field(default_factory=FinanceAccess)
    premises: PremisesAccess = field(default_factory=PremisesAccess)
    human_resources: HumanResources = field(default_factory=HumanResources)
    automation: AutomationParams = field(default_factory=AutomationParams)
    base_rent_eur_m2_yr: float = param(
        28.0, unit="€/m²/yr", low=0.0, high=1000.0, plausible=(22.0, 35.0),
        source="activity premises, rent = base x tension: Lyon (tension 3.4) 90-104 €/m²/yr "
        "(JLL 2025) and inside Paris's A86 ~147 (JLL 2023; Métropole du Grand Paris, tension "
        "5.2) both give ~28 at tension 1 (an EPCI of median density, 64 inh/km²)",
    )
    brownfield_m2_per_inhabitant: float = param(
        0.3, unit="m²/inhabitant", low=0.0, high=100.0, plausible=(0.1, 1.0),
        assumption="brownfield floor ready for activity use within the horizon (x3 in old "
        "industrial basins); Cerema 2025 counts 80,000-140,000 ha of brownfields (12-21 m² of "
        "land per inhabitant), half of it potentially for industry",
    )
    impact_equity_chance: float = param(
        0.2, unit="probability", low=0.0, high=1.0, plausible=(0.05, 0.4),
        assumption="chance an open-capital ESS structure finds equity for an expansion (France "
        "Active 2024: 491 M€ for 37,458 beneficiaries, mostly loans and guarantees)",
    )
    impact_equity_return_yr: float = param(
        0.02, unit="1/yr", low=0.0, high=0.3, plausible=(0.01, 0.05),
        assumption="return impact investors expect on ESS equity and quasi-equity (titres "
        "participatifs, prêts participatifs), paid only out of profits; below the ~7-8%/yr of "
        "SME private equity",
    )
    impact_equity_months: int = param(
        84, unit="months", low=1, high=360, plausible=(60, 120),
        assumption="horizon over which an impact investor's stake is repaid with its return "
        "(quasi-equity 5-10 years; buy-back or dividends for open-capital firms)",
    )


@dataclass
class SimConfig:
    seed: int = param(42, unit="-", low=0, high=2**63 - 1, assumption="run seed")
    horizon_months: int = param(120, unit="months", low=1, high=600,
                                source="MODEL-BRIEF: 2025-2035, horizon of the 12%-of-GDP target")
    start_year: int = param(2025, unit="year", low=2000, high=2100, assumption="calendar label")
    territory: TerritoryConfig = field(default_factory=TerritoryConfig)
    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    params: Params = field(default_factory=Params)
    policies: dict[str, Any] = field(default_factory=dict)
    progress: bool = param(True, unit="bool", assumption="progress bar on long runs")
