"""`hydra/launcher=ray_cluster`: Hydra's Ray launcher attached to a Ray cluster already running.
Hydra's launcher (1.2.2) always adds `object_store_memory` to `ray.init`, which Ray refuses when
it joins an existing cluster; this one joins the cluster with the configured `ray.init` settings
only, then launches as Hydra's does (which skips its own `ray.init` once Ray is initialised).
Without the `cluster` extra (no Ray launcher) this module defines nothing."""

try:
    from hydra_plugins.hydra_ray_launcher.ray_launcher import RayLauncher
except ImportError:
    RayLauncher = None

if RayLauncher is not None:

    class RayClusterLauncher(RayLauncher):
        """Hydra's Ray launcher, joining the cluster at `ray.init.address` as configured."""

        def launch(self, job_overrides, initial_job_idx):
            import ray
            from omegaconf import OmegaConf

            if not ray.is_initialized():
                ray.init(**OmegaConf.to_container(self.ray_cfg.init, resolve=True))
            return super().launch(job_overrides, initial_job_idx)
