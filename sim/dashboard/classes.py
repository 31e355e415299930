"""Class mode without accounts: a teacher opens a class, pupils join with its short code and
send their run's final numbers; the class sees every pupil's result in one table and histogram.

Each pupil runs their own experiment (their seed, their levers): the spread of the class's
results is a ready-made lesson on uncertainty, as NetLogo's HubNet gives a teacher. Classes live
in the server's memory only, bounded in number and size, and vanish with the server; nothing
names a pupil but the number the class gives them in the order they first sent a result. A
server of several processes (`--workers`) keeps them instead in one file they share
(`CLASSES_FILE_ENV`, a temporary file the launcher removes), locked for each operation: a pupil
served by one process joins the class the teacher opened on another.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

# Letters a class reads aloud without confusion (no I/O/0/1).
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 4
MAX_CLASSES = 20  # a school's worth at once; the oldest class goes first beyond it
MAX_RESULTS = 200  # per class: a few sends per pupil of a class of thirty


@dataclass(frozen=True)
class Result:
    """One pupil's run as sent: who (their number in the class), what they ran, what it gave."""

    pupil: int
    seed: int
    levers: str
    month: int
    numbers: dict[str, float]


@dataclass
class ClassRoom:
    code: str
    opened: float = field(default_factory=time.time)
    results: list[Result] = field(default_factory=list)
    pupils: dict[str, int] = field(default_factory=dict)  # session ticket -> pupil number


CLASSES_FILE_ENV = "ESS_DASHBOARD_CLASSES_FILE"
_classes: dict[str, ClassRoom] = {}
_lock = threading.Lock()


@contextmanager
def _rooms() -> Iterator[dict[str, ClassRoom]]:
    """Every class, for one operation: this process's own, or the file the server's processes
    share (read, then written back, under an exclusive lock)."""
    path = os.environ.get(CLASSES_FILE_ENV)
    if not path:
        with _lock:
            yield _classes
        return
    with _lock, open(path, "a+") as shared:
        fcntl.flock(shared, fcntl.LOCK_EX)
        shared.seek(0)
        stored = json.loads(shared.read() or "{}")
        rooms = {code: ClassRoom(code, room["opened"],
                                 [Result(**r) for r in room["results"]], room["pupils"])
                 for code, room in stored.items()}
        yield rooms
        shared.seek(0)
        shared.truncate()
        shared.write(json.dumps({code: asdict(room) for code, room in rooms.items()}))


def normalise(code: str) -> str:
    return "".join(str(code).split()).upper()


def open_class() -> str:
    """A new class and its code."""
    with _rooms() as rooms:
        while True:
            code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
            if code not in rooms:
                break
        if len(rooms) >= MAX_CLASSES:
            oldest = min(rooms.values(), key=lambda c: c.opened)
            del rooms[oldest.code]
        rooms[code] = ClassRoom(code)
        return code


def exists(code: str) -> bool:
    with _rooms() as rooms:
        return normalise(code) in rooms


def submit(code: str, session: str, seed: int, levers: str, month: int,
           numbers: dict[str, float]) -> int | None:
    """Record a pupil's result; their pupil number, or None if the class is unknown or full."""
    with _rooms() as rooms:
        room = rooms.get(normalise(code))
        if room is None or len(room.results) >= MAX_RESULTS:
            return None
        pupil = room.pupils.setdefault(session, len(room.pupils) + 1)
        room.results.append(Result(pupil, seed, levers, month, dict(numbers)))
        return pupil


def results(code: str) -> list[Result]:
    """The class's results, latest per pupil (a pupil who sends again replaces their row)."""
    with _rooms() as rooms:
        room = rooms.get(normalise(code))
        if room is None:
            return []
        latest = {r.pupil: r for r in room.results}
        return [latest[p] for p in sorted(latest)]
