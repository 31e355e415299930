"""A report whose figures are drawn by a pool of processes (issue 20, thirteenth session) is the
report drawn in one process: every file, byte for byte, and a figure's error still raised."""

from __future__ import annotations

import shutil

import pytest
from test_experiments_report import make_sweep

from sim.experiments import report
from sim.experiments.report import FigurePool, build_report, figure_workers


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory):
    alone = make_sweep(tmp_path_factory.mktemp("alone"))
    pooled = tmp_path_factory.mktemp("pooled") / "sweep"
    shutil.copytree(alone, pooled)
    build_report(alone, "en", workers=0)
    build_report(pooled, "en", workers=2)
    return alone / "report", pooled / "report"


def test_pooled_report_files_equal_the_in_process_ones(two_reports):
    alone, pooled = two_reports
    files = sorted(p.relative_to(alone) for p in alone.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(pooled) for p in pooled.rglob("*") if p.is_file())
    assert any(f.suffix == ".svg" for f in files) and any(f.suffix == ".png" for f in files)
    for f in files:
        assert (alone / f).read_bytes() == (pooled / f).read_bytes(), f
    assert "\x00" not in (pooled / "report.en.html").read_text(encoding="utf-8")


def _fails(*args):
    raise ValueError("no figure")


def test_a_figures_error_is_raised_by_fill(tmp_path):
    pool = FigurePool(1)
    try:
        token = pool.draw(_fails, (), tmp_path, "x")
        with pytest.raises(ValueError, match="no figure"):
            pool.fill(f"<p>{token}</p>")
    finally:
        pool.close()


def test_figure_workers_uses_at_most_two_processes(monkeypatch):
    monkeypatch.setattr(report.os, "cpu_count", lambda: 1)
    assert figure_workers() == 0
    monkeypatch.setattr(report.os, "cpu_count", lambda: 8)
    assert figure_workers() == 2
