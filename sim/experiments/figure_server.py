"""What the fork server drawing a report's figures imports before forking each drawing process
(`sim.experiments.report.FigurePool`): the report's modules, the figures' with them, once.

A forked child also runs the launching process's main module again, as `__mp_main__`; for
`python -m sim.experiments.report` that module is already imported here, which runpy warns
about in every child ("found in sys.modules ... prior to execution"): harmless, as the module
only defines names, so the warning is silenced in the server and its children only.
"""

import warnings

warnings.filterwarnings("ignore", category=RuntimeWarning,
                        message=r"'sim\.experiments\.report' found in sys\.modules")

import sim.experiments.report  # noqa: E402, F401
