"""The dashboard's security defaults, checked on a running server (no browser needed).

A classroom laptop runs the dashboard on networks its owner does not control, so by default
the server must listen on loopback only, offer no way to upload a file, and send nothing about
its users anywhere (Solara's telemetry posts to mixpanel.com unless turned off). These tests
start the server as users do, `main()` of `python -m sim.dashboard` with no option, and look at
the process from outside: its listening sockets, connection attempts on this machine's other
addresses, and its outgoing HTTP, through a proxy trap on loopback that answers every request
with 403 (nothing is sent off this machine). A probe thread, started before `main()` and only
reading, reports the settings the server actually uses: its environment cannot be read from
/proc, which shows only the variables a process started with, not those the launcher sets.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "sim" / "dashboard"
LOOPBACK = {"127.0.0.1", "::1"}

# `python -m sim.dashboard`, plus a read-only probe that answers once the test asks (after the
# page has been served, so everything the server imports is imported).
PROBE = """
import json, os, sys, threading, time
from pathlib import Path

answer = Path(sys.argv.pop(1))

def probe():
    while not answer.with_suffix(".ask").exists():
        time.sleep(0.05)
    from solara.server import settings, telemetry
    answer.write_text(json.dumps({
        "env": os.environ.get("SOLARA_TELEMETRY_MIXPANEL_ENABLE"),
        "mixpanel_enable": settings.telemetry.mixpanel_enable,
        "telemetry_thread_started": telemetry._thread.ident is not None,
    }))

threading.Thread(target=probe, daemon=True).start()
from sim.dashboard.__main__ import main
main()
"""


class ProxyTrap:
    """An HTTP(S) proxy on loopback that records each request line and answers 403: given to
    the server as its proxy, it catches any request the server makes to another machine."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.requests: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.requests.append(conn.recv(4096).split(b"\r\n")[0].decode(errors="replace"))
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    continue

    def env(self) -> dict[str, str]:
        url = f"http://127.0.0.1:{self.port}"
        return {name: url for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
                                       "https_proxy", "ALL_PROXY", "all_proxy")} | {
            "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}

    def close(self):
        self.sock.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def trap():
    trap = ProxyTrap()
    yield trap
    trap.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, trap):
    """The dashboard with its default host, on a free port, up and serving its page."""
    folder = tmp_path_factory.mktemp("dashboard")
    answer, log = folder / "probe.json", folder / "server.log"
    port = _free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", PROBE, str(answer), "--port", str(port)], cwd=ROOT,
            env=os.environ | {"PYTHONPATH": str(ROOT)} | trap.env(), stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log.read_text()
            printed = re.search(r"ESS dashboard: (http://\S+/)", log.read_text())
            if printed:
                try:
                    with urllib.request.urlopen(printed.group(1), timeout=5) as page:
                        assert page.status == 200
                        break
                except OSError:
                    pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        answer.with_suffix(".ask").touch()
        while not answer.exists() or not answer.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        yield {"process": psutil.Process(process.pid), "port": port, "url": printed.group(1),
               "probe": json.loads(answer.read_text())}
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _listening(process: psutil.Process) -> set[tuple[str, int]]:
    return {(c.laddr.ip, c.laddr.port) for c in process.net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN}


def _other_addresses() -> list[tuple[int, str]]:
    """This machine's own non-loopback addresses (link-local IPv6 left out: it needs a scope)."""
    found = []
    for addresses in psutil.net_if_addrs().values():
        for a in addresses:
            if a.family in (socket.AF_INET, socket.AF_INET6) and a.address not in LOOPBACK \
                    and not a.address.startswith("fe80"):
                found.append((a.family, a.address))
    return found


def test_listens_on_loopback_only_by_default(server):
    """The printed address and the only listening socket are 127.0.0.1."""
    assert server["url"] == f"http://127.0.0.1:{server['port']}/"
    assert _listening(server["process"]) == {("127.0.0.1", server["port"])}


def test_other_addresses_of_this_machine_are_refused(server):
    """A connection to the server's port on this machine's network addresses is refused. The
    same connection to a socket listening on that address succeeds, so a refusal means the
    server is not there, not that such connections never work here."""
    others = _other_addresses()
    if not others:
        pytest.skip("this machine has no network address besides loopback")
    for family, address in others:
        with socket.socket(family) as control:
            control.bind((address, 0))
            control.listen()
            socket.create_connection((address, control.getsockname()[1]), timeout=2).close()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((address, server["port"]), timeout=2).close()


def test_telemetry_is_off_and_nothing_is_sent(server, trap):
    """The launched server's environment and Solara's own setting say telemetry is off, its
    thread never started, and the server asked the proxy for nothing, at start or serving a
    page. The trap works: a request made with the same environment reaches it."""
    assert server["probe"] == {"env": "False", "mixpanel_enable": False,
                               "telemetry_thread_started": False}
    with urllib.request.urlopen(server["url"], timeout=5) as page:
        assert page.status == 200
    time.sleep(1)  # Solara's telemetry would post at once, in a thread
    assert trap.requests == []
    subprocess.run([sys.executable, "-c",
                    "import requests\ntry: requests.get('https://api.mixpanel.com/', timeout=5)\n"
                    "except Exception: pass"],
                   env=os.environ | trap.env(), check=True, timeout=60)
    assert trap.requests == ["CONNECT api.mixpanel.com:443 HTTP/1.1"]
    trap.requests.clear()


# Solara's widgets that take a file from the user, and the plain HTML way to ask for one.
UPLOAD = re.compile(r"FileDrop|file_drop|FileInput|upload|type\s*=\s*[\"']?file", re.IGNORECASE)


def test_no_file_upload_component():
    """No widget or HTML of the dashboard lets a visitor send a file to the server."""
    sources = sorted(p for p in DASHBOARD.rglob("*") if p.suffix in (".py", ".vue", ".html",
                                                                      ".js", ".css"))
    assert any(p.name == "app.py" for p in sources)
    found = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
             for p in sources for n, line in enumerate(p.read_text().splitlines(), 1)
             if UPLOAD.search(line)]
    assert found == []
