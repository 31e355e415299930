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
