"""The project's Hydra plugins, made known to Hydra whatever the install, and the extra a
launcher needs.

Hydra finds plugins by listing the `hydra_plugins` namespace package; an editable install
(`pip install -e .`) maps the project's part of that namespace through an import hook that the
listing does not see, so `hydra/launcher=resilient_joblib` would be an "Unknown plugin class".
`register_plugins()` registers them by class (Hydra's public `Plugins.register`), which works in
every install. A launcher whose package is missing gets a one-line hint naming the extra.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib.util import find_spec

from omegaconf import OmegaConf

from sim.config.errors import ConfigError

RAY_LAUNCHERS = ("hydra_plugins.hydra_ray_launcher.ray_launcher.RayLauncher",
                 "hydra_plugins.ess_sim.ray_cluster_launcher.RayClusterLauncher")
# How long the launching process waits for a Ray cluster's address to accept a connection.
RAY_CONNECT_TIMEOUT_S = float(os.environ.get("ESS_RAY_CONNECT_TIMEOUT_S", "5"))
# launcher option -> (the package it needs, the extra that installs it)
LAUNCHER_EXTRAS = {
    "joblib": ("hydra_plugins.hydra_joblib_launcher", "experiments"),
    "resilient_joblib": ("hydra_plugins.hydra_joblib_launcher", "experiments"),
    "submitit_local": ("hydra_plugins.hydra_submitit_launcher", "cluster"),
    "submitit_slurm": ("hydra_plugins.hydra_submitit_launcher", "cluster"),
    "resilient_submitit_local": ("hydra_plugins.hydra_submitit_launcher", "cluster"),
    "resilient_submitit_slurm": ("hydra_plugins.hydra_submitit_launcher", "cluster"),
    "ray": ("hydra_plugins.hydra_ray_launcher", "cluster"),
    "ray_cluster": ("hydra_plugins.hydra_ray_launcher", "cluster"),
}


def register_plugins() -> None:
    """Register the project's launchers (those whose Hydra launcher is installed) and sweeper."""
    from hydra.core.plugins import Plugins

    # Hydra's plugin scan (on its first instance) re-executes the plugin modules (Hydra's and
    # hydra_plugins.*): our launchers must subclass the classes left after it, so the scan runs
    # before they are imported.
    plugins = Plugins.instance()
    from hydra_plugins.ess_sim import first_job_sweeper, ray_cluster_launcher
    from hydra_plugins.ess_sim import resilient_joblib_launcher as joblib
    from hydra_plugins.ess_sim import resilient_submitit_launcher as submitit

    plugins.register(first_job_sweeper.FirstJobSweeper)
    if joblib.JoblibLauncher is not None:
        plugins.register(joblib.ResilientJoblibLauncher)
    if submitit.LocalLauncher is not None:
        plugins.register(submitit.ResilientSubmititLocalLauncher)
        plugins.register(submitit.ResilientSubmititSlurmLauncher)
    if ray_cluster_launcher.RayLauncher is not None:
        plugins.register(ray_cluster_launcher.RayClusterLauncher)


def check_launcher_installed(overrides: Sequence[str], default: str | None = None) -> None:
    """Refuse, in one line naming the extra to install, a launcher whose package is missing:
    the last `hydra/launcher=NAME` of the command line, else `default`."""
    chosen = default
    for override in overrides:
        key, _, value = override.lstrip("+~").partition("=")
        if key == "hydra/launcher":
            chosen = value
    if chosen not in LAUNCHER_EXTRAS:
        return
    package, extra = LAUNCHER_EXTRAS[chosen]
    if package_missing(package):
        raise ConfigError("hydra/launcher", f"'{chosen}' needs the '{extra}' extra, which is not "
                          f"installed: pip install 'ess-territories-sim[{extra}]' (from a "
                          f"checkout: pip install -e '.[{extra}]')")


def package_missing(package: str) -> bool:
    try:
        return find_spec(package) is None
    except ModuleNotFoundError:
        return True


def check_ray_reachable(launcher, timeout_s: float = RAY_CONNECT_TIMEOUT_S) -> None:
    """Refuse in one line, after at most `timeout_s`, a Ray cluster address nothing answers at
    (Ray itself would retry for minutes). `launcher`: the composed `hydra.launcher` node.
    Addresses Ray resolves itself (none: a new local Ray; `auto`, `local`, `ray://...`) pass."""
    if str(launcher.get("_target_")) not in RAY_LAUNCHERS:
        return
    init, field = launcher.ray.init, "hydra.launcher.ray.init.address"
    if OmegaConf.is_missing(init, "address"):
        raise ConfigError(field, "is required by this launcher; allowed: the address `ray "
                          "start --head` printed (e.g. 10.0.0.5:6379)")
    address = init.get("address")
    if address in (None, "auto", "local") or "://" in str(address):
        return
    host, _, port = str(address).rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(field, f"'{address}' is not HOST:PORT; allowed: the address `ray "
                          "start --head` printed (e.g. 10.0.0.5:6379), auto or local")
    problem = _ray_gcs_problem(str(address), timeout_s)
    if problem == TOKEN_NEEDED:
        raise ConfigError(field, f"the Ray cluster at {address} requires its authentication "
                          "token, which Ray sends only with RAY_AUTH_MODE=token: export "
                          "RAY_AUTH_MODE=token (the token: the head's ~/.ray/auth_token, here "
                          "or in RAY_AUTH_TOKEN_PATH / RAY_AUTH_TOKEN)")
    if problem:
        raise ConfigError(field, f"no Ray cluster answers at {address} within {timeout_s:g} s "
                          f"({problem}); allowed: the address of a running `ray start --head`")


# A call every Ray head's GCS serves; without the cluster's token it is refused as
# unauthenticated, which still proves a Ray GCS is there.
GCS_PROBE = "/ray.rpc.NodeInfoGcsService/GetClusterId"
# A GCS with token authentication (Ray's default when the head has a token) refuses a driver
# that does not send it, after retrying for a minute; Ray sends it only with RAY_AUTH_MODE=token.
TOKEN_NEEDED = "token needed"


def _ray_gcs_problem(address: str, timeout_s: float) -> str | None:
    """None when a Ray GCS answers at `address`, else what went wrong. A TCP connection is not
    enough: a proxy or another server may accept it."""
    import grpc

    with grpc.insecure_channel(address) as channel:
        try:
            channel.unary_unary(GCS_PROBE)(b"", timeout=timeout_s)
        except grpc.RpcError as error:
            code = error.code()
            if code == grpc.StatusCode.UNAUTHENTICATED:
                return None if os.environ.get("RAY_AUTH_MODE") == "token" else TOKEN_NEEDED
            if code == grpc.StatusCode.UNIMPLEMENTED:
                return "something answers there, but not a Ray GCS"
            return code.name.lower().replace("_", " ")
    return None
