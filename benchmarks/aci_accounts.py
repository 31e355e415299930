"""Why incumbents of a legal form fail in a stationary baseline: their accounts against month 0.

    python -m benchmarks.aci_accounts [--form ACI] [--seeds 0,1] [--drop growth,...]
                                      [overrides ...]

Each seed runs the default region with ``sim.validation.ZERO_TRENDS`` (and the overrides given),
optionally without some calendar phases (``--drop``: names of ``sim.model.CALENDAR``, e.g.
``growth``, ``"redeployed posts"``, ``shrinkage``: counterfactuals, not the model). For the
form's incumbents (structures alive at month 0) it records each month's accounts, term by term
as ``sim.markets.settlement.settle`` books them (sales, State aid, co-funding, permanent and
insertion wages, materials, rent, loan service), with demand, capacity, pressure, staff, support
vacancies, sales by market and the structure's share of the claims on its market's pools
(``sim.markets.clearing.claims``). It prints the mean of each term for incumbents that fail (their
first three months against the six months before their last two) and for those that survive
(months 0-2, 41-46 and the last year): which terms drift, and by how much.

A run of the default region takes ~20-40 s of one core (issue 13; see the session-8 report).
"""

from __future__ import annotations

import argparse

import numpy as np

TERMS = (
    "sales",
    "aid",
    "cofunding",
    "wages_permanent",
    "wages_insertion",
    "materials",
    "rent",
    "loan_service",
    "demand",
    "capacity",
    "pressure",
    "permanent",
    "insertion",
    "vacant",
    "public",
    "industry",
    "private",
    "claim_share",
)
COSTS = ("wages_permanent", "wages_insertion", "materials", "rent", "loan_service")
INCOME = ("sales", "aid", "cofunding")


def run(
    seed: int, form: str, drop: tuple[str, ...], overrides: tuple[str, ...], months: int = 120
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """One seed: each term (months, incumbents), NaN once failed, and who failed."""
    import sim.model as model
    from sim.api import build_model
    from sim.markets import clearing, credit
    from sim.validation import ZERO_TRENDS
    from sim.vocabulary import LEGAL_FORMS

    calendar, service_loans = model.CALENDAR, credit.service_loans
    booked = {}

    def _service(m):
        booked["service"] = np.asarray(service_loans(m), dtype=float)
        return booked["service"]

    model.CALENDAR = tuple(p for p in calendar if p.name not in drop)
    credit.service_loans = _service
    try:
        m = build_model([f"seed={seed}", *overrides, *ZERO_TRENDS])
        e, econ, f = m.world.enterprises, m.params.economy, LEGAL_FORMS.index(form)
        rows = np.flatnonzero(e.alive & (e.form == f))
        market = clearing.market_of(e.territory[rows], e.sector[rows])
        out = {k: np.full((months, rows.size), np.nan) for k in TERMS}
        for t in range(months):
            m.step()
            a, parts = m.now.accounts, m.now.sales_parts
            c = clearing.claims(m.world)
            weight = c.consumer + c.business
            total = np.bincount(
                c.market, weights=weight, minlength=clearing.n_markets(m.world.n_territories)
            )
            own = np.bincount(c.owner, weights=weight, minlength=e.n)[rows]
            permanent = (
                a["wages"][rows]
                - (e.insertion[rows] * m.world.forms.fte[f] + e.adapted[rows])
                * econ.wage_insertion_month
            )
            values = {
                "sales": a["sales"][rows],
                "aid": a["aid"][rows],
                "cofunding": a["cofunding"][rows],
                "wages_permanent": permanent,
                "wages_insertion": a["wages"][rows] - permanent,
                "materials": a["materials"][rows],
                "rent": a["rent"][rows],
                "loan_service": booked.get("service", np.zeros(e.n))[rows],
                "demand": e.demand[rows],
                "capacity": e.capacity[rows],
                "pressure": e.pressure[rows],
                "permanent": e.permanent[rows],
                "insertion": e.insertion[rows],
                "vacant": e.support_vacant[rows],
                "public": parts["public"][rows],
                "industry": parts["industry"][rows],
                "private": parts["consumer"][rows] + parts["business"][rows],
                "claim_share": own / np.maximum(total[market], 1e-12),
            }
            alive = e.alive[rows]
            for k in TERMS:
                out[k][t] = np.where(alive, values[k], np.nan)
        return out, ~e.alive[rows]
    finally:
        model.CALENDAR, credit.service_loans = calendar, service_loans


def result(h: dict[str, np.ndarray]) -> np.ndarray:
    return sum(h[k] for k in INCOME) - sum(h[k] for k in COSTS)


def summary(runs: list[tuple[dict[str, np.ndarray], np.ndarray]]) -> dict[str, np.ndarray]:
    """Per term: failed (first 3 months, 6 months before the last 2), survivors (months 0-2,
    41-46, last 12)."""
    cols: dict[str, list[list[float]]] = {k: [] for k in (*TERMS, "result")}
    for h, failed in runs:
        h = {**h, "result": result(h)}
        last = (~np.isnan(h["sales"])).sum(axis=0) - 1
        months = h["sales"].shape[0]
        for k in cols:
            x = h[k]
            fail = [np.nanmean(x[0:3, j]) for j in np.flatnonzero(failed)]
            before = [
                np.nanmean(x[max(last[j] - 8, 0) : max(last[j] - 2, 1), j])
                for j in np.flatnonzero(failed)
            ]
            s = ~failed
            cols[k].append(
                [
                    np.sum(fail),
                    np.sum(before),
                    np.nansum(np.nanmean(x[0:3, s], 0)),
                    np.nansum(np.nanmean(x[41:47, s], 0)),
                    np.nansum(np.nanmean(x[months - 12 :, s], 0)),
                ]
            )
    n_failed = sum(int(f.sum()) for _, f in runs)
    n_surv = sum(int((~f).sum()) for _, f in runs)
    scale = np.array([n_failed, n_failed, n_surv, n_surv, n_surv], dtype=float)
    return {k: np.sum(v, axis=0) / np.maximum(scale, 1) for k, v in cols.items()}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--form", default="ACI")
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--drop", default="", help="calendar phases to leave out, comma-separated")
    ap.add_argument("overrides", nargs="*")
    args = ap.parse_args(argv)
    drop = tuple(p for p in args.drop.split(",") if p)
    runs = [run(int(s), args.form, drop, tuple(args.overrides)) for s in args.seeds.split(",")]
    failed = sum(int(f.sum()) for _, f in runs)
    total = sum(f.size for _, f in runs)
    print(
        f"{args.form} incumbents failed: {failed} of {total} "
        f"({', '.join(str(int(f.sum())) for _, f in runs)} by seed)"
    )
    print(
        f"{'term':16s} {'fail m0-2':>10s} {'fail last':>10s} {'change':>9s} | "
        f"{'surv m0-2':>10s} {'surv m41-46':>11s} {'surv last12':>11s}"
    )
    for k, v in summary(runs).items():
        print(
            f"{k:16s} {v[0]:10.2f} {v[1]:10.2f} {v[1] - v[0]:9.2f} | "
            f"{v[2]:10.2f} {v[3]:11.2f} {v[4]:11.2f}"
        )


if __name__ == "__main__":
    main()
