"""One clock per command: `${now:...}` is the moment the output folder was claimed.

`python -m sim` and `python -m sim.experiments` compose the config, check and claim the run or
sweep folder, then hand over to Hydra, which composes it again. A folder named with
`${now:...}` (the default ones, or a user's `hydra.run.dir=out/${now:%H-%M-%S}`) would then be
resolved anew and, when a second boundary passes in between, Hydra would write into another
folder than the one claimed. Hydra registers its `now` resolver again when it starts and a
command-line override beats any config, so the claim's moment reaches Hydra as a callback
(`claimed_clock_node`, first of the callbacks) that makes `now` that moment before anything
reads the folder: every `${now:...}` of the command then resolves once, to the same time.
"""

from __future__ import annotations

from datetime import datetime

from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

CALLBACK = "ess_claimed_clock"


def freeze_now(moment: datetime) -> None:
    """`${now:PATTERN}` gives `moment` formatted, from now on in this process (Hydra's own
    resolver gives the time it is called)."""
    OmegaConf.register_new_resolver("now", lambda pattern: moment.strftime(pattern),
                                    use_cache=True, replace=True)


class ClaimedClock(Callback):
    """Hydra callback: `${now:...}` is the claim's moment for the run or the sweep (jobs compose
    their configs from the sweep's, cache included, as Hydra does)."""

    def __init__(self, moment: str) -> None:
        self.moment = datetime.fromisoformat(moment)

    def on_run_start(self, config: DictConfig, **kwargs) -> None:
        self._apply(config)

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        self._apply(config)

    def _apply(self, config: DictConfig) -> None:
        freeze_now(self.moment)
        configs = [config]
        if HydraConfig.initialized():
            configs.append(HydraConfig.instance().cfg)
        for cfg in configs:  # forget any `now` read before this callback
            cache = OmegaConf.get_cache(cfg)
            cache.pop("now", None)
            OmegaConf.set_cache(cfg, cache)


def claimed_clock_node(main_config: str, moment: datetime) -> dict:
    """A main config for Hydra's ConfigStore: `main_config` with the clock's callback first of
    the callbacks (`_self_` first in the defaults, so that its key comes before the others')."""
    return {"defaults": ["_self_", main_config],
            "hydra": {"callbacks": {CALLBACK: {
                "_target_": f"{__name__}.{ClaimedClock.__name__}",
                "moment": moment.isoformat()}}}}
