"""The sweep's overhead per run: what one more run of the main job costs beyond its months
(issue 20, item 2; docs/performance.md, "Thirteenth session")::

    python -m benchmarks.sweep_overhead                          # this tree
    python -m benchmarks.sweep_overhead --tree /work/main --runs 2,8

Two sweeps of the main job's baseline arm (``python -m sim.experiments arm=baseline``, its
default launcher with one worker, no report), of ``a`` and ``b`` seeds. The CPU of each sweep's
whole process tree is measured (the worker is a child of the sweep's process), and, inside the
same processes, the CPU of every run's months (``time.process_time()`` around
``sim.api._run_with_progress``, installed by a ``sitecustomize`` this script puts on the
sweep's path; nothing else is changed). Per extra run: the difference of the two sweeps' CPU
over ``b - a`` is one more run; the difference of their months over ``b - a`` is its months;
the overhead is the rest (building the model, the output frames, conforming and writing them,
Hydra's job machinery, status and progress files). Start-up and the sweep's fixed costs cancel.
CPU times: on a shared machine they move less than wall times (give the load average).
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

# Put first on the sweep's path: wraps `sim.api._run_with_progress` once `sim.api` is imported,
# appending each call's CPU seconds to $SWEEP_OVERHEAD_MONTHS/<pid>.
SITECUSTOMIZE = """
import importlib.abc, importlib.util, os, sys, time

class _Hook(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "sim.api":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run_module = spec.loader.exec_module

        def exec_module(module):
            run_module(module)
            months = module._run_with_progress

            def timed(*args, **kwargs):
                start = time.process_time()
                try:
                    return months(*args, **kwargs)
                finally:
                    spent = time.process_time() - start
                    folder = os.environ["SWEEP_OVERHEAD_MONTHS"]
                    with open(os.path.join(folder, str(os.getpid())), "a") as out:
                        out.write(f"{spent}\\n")

            module._run_with_progress = timed

        spec.loader.exec_module = exec_module
        return spec

if os.environ.get("SWEEP_OVERHEAD_MONTHS"):
    sys.meta_path.insert(0, _Hook())
"""


def sweep(tree: Path, runs: int, folder: Path) -> dict:
    """One sweep of ``runs`` seeds: wall, CPU of its process tree, CPU of its months."""
    (folder / "site").mkdir()
    (folder / "site" / "sitecustomize.py").write_text(SITECUSTOMIZE)
    (folder / "months").mkdir()
    env = dict(
        os.environ,
        PYTHONPATH=f"{folder / 'site'}{os.pathsep}{tree}",
        SWEEP_OVERHEAD_MONTHS=str(folder / "months"),
    )
    command = [
        sys.executable,
        "-m",
        "sim.experiments",
        "arm=baseline",
        f"seed=range(0,{runs})",
        "hydra.launcher.n_jobs=1",
        "hydra.callbacks.experiment.report=false",
        f"hydra.sweep.dir={folder / 'sweep'}",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, check=False, env=env, cwd=tree)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode:
        raise RuntimeError(f"sweep of {runs}: {out.stderr.strip().splitlines()[-1:]}")
    months = [float(x) for f in (folder / "months").iterdir() for x in f.read_text().split()]
    if len(months) != runs:
        raise RuntimeError(f"sweep of {runs}: {len(months)} runs timed (is sim.api used?)")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"runs": runs, "wall_s": wall, "cpu_s": cpu, "months_cpu_s": sum(months)}


def measure(tree: Path, runs: tuple[int, int]) -> dict:
    sweeps = []
    for n in runs:
        with tempfile.TemporaryDirectory() as folder:
            sweeps.append(sweep(tree, n, Path(folder)))
    small, large = sweeps
    extra = large["runs"] - small["runs"]
    per_run = (large["cpu_s"] - small["cpu_s"]) / extra
    months = (large["months_cpu_s"] - small["months_cpu_s"]) / extra
    return {
        "tree": str(tree),
        "sweeps": sweeps,
        "per_run_cpu_s": per_run,
        "months_cpu_s": months,
        "overhead_cpu_s": per_run - months,
        "fixed_cpu_s": small["cpu_s"] - small["runs"] * per_run,
        "load_average": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tree",
        type=Path,
        default=Path(__file__).resolve().parents[1],
        help="the checkout to measure (default: this one)",
    )
    parser.add_argument("--runs", default="2,6", help="sizes of the two sweeps (default 2,6)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    a, b = (int(x) for x in args.runs.split(","))
    if not 0 < a < b:
        parser.error(f"--runs {args.runs}: two sizes a,b with 0 < a < b")
    r = measure(args.tree.resolve(), (a, b))
    small, large = r["sweeps"]
    print(
        f"{r['tree']}: sweeps of {a} and {b} runs, CPU {small['cpu_s']:.1f} s and "
        f"{large['cpu_s']:.1f} s (months {small['months_cpu_s']:.1f} s and "
        f"{large['months_cpu_s']:.1f} s; wall {small['wall_s']:.1f} s and "
        f"{large['wall_s']:.1f} s)"
    )
    print(
        f"  one more run {r['per_run_cpu_s']:.3f} s CPU, of which months "
        f"{r['months_cpu_s']:.3f} s; overhead {r['overhead_cpu_s']:.3f} s CPU a run "
        f"(target <= {TARGET_S} s); fixed cost {r['fixed_cpu_s']:.1f} s"
    )
    print("  load average " + " ".join(f"{x:.2f}" for x in r["load_average"]))
    if args.json:
        args.json.write_text(json.dumps(r, indent=2) + "\n")


if __name__ == "__main__":
    main()
