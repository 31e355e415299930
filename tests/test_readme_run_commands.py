"""The README's `python -m sim` examples, executed as written, on two months.

A run example whose override Hydra or the schema refuses (a renamed key, a removed lever
parameter) fails here; the horizon is cut to two months and the run written into a temporary
folder, nothing else is changed. `python -m sim.experiments` examples are run by
tests/test_report_readme_commands.py.
"""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run_examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            command = line.split("  #")[0].strip()
            if (command == "python -m sim" or command.startswith("python -m sim ")) and (
                    command not in found):
                found.append(command)
    return found


EXAMPLES = _run_examples()


def test_the_readme_shows_run_examples():
    assert "python -m sim" in EXAMPLES and len(EXAMPLES) >= 4


@pytest.mark.parametrize("command", EXAMPLES)
def test_readme_run_example_works(command, tmp_path):
    words = [w for w in shlex.split(command)[3:] if not w.startswith("horizon_months=")]
    if "--cfg" not in words:
        words += ["horizon_months=2", f"hydra.run.dir={tmp_path / 'run'}"]
    done = subprocess.run([sys.executable, "-m", "sim", *words], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (command, done.stderr[-2000:])
    if "--cfg" in words:
        assert "horizon_months:" in done.stdout
    else:
        assert (tmp_path / "run" / "manifest.json").is_file()
