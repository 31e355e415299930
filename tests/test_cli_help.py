"""`--help` of the run command is a short description with examples, not Hydra's config dump."""

from __future__ import annotations

import subprocess
import sys


def test_run_command_help_is_short_and_has_examples():
    done = subprocess.run([sys.executable, "-m", "sim", "--help"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("usage: python -m sim")
    assert "Examples:" in done.stdout and len(lines) < 60
    assert "horizon_months: 120" not in done.stdout  # no config dump
