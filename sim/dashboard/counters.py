"""Months each session has advanced, logged by the server for the load benchmark.

The load benchmark used to read each page's month counter, which with thirty Chromium pages on
the server's own cores took minutes and lost pages whose counter did not render in time: it
measured the pages, not the server. When `MONTHS_LOG_ENV` names a file, every server process
appends one line per advance of a session: ``<pid> <session> <month> <monotonic seconds>``. Lines
are written with one `os.write` on an ``O_APPEND`` descriptor, so several server processes share
the file without interleaving; the monotonic clock is the machine's, common to every process.
Without the variable (a classroom), nothing is written.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from pathlib import Path

MONTHS_LOG_ENV = "ESS_DASHBOARD_MONTHS_LOG"

_descriptor: int | None = None
_lock = threading.Lock()


def record(session: str, month: int) -> None:
    """Note that `session` (this process's ticket) has reached `month`."""
    global _descriptor
    path = os.environ.get(MONTHS_LOG_ENV)
    if not path:
        return
    line = f"{os.getpid()} {session} {month} {time.monotonic():.4f}\n".encode()
    with _lock:
        if _descriptor is None:
            _descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.write(_descriptor, line)


def months_at(path: Path, moment: float) -> dict[str, int]:
    """Each logged session's month at the monotonic time `moment` (keyed ``pid/session``; a
    session with no line by then is at month 0, where every run starts)."""
    reached: dict[str, int] = defaultdict(int)
    if not Path(path).exists():
        return dict(reached)
    for line in Path(path).read_text().splitlines():
        pid, session, month, at = line.split()
        key = f"{pid}/{session}"
        reached[key] = reached[key] if float(at) > moment else max(reached[key], int(month))
    return dict(reached)


def months_between(path: Path, start: float, end: float) -> dict[str, int]:
    """Months each logged session advanced between the monotonic times `start` and `end`."""
    before, after = months_at(path, start), months_at(path, end)
    return {key: after[key] - before.get(key, 0) for key in after}
