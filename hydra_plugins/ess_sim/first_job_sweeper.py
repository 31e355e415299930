"""`hydra/sweeper=first_job`: Hydra's basic sweeper (same settings: `params`, `max_batch_size`),
checking only the first job's config before a batch starts (see `sim.experiments.runner`)."""

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper


class FirstJobSweeper(BasicSweeper):
    """Hydra's basic sweeper composes every job's config in the launching process before the
    first job starts (a quarter to a full second each with the model's schema: up to two minutes
    for a 120-run comparison). Jobs of an experiment differ only by plain values (arm, seed,
    sample), so composing the first finds the same errors; every job still composes its own
    config where it runs."""

    def validate_batch_is_legal(self, batch) -> None:
        super().validate_batch_is_legal(batch[:1])
