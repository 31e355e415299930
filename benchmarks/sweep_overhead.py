"""The sweep's overhead per run: what one more run of the main job costs beyond its months
(issue 20, item 2; docs/performance.md, "Thirteenth session")::

    python -m benchmarks.sweep_overhead                  # this tree
    python -m benchmarks.sweep_overhead --tree /work/main --runs 2,8

Two sweeps of the main job's baseline arm (``python -m sim.experiments arm=baseline``, its
default launcher with one worker, no report), of ``a`` and ``b`` seeds: their CPU difference over
``b - a`` is the CPU of one more run (start-up and the sweep's fixed costs cancel: the worker's
CPU is counted, it is a child of the sweep's process). The months of the same extra seeds
(seeds ``a`` to ``b - 1``) are then run alone in a fresh interpreter, ``time.process_time()``
around ``model.run()``; the overhead is the difference: building the model, the output frames,
conforming and writing them, Hydra's job machinery, status and progress files. CPU times: on a
shared machine they move less than wall times (give the load average with them).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 0.2  # issue 20, item 2: CPU per run beyond the model's months


def _months(seeds: list[int]) -> None:
    """Child: CPU seconds of each seed's months (the baseline arm), one JSON line."""
    import logging

    from sim.config import compose_config, validate
    from sim.model import EcosystemModel

    logging.getLogger("MESA").setLevel(logging.WARNING)
    spent = []
    for seed in seeds:
        model = EcosystemModel(validate(compose_config([f"seed={seed}"])))
        start = time.process_time()
        model.run()
        spent.append(time.process_time() - start)
    print(json.dumps(spent))


def _timed(command: list[str], tree: Path) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run to the end in ``tree`` (its ``sim`` first on the path); output, wall and CPU (the
    process and its reaped children)."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, check=False, env=env, cwd=tree)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode:
        raise RuntimeError(f"{command[2:4]}: {out.stderr.strip().splitlines()[-1:]}")
    return out, wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(tree: Path, runs: tuple[int, int]) -> dict:
    sweeps = []
    for n in runs:
        with tempfile.TemporaryDirectory() as folder:
            _, wall, cpu = _timed([sys.executable, "-m", "sim.experiments", "arm=baseline",
                                   f"seed=range(0,{n})", "hydra.launcher.n_jobs=1",
                                   "hydra.callbacks.experiment.report=false",
                                   f"hydra.sweep.dir={folder}/sweep"], tree)
        sweeps.append({"runs": n, "wall_s": wall, "cpu_s": cpu})
    out, _, _ = _timed([sys.executable, str(Path(__file__).resolve()), "--child",
                        ",".join(str(s) for s in range(*runs))], tree)
    months = json.loads(out.stdout.strip().splitlines()[-1])
    extra = runs[1] - runs[0]
    per_run = (sweeps[1]["cpu_s"] - sweeps[0]["cpu_s"]) / extra
    return {"tree": str(tree), "sweeps": sweeps, "per_run_cpu_s": per_run,
            "months_cpu_s": sum(months) / extra, "overhead_cpu_s": per_run - sum(months) / extra,
            "fixed_cpu_s": sweeps[0]["cpu_s"] - runs[0] * per_run,
            "load_average": os.getloadavg()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the checkout to measure (default: this one)")
    parser.add_argument("--runs", default="2,6", help="sizes of the two sweeps (default 2,6)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _months([int(s) for s in args.child.split(",")])
        return
    a, b = (int(x) for x in args.runs.split(","))
    if not 0 < a < b:
        parser.error(f"--runs {args.runs}: two sizes a,b with 0 < a < b")
    r = measure(args.tree.resolve(), (a, b))
    print(f"{r['tree']}: sweeps of {a} and {b} runs, CPU {r['sweeps'][0]['cpu_s']:.1f} s and "
          f"{r['sweeps'][1]['cpu_s']:.1f} s (wall {r['sweeps'][0]['wall_s']:.1f} s and "
          f"{r['sweeps'][1]['wall_s']:.1f} s)")
    print(f"  one more run {r['per_run_cpu_s']:.3f} s CPU, of which months "
          f"{r['months_cpu_s']:.3f} s; overhead {r['overhead_cpu_s']:.3f} s CPU a run "
          f"(target <= {TARGET_S} s); fixed cost {r['fixed_cpu_s']:.1f} s")
    print("  load average " + " ".join(f"{x:.2f}" for x in r["load_average"]))
    if args.json:
        args.json.write_text(json.dumps(r, indent=2) + "\n")


if __name__ == "__main__":
    main()
