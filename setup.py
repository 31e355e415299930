"""Ships the top-level Hydra tree ``configs/`` inside the wheel as ``sim/conf``, so an installed
package finds its configs from any directory, and the project's Hydra plugins under the
``hydra_plugins`` namespace (metadata lives in pyproject.toml)."""

from setuptools import find_namespace_packages, find_packages, setup

setup(
    packages=[*find_packages(include=["sim", "sim.*"]), "sim.conf",
              *find_namespace_packages(include=["hydra_plugins.*"])],
    package_dir={"sim.conf": "configs"},
    package_data={
        "sim.conf": ["*.yaml", "**/*.yaml"],
        "sim.territories": ["data/*.csv", "data/*.md"],
    },
)
