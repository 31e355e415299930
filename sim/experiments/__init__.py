"""Experiments: replicated, paired, costed comparisons of levers, and their report.

`python -m sim.experiments +experiment=compare` runs a Hydra multirun (runner.py, one job per
arm × seed), then the callback (callbacks.py) builds the report (report.py) from the runs on disk.
"""
