"""`hydra/launcher=resilient_submitit_local` and `resilient_submitit_slurm`: Hydra's submitit
launchers, recording a job that ends without a result (out of memory, time limit, lost node) as
a failed run instead of stopping the sweep (see `sim.experiments.launchers.launch_submitit`).
Without the `cluster` extra (no submitit launcher) this module defines nothing."""

try:
    from hydra_plugins.hydra_submitit_launcher.submitit_launcher import (
        LocalLauncher,
        SlurmLauncher,
    )
except ImportError:
    LocalLauncher = SlurmLauncher = None

if LocalLauncher is not None:

    class ResilientSubmititLocalLauncher(LocalLauncher):
        """submitit's local processes; a job's death costs only its run."""

        def launch(self, job_overrides, initial_job_idx):
            from sim.experiments.launchers import launch_submitit

            return launch_submitit(self, job_overrides, initial_job_idx)

    class ResilientSubmititSlurmLauncher(SlurmLauncher):
        """Slurm jobs; a job killed for memory or time costs only its run."""

        def launch(self, job_overrides, initial_job_idx):
            from sim.experiments.launchers import launch_submitit

            return launch_submitit(self, job_overrides, initial_job_idx)
