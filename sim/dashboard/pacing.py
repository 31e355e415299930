"""The play loop's clock: how many months are due, how long to wait, how fast the run really goes.

Kept apart from the page so that its arithmetic is tested without a browser: a run that ends
with unspent credit once asked `time.sleep` for a negative time and replaced the page with a
traceback.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

# Shortest pause between two drawn months. The play loop renders the page from its own thread,
# under the session's render lock: without a pause, clicks (Pause, Reset, a lever) wait behind
# a stream of renders.
MIN_PAUSE_S = 0.05


@dataclass
class Pacer:
    """Months fall due at `speed` per second of wall clock, with at most one second in hand.

    `due()` says how many months to simulate now, `pause()` how long to sleep before asking
    again (never negative, never shorter than `MIN_PAUSE_S`), `rate()` the months per second
    actually simulated over the last few seconds.
    """

    clock: callable = time.monotonic
    credit: float = 1.0  # the first month is due at once
    _last: float | None = None
    _done: deque = field(default_factory=lambda: deque(maxlen=64))

    def due(self, speed: float) -> int:
        now = self.clock()
        if self._last is not None:
            self.credit = min(self.credit + (now - self._last) * speed, max(speed, 1.0))
        self._last = now
        months = int(self.credit)
        self.credit -= months
        return months

    def record(self, months: int) -> None:
        """Note that `months` months were simulated just now."""
        if months:
            self._done.append((self.clock(), months))

    def pause(self, speed: float) -> float:
        return max(MIN_PAUSE_S, (1.0 - self.credit) / max(speed, 1e-9))

    def rate(self, window_s: float = 3.0) -> float:
        """Months per second over the last `window_s` seconds (0 before two records)."""
        now = self.clock()
        recent = [(t, n) for t, n in self._done if now - t <= window_s]
        if len(recent) < 2:
            return 0.0
        span = recent[-1][0] - recent[0][0]
        return sum(n for _, n in recent[1:]) / span if span > 0 else 0.0


# How often a playing page is redrawn, whatever the speed: the model advances as many months as
# the speed asks, the page shows the latest every `REDRAW_INTERVAL_S` (2 Hz). Redrawing cost
# ~30 ms of server CPU (Solara's render, diff and messages) against ~10 ms for the month itself,
# so at speed 4 a redraw per month held thirty sessions under 1 month/s on two cores.
REDRAW_INTERVAL_S = 0.5
# The map, the ties, the feed and the inspector (dearer to build, slower to read) follow at a
# lower rate; the headline numbers and the six charts at every redraw.
VIEWS_INTERVAL_S = 2.0


@dataclass
class Throttle:
    """True at most once every `interval_s` of `clock` (the first call is always True)."""

    interval_s: float
    clock: callable = time.monotonic
    _last: float | None = None

    def ready(self) -> bool:
        now = self.clock()
        if self._last is not None and now - self._last < self.interval_s:
            return False
        self._last = now
        return True


@dataclass(frozen=True)
class Shown:
    """What the page shows of a run: one value, so that a redraw is one state change.

    `views_month` is the month of the slower views (map, ties, feed, inspector); `rate` the
    months per second reached while playing.
    """

    month: int = 0
    views_month: int = 0
    rate: float = 0.0
