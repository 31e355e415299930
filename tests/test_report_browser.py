"""The report opened in Chromium, as a reader opens it: every image shows, no raw key is left.

Fails, never skips, when Chromium or Playwright is missing (install: .ci/install-browser.sh).
"""

import pytest

from sim.experiments import synthetic
from sim.experiments.arms import policies_override, resolve_arm
from sim.experiments.report import build_report
from sim.experiments.runner import RunSpec, execute_run
from sim.experiments.screenshot import inspect
from tests.test_experiments_report import make_sweep
from tests.test_report_first_screen import MULTIRUN


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    root = make_sweep(tmp_path_factory.mktemp("browser"), broken=True)
    (root / "multirun.yaml").write_text(MULTIRUN)
    return root


@pytest.fixture(scope="module")
def dose_sweep(tmp_path_factory):
    """A dose-response sweep (arms named by the user, 'land_trust_50'), and a lever package."""
    root = tmp_path_factory.mktemp("dose")
    declared = {"land_trust_50": {"policies": ["land_trust"], "dose": 0.5},
                "land_trust_100": {"policies": ["land_trust"], "dose": 1.0}}
    for arm in ("baseline", "land_trust_50", "land_trust_100", "impact_vat",
                "impact_vat+land_trust"):
        a = resolve_arm(arm, declared)
        for seed in range(3):
            execute_run(root / "runs" / arm / f"seed={seed}",
                        RunSpec(a, seed, (policies_override(a.levers), f"seed={seed}")),
                        synthetic.run, "synthetic")
    (root / "multirun.yaml").write_text(MULTIRUN)
    return root


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("which", ["sweep", "dose_sweep"])
def test_report_shows_every_image_and_no_untranslated_key(browser, request, which, lang):
    path = build_report(request.getfixturevalue(which), lang)
    page = browser.new_page()
    seen = inspect(page, path, lang)
    page.close()
    assert not seen.broken_images
    assert not seen.keys, sorted(set(seen.keys))
    assert "Occitanie" in seen.text
    if which == "dose_sweep":
        assert ("Relation dose-réponse" if lang == "fr" else "Dose-response") in seen.text


def test_inspect_finds_a_raw_key_and_a_broken_image(browser, tmp_path):
    page_file = tmp_path / "bad.html"
    page_file.write_text('<html><body><p>ess_jobs terminée complete</p>'
                         '<img alt="x" src="data:image/png;base64,AAAA"></body></html>')
    page = browser.new_page()
    seen = inspect(page, page_file, "fr")
    page.close()
    assert seen.broken_images == ["x"]
    assert set(seen.keys) == {"ess_jobs", "complete"}
