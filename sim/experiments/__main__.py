"""`python -m sim.experiments [overrides]`: run an experiment sweep (compare by default)."""

from sim.experiments.runner import main

main()
