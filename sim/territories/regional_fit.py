"""Month-0 check of the regional calibration on a national build (issue 14, "done when").

Two parts, over seeds of ``territory=france`` at month 0:

* **Fitted** (the calibration must reproduce what it was given): per region and group of
  forms, the structures per inhabitant over the national density of the schema, against the
  region's multiplier in the table (``sim/territories/regional.py``); and the ESS jobs per
  inhabitant over the national figure, against what the table implies (each form's national
  density and mean staff times its region's multipliers, insertion size included). A row passes
  when the mean over seeds lies inside the table's stated range ``[low, high]``.
* **Out of sample** (:func:`sim.territories.regional.ess_share_check_over_seeds`): the ESS
  share of salaried jobs by region (Atlas de l'ESS 2019), which no calibrated figure contains.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

from sim.territories.regional import (
    FORM_GROUP,
    INSERTION_SIZE,
    STRUCTURE_GROUPS,
    Multiplier,
    calibration_table,
    ess_jobs_by_region,
    ess_share_check_over_seeds,
)
from sim.vocabulary import LEGAL_FORMS

METROPOLITAN_FROM = "11"
"""INSEE region codes from 11 up are metropolitan; the overseas regions (01-06) have no regional
structure count and hold a handful of structures each (Mayotte's population is imputed), so
their month-0 figures are Poisson noise around the fallback: left out of the fit."""


def month0_figures(seed: int) -> dict:
    """Per region of a national build at month 0: structures by group, ESS jobs, and the
    national-density expectations they are compared with."""
    from sim.api import build_model

    model = build_model(["progress=false", "territory=france", f"seed={seed}"])
    t, e, params = model.territories, model.enterprises, model.params.population
    codes, territory_region = np.unique(np.asarray(t.region_code).astype(str),
                                        return_inverse=True)
    population = np.bincount(territory_region, weights=t.population, minlength=codes.size)
    region = territory_region[e.territory[: e.n]]
    groups = np.array([FORM_GROUP[f] for f in LEGAL_FORMS])[e.form[: e.n]]
    jobs = (e.permanent + e.insertion + e.adapted)[: e.n].astype(float)
    names = dict(zip(np.asarray(t.region_code).astype(str), np.asarray(t.region), strict=True))
    out = {"population": dict(zip(codes, population, strict=True)), "structures": {},
           "names": {c: str(names[c]) for c in codes},
           "jobs": dict(zip(codes, np.bincount(region, weights=jobs, minlength=codes.size),
                            strict=True))}
    for group in STRUCTURE_GROUPS:
        count = np.bincount(region[groups == group], minlength=codes.size)
        out["structures"][group] = dict(zip(codes, count.astype(float), strict=True))
    per_territory = np.bincount(e.territory[: e.n], weights=jobs, minlength=len(t))
    out["jobs_by_region"] = ess_jobs_by_region(t, per_territory)
    out["national_density"] = {g: sum(params.forms[f].per_100k_inhabitants for f in LEGAL_FORMS
                                      if FORM_GROUP[f] == g) / 1e5 for g in STRUCTURE_GROUPS}
    return out


def implied_jobs_factor(params, by_group: dict[str, float], size: float) -> float:
    """ESS jobs per inhabitant the table implies for a region, over the national figure: each
    form's density x mean staff, with the region's group multipliers, and the insertion size on
    the whole staff of insertion structures (supervisors scale with the supervised)."""
    forms = params.forms
    national = regional = 0.0
    for f in LEGAL_FORMS:
        density = forms[f].per_100k_inhabitants
        staff = (max(forms[f].permanent_staff, 1) + forms[f].insertion_staff
                 + forms[f].adapted_staff)
        national += density * staff
        scale = size if FORM_GROUP[f] == "insertion" else 1.0
        regional += density * by_group[FORM_GROUP[f]] * staff * scale
    return regional / national


def fit_rows(per_seed: Sequence[dict], table: tuple[Multiplier, ...] | None = None,
             params=None) -> list[dict]:
    """One row per region x group (observed figures and fallbacks) and per region for jobs:
    the model's mean over seeds [min, max], the table's value and range, and the verdict."""
    from sim.config.schema import PopulationParams

    table = table if table is not None else calibration_table()
    params = params if params is not None else PopulationParams()
    regional = {(m.group, m.region_code): m for m in table if not m.departement}
    rows = []
    codes = [c for c in per_seed[0]["population"] if ("insertion", c) in regional
             and c >= METROPOLITAN_FROM]
    for code in codes:
        for group in STRUCTURE_GROUPS:
            m = regional[group, code]
            ratios = [fig["structures"][group][code] / (
                fig["national_density"][group] * fig["population"][code]) for fig in per_seed]
            rows.append(_row(code, group, ratios, m.value, m.low, m.high, m.basis))
            rows[-1]["region"] = per_seed[0]["names"][code]
        values = {g: regional[g, code] for g in STRUCTURE_GROUPS}
        size = regional[INSERTION_SIZE, code]
        expected = [implied_jobs_factor(params, {g: getattr(m, bound) for g, m in values.items()},
                                        getattr(size, bound)) for bound in ("value", "low", "high")]
        per_inhabitant = [fig["jobs"][code] / fig["population"][code] for fig in per_seed]
        reference = _national_jobs_per_inhabitant(params)
        rows.append(_row(code, "ESS jobs", [x / reference for x in per_inhabitant], *expected,
                         "implied by the table" + (" (a fallback enters)" if any(
                             m.basis != "observed" for m in (*values.values(), size)) else "")))
        rows[-1]["region"] = per_seed[0]["names"][code]
    return rows


def _national_jobs_per_inhabitant(params) -> float:
    forms = params.forms
    return sum(forms[f].per_100k_inhabitants * (max(forms[f].permanent_staff, 1)
                                                + forms[f].insertion_staff
                                                + forms[f].adapted_staff)
               for f in LEGAL_FORMS) / 1e5


def _row(code: str, group: str, ratios: list[float], value: float, low: float, high: float,
         basis: str) -> dict:
    x = np.asarray(ratios, dtype=float)
    mean = float(x.mean())
    half = float(stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)) if (
        x.size > 1) else 0.0
    return {"region_code": code, "group": group, "model": mean, "ci_low": mean - half,
            "ci_high": mean + half, "min": float(x.min()), "max": float(x.max()),
            "table": value, "low": min(low, high), "high": max(low, high), "basis": basis,
            "n": int(x.size), "pass": bool(min(low, high) <= mean <= max(low, high))}


def regional_report(seeds: int) -> dict:
    """The month-0 fit and the out-of-sample check over ``seeds`` national builds."""
    per_seed = [month0_figures(seed) for seed in range(seeds)]
    check, passing = ess_share_check_over_seeds([fig["jobs_by_region"] for fig in per_seed])
    return {"seeds": seeds, "fit": fit_rows(per_seed),
            "out_of_sample": {"model_ratio": check.model_ratio,
                              "observed_ratio": check.observed_ratio,
                              "agrees": check.agrees, "pass": check.passed,
                              "share_of_seeds_passing": passing}}


def regional_verdicts(report: dict) -> list[dict]:
    """Every verdict of the regional report (fit rows and the out-of-sample check)."""
    if not report:
        return []
    return [*report["fit"], {"pass": report["out_of_sample"]["pass"]}]


def regional_markdown(report: dict, verdict: dict) -> list[str]:
    """The report's section: what was fitted, the month-0 fit, and the out-of-sample check."""
    if not report:
        return []
    lines = ["", f"## Regional pattern at month 0 (`territory=france`, {report['seeds']} seeds)",
             "", "**Fitted** (the calibration was given these): structures per inhabitant by "
             "group of forms, over the schema's national density, against each region's "
             "multiplier in the regional table (observed: a regional count ± its stated "
             "uncertainty; fallback: the residual density, over the observed range); ESS jobs "
             "per inhabitant over the national figure, against what the table implies (form "
             "densities and mean staff times the region's multipliers, insertion size "
             "included; range: every multiplier at its low, at its high). A row passes when "
             "the mean over seeds lies in the range. Overseas regions are left out (no "
             "regional count; a handful of structures each).", "",
             "| region | figure | model mean (95% CI) [min–max over seeds] | table (range) | "
             "basis | verdict |", "|---|---|---|---|---|---|"]
    for r in report["fit"]:
        lines.append(f"| {r['region']} ({r['region_code']}) | {r['group']} | {r['model']:.2f} "
                     f"({r['ci_low']:.2f}–{r['ci_high']:.2f}) [{r['min']:.2f}–{r['max']:.2f}] | "
                     f"{r['table']:.2f} "
                     f"({r['low']:.2f}–{r['high']:.2f}) | {r['basis']} | "
                     f"{verdict[r['pass']]} |")
    oos = report["out_of_sample"]
    lines += ["", "**Out of sample** (no calibrated figure contains it): the ESS share of "
              "salaried jobs by region, Atlas commenté de l'ESS (6e éd., end 2019). The model's "
              "share is its month-0 ESS jobs over Insee salaried employment (2019); both shares "
              "relative to France; a region agrees when both sit on the same side of France. "
              "Checked on the mean ESS jobs over seeds; the share of seeds passing on their own "
              f"is {oos['share_of_seeds_passing']:.0%}.", "",
              "| region | model share / France | Atlas share / France | agrees |",
              "|---|---|---|---|"]
    for code, ratio in oos["model_ratio"].items():
        lines.append(f"| {code} | {ratio:.2f} | {oos['observed_ratio'][code]:.2f} | "
                     f"{'yes' if oos['agrees'][code] else 'no'} |")
    lines.append(f"\nOut-of-sample check: {verdict[oos['pass']]}.")
    return lines
