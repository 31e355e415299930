"""Ships the top-level Hydra tree ``configs/`` inside the wheel as ``sim/conf``, so an installed
package finds its configs from any directory, and the project's Hydra plugins under the
``hydra_plugins`` namespace (metadata lives in pyproject.toml).

Every folder that ships data is named as a package of its own (the config groups under
``sim.conf``, the territory tables in ``sim.territories.data``): setuptools warns that folders
shipped as mere data of their parent will stop being installed."""

from setuptools import find_namespace_packages, find_packages, setup

CONFIG_PACKAGES = ["sim.conf", *(f"sim.conf.{group}"
                                 for group in find_namespace_packages(where="configs"))]

setup(
    packages=[*find_packages(include=["sim", "sim.*"]), "sim.territories.data",
              *CONFIG_PACKAGES, *find_namespace_packages(include=["hydra_plugins.*"])],
    package_dir={"sim.conf": "configs"},
    package_data={
        **{package: ["*.yaml"] for package in CONFIG_PACKAGES},
        "sim.territories.data": ["*.csv", "*.md"],
    },
)
