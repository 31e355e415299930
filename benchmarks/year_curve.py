"""The per-year cost curve of one national run, with the SHA-256 of its three frames: what the
seventh session measured two trees with, side by side (docs/performance.md).

    PYTHONPATH=<tree> python -m benchmarks.year_curve [--months 240] [--seed 0] [--levers none]

Prints the CPU milliseconds of a month, year by year (``time.process_time``: on a shared
machine it moves less than wall time), the months' CPU seconds, year 20 over year 1, and the
first 16 hex digits of the SHA-256 of each frame's CSV (equal digits: the same outputs).

Beside the curve, the live stocks a month passes over at each year's end (live enterprises,
open sites, live ties), the rows the tables hold (dead ones included: what compaction bounds)
and the CPU of a month per live enterprise: a month that costs more
because the economy holds more enterprises (the levers' own effect) is not the history-bound
growth the curve looks for; ``--levers none`` runs the baseline, whose stocks are stationary.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import time

LEVERS = (
    "policies=[land_trust,reserved_markets,impact_vat,conditional_aid,matchmaking,"
    "impact_finance,brownfields,hr_pooling,industrial_cooperation]"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=240)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--territory", default="france")
    parser.add_argument(
        "--levers", choices=("all", "none"), default="all",
        help="all nine levers (default) or none (the stationary baseline)",
    )
    args = parser.parse_args()
    logging.getLogger("MESA").setLevel(logging.WARNING)
    from sim.config import compose_config, validate
    from sim.model import EcosystemModel

    config = validate(
        compose_config(
            [
                f"territory={args.territory}",
                *([LEVERS] if args.levers == "all" else []),
                f"horizon_months={args.months}",
                f"seed={args.seed}",
                "progress=false",
            ]
        )
    )
    model = EcosystemModel(config)
    year_ms, stocks, rows = [], [], []
    while model.running:
        start, months = time.process_time(), 0
        for _ in range(12):
            if model.running:
                model.step()
                months += 1
        year_ms.append((time.process_time() - start) / months * 1e3)
        stocks.append(live_stocks(model.world))
        rows.append(rows_held(model.world))
    print("CPU ms of a month, year by year:", " ".join(f"{y:.0f}" for y in year_ms))
    print(
        f"months: {sum(year_ms) * 12 / 1e3:.2f} s of CPU; last year / first: "
        f"{year_ms[-1] / year_ms[0]:.2f}"
    )
    names = ("live enterprises", "open sites", "live ties")
    for name, column in zip(names, zip(*stocks, strict=True), strict=True):
        print(f"{name} at each year's end:", " ".join(str(n) for n in column),
              f"(last / first: {column[-1] / column[0]:.2f})")
    for name, column in zip(("enterprise rows", "site rows", "tie rows"), zip(*rows, strict=True),
                            strict=True):
        print(f"{name} held at each year's end:", " ".join(str(n) for n in column))
    per_enterprise = [
        ms * 1e3 / enterprises for ms, (enterprises, _, _) in zip(year_ms, stocks, strict=True)
    ]
    print("CPU µs of a month per live enterprise:", " ".join(f"{u:.2f}" for u in per_enterprise),
          f"(last / first: {per_enterprise[-1] / per_enterprise[0]:.2f})")
    for name, frame in (
        ("timeseries", model.timeseries_frame),
        ("territory", model.territory_frame),
        ("events", model.events_frame),
    ):
        digest = hashlib.sha256(frame().to_csv(index=False).encode()).hexdigest()
        print(f"{name} frame SHA-256: {digest[:16]}")


def live_stocks(world) -> tuple[int, int, int]:
    """The rows a month's passes work on: live enterprises, open sites, live ties."""
    return (int(world.enterprises.alive.sum()), int(world.sites.open.sum()),
            int(world.ties.table.active.sum()))


def rows_held(world) -> tuple[int, int, int]:
    """The rows the tables hold, dead ones included (what compaction bounds)."""
    return world.enterprises.n, world.sites.n, world.ties.table.n


if __name__ == "__main__":
    main()
