"""`python -m sim.experiments [overrides]` (or `ess-sim-experiments`): run an experiment sweep
(compare by default); `--help` describes the experiment the command line selects."""

import os
import sys


def cli() -> None:
    from sim.cli_help import HELP_FLAGS

    if any(arg in HELP_FLAGS for arg in sys.argv[1:]):
        from sim.experiments.app_help import print_help

        print_help(sys.argv[1:])
        sys.exit(0)
    from sim.experiments.progress import SweepWatcher
    from sim.experiments.runner import QUIET_RUNS, main

    bar = sys.stdout.isatty()
    if bar:
        os.environ[QUIET_RUNS] = "1"  # inherited by the local workers, which then stay quiet
    report = "hydra.callbacks.experiment.report=false" not in sys.argv

    def watch(sweep_dir):  # the folder as claimed: a `${now:...}` in it resolved once
        SweepWatcher(sweep_dir, bar=bar, report=report).start()

    main(watch)


if __name__ == "__main__":
    cli()
