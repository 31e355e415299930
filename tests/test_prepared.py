"""Light runs in sweeps (issue #20, item 2): a seed derived from an arm validated once gives
the outputs and manifest config of composing and validating that seed's config from scratch."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.api import run_config
from sim.config import ConfigError, compose_config
from sim.experiments.prepared import prepare_arm, run_seed

ARM = ["territory=tiny", "horizon_months=12", "policies=[land_trust,impact_finance]"]


def _same(derived, direct) -> None:
    for name, table in direct.tables().items():
        pd.testing.assert_frame_equal(derived.tables()[name], table, check_exact=True)
    assert derived.summary == direct.summary
    assert derived.manifest["config"] == direct.manifest["config"]
    assert derived.manifest["lever_settings"] == direct.manifest["lever_settings"]


def test_seeds_derived_from_one_validation_match_runs_composed_apart():
    arm = prepare_arm(compose_config(ARM))
    for seed in (3, 4, 3):  # seed 3 again: a run leaves the arm as it found it
        _same(run_seed(arm, seed), run_config(compose_config([*ARM, f"seed={seed}"])))


def test_a_derived_seed_out_of_range_is_refused_like_a_composed_one():
    arm = prepare_arm(compose_config(ARM))
    with pytest.raises(ConfigError, match="seed"):
        run_seed(arm, -1)
