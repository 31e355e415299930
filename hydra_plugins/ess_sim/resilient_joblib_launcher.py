"""`hydra/launcher=resilient_joblib`: Hydra's joblib launcher, going on when a worker process dies
(see `sim.experiments.launchers`). Without the `experiments` extra (no joblib launcher) this
module defines nothing, so that Hydra's plugin scan stays quiet."""

try:
    from hydra_plugins.hydra_joblib_launcher.joblib_launcher import JoblibLauncher
except ImportError:
    JoblibLauncher = None

if JoblibLauncher is not None:

    class ResilientJoblibLauncher(JoblibLauncher):
        """The joblib launcher's settings and jobs; a worker's death costs only its job."""

        def launch(self, job_overrides, initial_job_idx):
            from sim.experiments.launchers import launch

            return launch(self, job_overrides, initial_job_idx)
