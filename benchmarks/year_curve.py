"""The per-year cost curve of one national run, with the SHA-256 of its three frames: what the
seventh session measured two trees with, side by side (docs/performance.md).

    PYTHONPATH=<tree> python -m benchmarks.year_curve [--months 240] [--seed 0]

Prints the CPU milliseconds of a month, year by year (``time.process_time``: on a shared
machine it moves less than wall time), the months' CPU seconds, year 20 over year 1, and the
first 16 hex digits of the SHA-256 of each frame's CSV (equal digits: the same outputs).
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
    args = parser.parse_args()
    logging.getLogger("MESA").setLevel(logging.WARNING)
    from sim.config import compose_config, validate
    from sim.model import EcosystemModel

    config = validate(
        compose_config(
            [
                f"territory={args.territory}",
                LEVERS,
                f"horizon_months={args.months}",
                f"seed={args.seed}",
                "progress=false",
            ]
        )
    )
    model = EcosystemModel(config)
    year_ms = []
    while model.running:
        start, months = time.process_time(), 0
        for _ in range(12):
            if model.running:
                model.step()
                months += 1
        year_ms.append((time.process_time() - start) / months * 1e3)
    print("CPU ms of a month, year by year:", " ".join(f"{y:.0f}" for y in year_ms))
    print(
        f"months: {sum(year_ms) * 12 / 1e3:.2f} s of CPU; last year / first: "
        f"{year_ms[-1] / year_ms[0]:.2f}"
    )
    for name, frame in (
        ("timeseries", model.timeseries_frame),
        ("territory", model.territory_frame),
        ("events", model.events_frame),
    ):
        digest = hashlib.sha256(frame().to_csv(index=False).encode()).hexdigest()
        print(f"{name} frame SHA-256: {digest[:16]}")


if __name__ == "__main__":
    main()
