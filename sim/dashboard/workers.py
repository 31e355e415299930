"""`python -m sim.dashboard --workers N`: a class served by N server processes, every core used.

One Python process runs one core at most (the GIL), and a Solara session is stateful: its model
lives in the process that holds its websocket, so sessions cannot be spread request by request.
Instead the launcher starts N ordinary dashboard servers on ports of their own and answers the
address pupils are given with a redirect to one of them, in turn: from then on a pupil's page,
its reloads and its websocket all talk to that one process (stickiness by address, no proxy in
the data path, so no extra CPU per month). The session and memory caps are shared out between
the processes; class mode's classes are kept in one file they share (`classes.CLASSES_FILE_ENV`).

The pupils' address bar shows the worker's port; the room's firewall must let through the N
worker ports besides the one given to pupils (they are printed at start).
"""

from __future__ import annotations

import itertools
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sim.dashboard.classes import CLASSES_FILE_ENV

START_TIMEOUT_S = 180  # N processes importing the model at once on a loaded machine


def share(total: int, workers: int) -> int:
    """Each process's part of a cap (0: no cap stays no cap); rounded up, never below 1."""
    return 0 if total == 0 else max(1, math.ceil(total / workers))


def redirect_handler(processes: list[subprocess.Popen], ports: list[int]):
    """A request handler sending every visitor to the next live worker, in turn."""
    turn = itertools.cycle(range(len(ports)))
    lock = threading.Lock()

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self):  # http.server names it
            with lock:
                live = [i for i in range(len(ports)) if processes[i].poll() is None]
                chosen = next((i for i in (next(turn) for _ in ports) if i in live), None)
            if chosen is None:
                self.send_error(503, "no dashboard process is running")
                return
            host = (self.headers.get("Host") or "127.0.0.1").rsplit(":", 1)[0]
            self.send_response(307)
            self.send_header("Location", f"http://{host}:{ports[chosen]}{self.path}")
            self.send_header("Cache-Control", "no-store")  # each visit is shared out anew
            self.end_headers()

        do_HEAD = do_GET

        def log_message(self, *args):  # one line per pupil would drown the server's log
            pass

    return Redirect


def wait_until_serving(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
    raise SystemExit(f"error: the dashboard process for {url} did not start")


def serve(host: str, port: int, workers: int, worker_args: list[str],
          free_port, max_sessions: int, max_memory_mb: int) -> None:
    """Start `workers` dashboard processes and redirect visitors of host:port to them."""
    front = ThreadingHTTPServer((host, port), BaseHTTPRequestHandler)  # bound first: port checked
    ports = [free_port(host) for _ in range(workers)]
    classes_file = Path(tempfile.mkstemp(prefix="ess-classes-", suffix=".json")[1])
    env = os.environ | {CLASSES_FILE_ENV: str(classes_file)}
    processes = [subprocess.Popen(
        [sys.executable, "-m", "sim.dashboard", "--host", host, "--port", str(p),
         "--max-sessions", str(share(max_sessions, workers)),
         "--max-memory-mb", str(share(max_memory_mb, workers)), *worker_args],
        env=env, stdout=subprocess.DEVNULL) for p in ports]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        local = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        for p, process in zip(ports, processes, strict=True):
            wait_until_serving(f"http://{local}:{p}/", process, START_TIMEOUT_S)
        front.RequestHandlerClass = redirect_handler(processes, ports)
        print(f"ESS dashboard: http://{local}:{port}/", flush=True)
        print(f"  {workers} processes, on ports {', '.join(map(str, ports))} "
              "(each pupil is sent to one of them)", flush=True)
        front.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        front.server_close()
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        classes_file.unlink(missing_ok=True)
