"""The README's validation and dashboard commands, executed as written, small and bounded.

`python -m sim.validation` runs with two seeds over three months on the default region, with the
national and emergent checks off (the flags the module offers), into a temporary folder; the
README's own arguments are kept. `python -m sim.dashboard` starts on a free port, must answer its
page, and is stopped by its PID. A renamed flag or module, or a server that no longer starts,
fails here.
"""

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SMALL_VALIDATION = ["--seeds", "2", "--months", "3", "--workers", "1", "--no-national",
                    "--no-emergent"]


def _commands(module: str) -> list[str]:
    """Each README line that runs `python -m <module>` (after any `&&`), comments cut."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            for part in line.split("  #")[0].split("&&"):
                command = part.strip()
                if (command == f"python -m {module}" or command.startswith(
                        f"python -m {module} ")) and command not in found:
                    found.append(command)
    return found


def test_the_readme_shows_validation_and_dashboard_commands():
    assert _commands("sim.validation") and _commands("sim.dashboard")


@pytest.mark.parametrize("command", _commands("sim.validation"))
def test_readme_validation_command_runs(command, tmp_path):
    args = shlex.split(command)[3:]
    out = tmp_path / "validation"
    run = subprocess.run([sys.executable, "-m", "sim.validation", *args, *SMALL_VALIDATION,
                          "--out", str(out)], cwd=tmp_path, capture_output=True, text=True,
                         timeout=600)
    # exit 1 means some fact fails on three months and two seeds: a verdict, not a crash
    assert run.returncode in (0, 1), run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    assert (out / "report.md").is_file()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("command", _commands("sim.dashboard"))
def test_readme_dashboard_command_serves_its_page(command, tmp_path):
    port = _free_port()
    args = [*shlex.split(command)[3:], "--port", str(port)]
    server = subprocess.Popen([sys.executable, "-m", "sim.dashboard", *args], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    try:
        deadline, status = time.monotonic() + 180, None
        while status is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
                    status = page.status
            except OSError:
                time.sleep(1)
        assert server.poll() is None, server.stdout.read()[-2000:]
        assert status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
