"""The main job's six arms, months only: CPU time of each run's months and one SHA-256 over every
run's tables and summary, to compare two trees side by side (issue 20, eleventh session)::

    cd /tmp && PYTHONPATH=<other tree> python -m benchmarks.arms 0,1,2 &
    cd <this tree> && python -m benchmarks.arms 0,1,2

Run both at the same moment, one per core, each where ``sim`` resolves to the tree meant (the
current directory comes first on ``sys.path`` with ``-m``; check with ``python -c "import sim;
print(sim.__file__)"``). The same hash means the same outputs;
the ratio of the two CPU totals is the speed-up (give the load average with it).
"""

from __future__ import annotations

import hashlib
import json
import sys
import time

import pandas as pd

from sim.config import compose_config, validate
from sim.experiments.arms import HEADLINE_LEVERS
from sim.model import EcosystemModel

ARMS = [[], *([f"policies=[{lever}]"] for lever in HEADLINE_LEVERS),
        [f"policies=[{','.join(HEADLINE_LEVERS)}]"]]


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    seeds = [int(x) for x in argv[0].split(",")] if argv else [0]
    total, digest = 0.0, hashlib.sha256()
    for seed in seeds:
        for arm in ARMS:
            model = EcosystemModel(validate(compose_config([*arm, f"seed={seed}"])))
            start = time.process_time()
            model.run()
            spent = time.process_time() - start
            total += spent
            for frame in (model.timeseries_frame(), model.territory_frame(),
                          model.events_frame()):
                digest.update(pd.util.hash_pandas_object(frame, index=True).values.tobytes())
                digest.update(repr(list(frame.columns)).encode())
            digest.update(json.dumps(model.metrics.summary(), sort_keys=True,
                                     default=str).encode())
            print(f"seed {seed} {arm or ['baseline']}: {spent:.3f} s", flush=True)
    print(f"months CPU {total:.3f} s, sha {digest.hexdigest()[:16]}")


if __name__ == "__main__":
    main()
