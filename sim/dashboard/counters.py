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
# The same for the redraws sent to each playing page (`record_redraw`): the number of redraws
# sent so far in place of the month, so that `months_between` counts the redraws of a window.
REDRAWS_LOG_ENV = "ESS_DASHBOARD_REDRAWS_LOG"

_descriptors: dict[str, int] = {}
_lock = threading.Lock()


def record(session: str, month: int, env: str = MONTHS_LOG_ENV) -> None:
    """Note that `session` (this process's ticket) has reached `month`."""
    path = os.environ.get(env)
    if not path:
        return
    line = f"{os.getpid()} {session} {month} {time.monotonic():.4f}\n".encode()
    with _lock:
        if env not in _descriptors:
            _descriptors[env] = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.write(_descriptors[env], line)


def record_redraw(session: str, redraws: int) -> None:
    """Note that `session`'s page has been sent `redraws` redraws so far (`REDRAWS_LOG_ENV`)."""
    record(session, redraws, REDRAWS_LOG_ENV)


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


def key(session: str) -> str:
    """A session's key in the log (``pid/session``) from its name (``<pid>-<ticket>``,
    `app.session_name`)."""
    return f"{session.split('-')[0]}/{session}"


def reached(path: Path, session_key: str, month: int) -> float | None:
    """The monotonic time at which `session_key` reached `month` or beyond (None: never)."""
    for line in Path(path).read_text().splitlines():
        pid, session, logged, at = line.split()
        if f"{pid}/{session}" == session_key and int(logged) >= month:
            return float(at)
    return None


def rate_at(path: Path, session_key: str, moment: float, window_s: float) -> float:
    """Months per second `session_key` advanced over the `window_s` seconds up to `moment`, as
    the play loop measures the rate it shows (`pacing.Pacer.rate`)."""
    return months_between(path, moment - window_s, moment).get(session_key, 0) / window_s


def playing_rates(
    path: Path, start: float, end: float, horizon: int
) -> tuple[dict[str, float], list[str]]:
    """Each logged session's months per second over the part of the window [`start`, `end`]
    in which it was playing: a session that reached the run's last month (`horizon`) within
    the window is measured up to that month, one that had reached it before `start` is left
    out (its key is in the list returned). Pages clicked one after the other on a loaded
    machine: the first ones could finish their run before the last was clicked, and counted as
    sessions that advanced nothing."""
    before, after = months_at(path, start), months_at(path, end)
    rates, finished = {}, []
    for session, month in after.items():
        if before.get(session, 0) >= horizon:
            finished.append(session)
            continue
        until = end
        if month >= horizon:
            until = reached(path, session, horizon) or end
        rates[session] = (month - before.get(session, 0)) / max(until - start, 1e-9)
    return rates, finished
