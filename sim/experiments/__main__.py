"""`python -m sim.experiments [overrides]`: run an experiment sweep (compare by default)."""

import sys

from sim.cli_help import EXPERIMENTS, show_help_if_asked

show_help_if_asked(EXPERIMENTS)

from sim.experiments.progress import SweepWatcher, sweep_dir_from  # noqa: E402
from sim.experiments.runner import main  # noqa: E402

SweepWatcher(sweep_dir_from(sys.argv[1:]),
             report="hydra.callbacks.experiment.report=false" not in sys.argv).start()
main()
