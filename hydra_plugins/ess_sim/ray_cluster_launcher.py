"""`hydra/launcher=ray_cluster`: Hydra's Ray launcher attached to a Ray cluster already running,
made resilient (see `sim.experiments.launchers.launch_ray`). Hydra's launcher (1.2.2) always
adds `object_store_memory` to `ray.init`, which Ray refuses when it joins an existing cluster;
this one joins the cluster with the configured `ray.init` settings only; a resume submits only
the runs not complete, and a task whose worker died is recorded as a failed run instead of
stopping the sweep. Without the `cluster` extra (no Ray launcher) this module defines nothing."""

try:
    from hydra_plugins.hydra_ray_launcher.ray_launcher import RayLauncher
except ImportError:
    RayLauncher = None

if RayLauncher is not None:

    class RayClusterLauncher(RayLauncher):
        """Hydra's Ray launcher's settings, joining the cluster at `ray.init.address`; a lost
        task costs only its run."""

        def launch(self, job_overrides, initial_job_idx):
            from sim.experiments.launchers import launch_ray

            return launch_ray(self, job_overrides, initial_job_idx)
