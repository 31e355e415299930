"""`python -m sim.dashboard --workers N`: a class served by N server processes, every core used.

One Python process runs one core at most (the GIL), and a Solara session is stateful: its model
lives in the process that holds its websocket, so sessions cannot be spread request by request.
Instead the launcher starts N ordinary dashboard servers on ports of their own and answers the
address pupils are given with a redirect to one of them: from then on a pupil's page, its
reloads and its websocket all talk to that one process (stickiness by address, no proxy in the
data path, so no extra CPU per month). Each new visitor goes to the process with the fewest
sessions open (each process keeps its count in a file, `sessions.OPEN_COUNT_FILE_ENV`), counting
the visitors sent to it in the last seconds whose session may not be open yet; ties in turn. In
turn alone, pupils who close their tab while others arrive could leave one process with most of
the class. The session and memory caps are shared out between the processes; class mode's
classes are kept in one file they share (`classes.CLASSES_FILE_ENV`).

The pupils' address bar shows the worker's port; the room's firewall must let through the N
worker ports besides the one given to pupils (they are printed at start).
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sim.dashboard.classes import CLASSES_FILE_ENV
from sim.dashboard.sessions import OPEN_COUNT_FILE_ENV

START_TIMEOUT_S = 180  # N processes importing the model at once on a loaded machine
# A visitor sent to a process counts towards its load for this long: time enough for the page
# to load and open its session on a loaded machine (then the process's own count has it; it is
# counted twice until then, the same for every process in a burst of arrivals).
IN_FLIGHT_S = 15.0


def share(total: int, workers: int) -> int:
    """Each process's part of a cap (0: no cap stays no cap); rounded up, never below 1."""
    return 0 if total == 0 else max(1, math.ceil(total / workers))


class Balancer:
    """Chooses the process for a new visitor: the fewest sessions open, as each process reports
    in its count file, plus the visitors sent to it in the last `IN_FLIGHT_S` seconds (a burst
    of pupils would otherwise all go to the process that looked emptiest before their sessions
    opened); ties are broken in turn."""

    def __init__(self, count_files: list[Path | None], clock=time.monotonic):
        self.count_files = count_files
        self.clock = clock
        self.sent = [deque() for _ in count_files]
        self.turn = 0
        self.lock = threading.Lock()

    def open_sessions(self, i: int) -> int:
        path = self.count_files[i]
        try:
            return int(Path(path).read_text()) if path else 0
        except (OSError, ValueError):  # not written yet: no session opened
            return 0

    def choose(self, live: list[int]) -> int | None:
        """The index of the process (among `live`) the next visitor is sent to."""
        with self.lock:
            now = self.clock()
            for sent in self.sent:
                while sent and now - sent[0] > IN_FLIGHT_S:
                    sent.popleft()
            if not live:
                return None
            start = self.turn % len(live)
            order = live[start:] + live[:start]
            chosen = min(order, key=lambda i: self.open_sessions(i) + len(self.sent[i]))
            self.turn += 1
            self.sent[chosen].append(now)
            return chosen


def redirect_handler(processes: list[subprocess.Popen], ports: list[int],
                     balancer: Balancer | None = None):
    """A request handler sending every visitor to the least-loaded live worker."""
    balancer = balancer or Balancer([None] * len(ports))

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self):  # http.server names it
            live = [i for i in range(len(ports)) if processes[i].poll() is None]
            chosen = balancer.choose(live)
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
    counts = Path(tempfile.mkdtemp(prefix="ess-open-"))
    count_files = [counts / f"{p}.count" for p in ports]
    env = os.environ | {CLASSES_FILE_ENV: str(classes_file)}
    processes = [subprocess.Popen(
        [sys.executable, "-m", "sim.dashboard", "--host", host, "--port", str(p),
         "--max-sessions", str(share(max_sessions, workers)),
         "--max-memory-mb", str(share(max_memory_mb, workers)), *worker_args],
        env=env | {OPEN_COUNT_FILE_ENV: str(f)}, stdout=subprocess.DEVNULL)
        for p, f in zip(ports, count_files, strict=True)]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        local = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        for p, process in zip(ports, processes, strict=True):
            wait_until_serving(f"http://{local}:{p}/", process, START_TIMEOUT_S)
        front.RequestHandlerClass = redirect_handler(processes, ports, Balancer(count_files))
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
        shutil.rmtree(counts, ignore_errors=True)
