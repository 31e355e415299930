"""Short, human `--help` for `python -m sim` and `python -m sim.experiments`.

Hydra's own `--help` is the whole config (~300 lines) with no word on what the command does;
these say it in a screen, with examples, and say where the full parameter list is.
"""

import sys

MODEL = """\
usage: python -m sim [key=value ...]

Run the agent-based model of ESS enterprises and industry once, on a territory, with or
without policy levers, and write its outputs (timeseries, territories, events, summary,
manifest) into outputs/runs/<time>_<territory>_seed<k>/.

Examples:
  python -m sim                                          default region, 120 months, seed 42
  python -m sim territory=classroom seed=3 horizon_months=60
  python -m sim 'policies=[land_trust,reserved_markets]' policies.land_trust.rent_discount=0.5
  python -m sim territory=france scenario=reindustrialisation
  python -m sim -m seed=1,2,3                            three runs (a Hydra multirun)

Choices:
  territory=   auvergne_rhone_alpes (default), france, ile_de_france, hauts_de_france, drome,
               classroom, tiny; or territory.kind=departement territory.codes=[26,07]
  scenario=    central (default), reindustrialisation, recession, high_rates
  policies=    any of land_trust, reserved_markets, impact_vat, conditional_aid, matchmaking,
               impact_finance, brownfields, hr_pooling, industrial_cooperation

Every parameter, with unit, range and source: docs/parameters.md, or
  python -m sim --cfg job            print the resolved config of a run
  python -m sim --hydra-help         Hydra's own options
Lever comparisons (many runs and a report): python -m sim.experiments --help
"""

EXPERIMENTS = """\
usage: python -m sim.experiments [+experiment=NAME] [key=value ...]

Compare policy levers: run every scenario (arm) over paired replications (replication k of
every arm uses seed k), then write an HTML report with effects, 95% intervals, cost per net
job-year, a map and the adverse effects, in French (experiment.lang=en for English), under
outputs/experiments/<name>/<time>/report/report.fr.html.

Default (+experiment=compare): baseline, each of the four headline levers alone and all four
together, 20 replications each, on Auvergne-Rhône-Alpes: 120 runs, about 2–4 min on 2 cores.

Examples:
  python -m sim.experiments                                      the main job
  python -m sim.experiments 'seed=range(0,5)'                    5 replications instead of 20
  python -m sim.experiments territory=tiny horizon_months=24 'seed=range(0,3)'   a quick try
  python -m sim.experiments arm=baseline,land_trust+impact_vat   other arms (levers joined by +)
  python -m sim.experiments +experiment=factorial                2x2x2x2 of the four levers
  python -m sim.experiments +experiment=dose_response            one lever at four doses
  python -m sim.experiments +experiment=sensitivity              Morris screening
  python -m sim.experiments hydra.launcher.n_jobs=4              4 worker processes
  python -m sim.experiments hydra.sweep.dir=<dir>                resume a sweep in <dir>
  python -m sim.experiments.report <sweep dir> --lang en         rebuild a report, run nothing

Inspect without running (any Hydra flag works; ess-sim-experiments is the same command):
  python -m sim.experiments --cfg job     the resolved config of the first run
  python -m sim.experiments --info        Hydra's view: config search path, defaults, plugins
  eval "$(ess-sim-experiments -sc install=bash)"   tab completion of overrides (ess-sim too)
More: docs/experiments.md (experiments, launchers, Slurm, Ray, outputs, the dataset,
calibration, statistics).
"""

HELP_FLAGS = ("-h", "--help")


def show_help_if_asked(text: str, argv: list[str] | None = None) -> None:
    """Print `text` and exit 0 when the command line asks for help."""
    argv = sys.argv[1:] if argv is None else argv
    if any(arg in HELP_FLAGS for arg in argv):
        print(text, end="")
        sys.exit(0)
