"""Global sensitivity of an outcome to uncertain model parameters (SALib).

The study's levers are compared under one calibration; this asks which uncertain parameters the
conclusions hinge on. Morris screening (r·(D+1) runs) ranks D parameters by mu*; Sobol indices
(N·(D+2) runs) then give first-order and total effects with bootstrap intervals for the few that
matter. The design is regenerated from the experiment config with a fixed seed in every job, so
sample i means the same point in every worker and nothing has to be shared between them.

Config (`experiment.sensitivity`): `method` (morris|sobol), `parameters` ({dotted path: [low,
high]}, or `schema` to take the plausible range the config schema declares for that parameter,
see `sim.config.params.uncertain_parameters`), `morris` {trajectories, levels}, `sobol`
{base_samples}, `seed`, `outcome`.
"""

from functools import lru_cache

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

LEVEL = 0.95


def _frozen(cfg: DictConfig) -> str:
    return OmegaConf.to_yaml(cfg, resolve=True)


@lru_cache(maxsize=4)
def _problem_and_design(frozen: str) -> tuple[dict, np.ndarray]:
    cfg = OmegaConf.create(frozen)
    names = list(cfg.parameters.keys())
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [_bounds(name, cfg.parameters[name]) for name in names],
    }
    if cfg.method == "morris":
        from SALib.sample import morris

        x = morris.sample(problem, N=int(cfg.morris.trajectories),
                          num_levels=int(cfg.morris.levels), seed=int(cfg.seed))
    elif cfg.method == "sobol":
        from SALib.sample import sobol

        x = sobol.sample(problem, N=int(cfg.sobol.base_samples), calc_second_order=False,
                         seed=int(cfg.seed))
    else:
        raise ValueError(f"sensitivity.method={cfg.method!r}; choose morris or sobol")
    return problem, x


def _bounds(name: str, given) -> list[float]:
    """A parameter's [low, high]: as given, or the plausible range the schema declares."""
    if given != "schema":
        low, high = given
        return [float(low), float(high)]
    from sim.config.params import uncertain_parameters

    ranges = uncertain_parameters(levers=[name.split(".")[1]] if name.startswith("policies.")
                                  else ())
    if name not in ranges:
        raise ValueError(f"experiment.sensitivity.parameters.{name}: no plausible range in the "
                         "schema; give [low, high]")
    return [float(v) for v in ranges[name]]


def design(cfg: DictConfig) -> tuple[dict, np.ndarray]:
    """SALib problem and sample matrix (one row per run) for a sensitivity config."""
    return _problem_and_design(_frozen(cfg))


def point(cfg: DictConfig, sample: int) -> dict[str, float]:
    """Parameter values of sample `sample`, keyed by dotted config path."""
    problem, x = design(cfg)
    return {name: float(v) for name, v in zip(problem["names"], x[sample], strict=True)}


def analyse(cfg: DictConfig, y: np.ndarray) -> pd.DataFrame:
    """Indices for outcome values `y` ordered by sample: Morris mu*, sigma or Sobol S1, ST."""
    problem, x = design(cfg)
    if cfg.method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem, x, y, conf_level=LEVEL, num_resamples=1000,
                             seed=int(cfg.seed))
        cols = ["mu", "mu_star", "sigma", "mu_star_conf"]
    else:
        from SALib.analyze import sobol

        res = sobol.analyze(problem, y, calc_second_order=False, conf_level=LEVEL,
                            seed=int(cfg.seed))
        cols = ["S1", "S1_conf", "ST", "ST_conf"]
    table = pd.DataFrame({c: np.asarray(res[c], dtype=float) for c in cols})
    table.insert(0, "parameter", problem["names"])
    return table


def _design_range(*, _root_: DictConfig) -> str:
    """`${ess_design_range:}` in `hydra.sweeper.params.sample`: one job per design row."""
    _, x = design(_root_.experiment.sensitivity)
    return f"range(0,{len(x)})"


OmegaConf.register_new_resolver("ess_design_range", _design_range, replace=True)
