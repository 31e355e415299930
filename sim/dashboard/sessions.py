"""How many pupils one server takes: a cap on open sessions and on the server's memory.

Each browser tab is a session with its own model (about 9 MB on the classroom territories, more
for a region). Solara keeps a session for `SOLARA_KERNEL_CULL_TIMEOUT` after its tab closes (24 h
by default; the launcher sets minutes), so a reload loop could otherwise grow memory without
bound on a classroom network. A session over the cap gets a one-line notice instead of a model.
The launcher passes its options through the environment, read when a session asks to be admitted.
"""

from __future__ import annotations

import itertools
import os
import threading
from dataclasses import dataclass

import psutil

MAX_SESSIONS_ENV = "ESS_DASHBOARD_MAX_SESSIONS"
# Set by `--workers` (sim.dashboard.workers): a file where this process keeps its number of open
# sessions, read by the front that sends each new pupil to the least-loaded process.
OPEN_COUNT_FILE_ENV = "ESS_DASHBOARD_OPEN_COUNT_FILE"
MAX_MEMORY_ENV = "ESS_DASHBOARD_MAX_MEMORY_MB"
# Defaults: a class of thirty and its teacher with reloads to spare; 4 GB leaves room on an
# 8 GB laptop for the browser and the system.
DEFAULT_MAX_SESSIONS = 40
DEFAULT_MAX_MEMORY_MB = 4096

_open: set[int] = set()
_ids = itertools.count(1)
_lock = threading.Lock()


@dataclass(frozen=True)
class Admission:
    """A session's ticket (`ticket` is None when refused; `reason` says why: 'sessions' or
    'memory'; `open` counts the sessions open when it asked)."""

    ticket: int | None
    reason: str = ""
    open: int = 0


def limits() -> tuple[int, int]:
    """(max sessions, max resident memory in MB), 0 meaning no limit."""
    return (
        int(os.environ.get(MAX_SESSIONS_ENV, DEFAULT_MAX_SESSIONS)),
        int(os.environ.get(MAX_MEMORY_ENV, DEFAULT_MAX_MEMORY_MB)),
    )


def resident_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def admit() -> Admission:
    """A ticket for a new session, unless the server is at its session or memory cap."""
    max_sessions, max_memory_mb = limits()
    with _lock:
        if max_sessions and len(_open) >= max_sessions:
            return Admission(None, "sessions", len(_open))
        if max_memory_mb and resident_mb() >= max_memory_mb:
            return Admission(None, "memory", len(_open))
        ticket = next(_ids)
        _open.add(ticket)
        _report()
        return Admission(ticket, "", len(_open))


def release(ticket: int | None) -> None:
    """Give a session's place back (when Solara closes or culls it)."""
    with _lock:
        _open.discard(ticket)
        _report()


def _report() -> None:
    """Write the number of open sessions where the `--workers` front reads it (under `_lock`;
    written whole then renamed, so the front never reads half a number)."""
    path = os.environ.get(OPEN_COUNT_FILE_ENV)
    if not path:
        return
    partial = f"{path}.{os.getpid()}.tmp"
    with open(partial, "w") as out:
        out.write(str(len(_open)))
    os.replace(partial, path)


def open_count() -> int:
    with _lock:
        return len(_open)
