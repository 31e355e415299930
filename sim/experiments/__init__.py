"""Experiments: replicated, paired, costed comparisons of levers, and their report.

`python -m sim.experiments +experiment=compare` runs a Hydra multirun (runner.py, one job per
arm × seed), then the callback (callbacks.py) builds the report (report.py) from the runs on disk.
"""


def __getattr__(name: str):
    """`sim.experiments.load_sweep`, imported on first use (`--help` stays fast)."""
    if name == "load_sweep":
        from sim.experiments.dataset import load_sweep

        return load_sweep
    raise AttributeError(f"module 'sim.experiments' has no attribute {name!r}")
