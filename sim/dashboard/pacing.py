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

# The rate shown is measured over this many seconds (`Pacer.rate`), and shown once this much of
# the run has played.
RATE_WINDOW_S = 3.0
RATE_MIN_SPAN_S = 1.0


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
    _done: deque = field(default_factory=lambda: deque(maxlen=256))
    _start: float | None = None  # when the first months were recorded

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
            now = self.clock()
            if self._start is None:
                self._start = now
            self._done.append((now, months))

    def pause(self, speed: float) -> float:
        return max(MIN_PAUSE_S, (1.0 - self.credit) / max(speed, 1e-9))

    def behind(self, speed: float) -> bool:
        """True when the months simulated over the last seconds fall short of `speed` (the
        server, busy with other sessions, cannot keep the pace asked)."""
        rate = self.rate()
        return 0.0 < rate < BEHIND_SHARE * speed

    def rate(self, window_s: float = RATE_WINDOW_S) -> float:
        """Months per second over the last `window_s` seconds of the wall clock, up to now:
        the months simulated in that window divided by the window (by the time since the first
        months, in the first seconds; 0 before `RATE_MIN_SPAN_S`). A stall counts: the page
        showed the rate between the first and the last month of the window, which left out the
        time since the last month and read high on a server too busy to keep up (the pages
        showed 2.8–3.9 months/s while the server counted 2.2–3.1)."""
        if self._start is None:
            return 0.0
        now = self.clock()
        span = min(window_s, now - self._start)
        if span < RATE_MIN_SPAN_S:
            return 0.0
        return sum(n for t, n in self._done if t > now - span) / span


# A run that reaches less than this share of its speed is behind (`Pacer.behind`).
BEHIND_SHARE = 0.9

# How often a playing page is redrawn, whatever the speed: the model advances as many months as
# the speed asks, the page shows the latest every `REDRAW_INTERVAL_S` (2 Hz). Redrawing cost
# ~30 ms of server CPU (Solara's render, diff and messages) against ~10 ms for the month itself,
# so at speed 4 a redraw per month held thirty sessions under 1 month/s on two cores.
REDRAW_INTERVAL_S = 0.5
# While a run falls behind its speed, its redraws space out up to this interval (`RedrawClock`).
# Measured with thirty sessions on two shared cores (eighth session, py-spy on a server process):
# a redraw (Reacton's render of the live views, frames, messages) cost ~17 ms of CPU and a month's
# step ~12 ms, so at one redraw per month half the server's time went to redraws.
REDRAW_INTERVAL_MAX_S = 2.0
# Each redraw that finds the run behind lengthens the interval by this factor, each that finds it
# keeping pace shortens it by the same: a few redraws take it from 0.5 s to 2 s and back.
REDRAW_BACKOFF = 1.5
# The map, the ties, the feed and the inspector (dearer to build, slower to read) follow at a
# lower rate, at most once every `VIEWS_REDRAWS` redraws; the headline numbers and the six charts
# at every redraw.
VIEWS_INTERVAL_S = 2.0
VIEWS_REDRAWS = 3
# Between two renders, the play loop sends the charts' new points at most this often (the month
# counter and the headline numbers follow every redraw): an update of the charts cost a pupil's
# Chromium ~13 ms of CPU per chart on screen, the dearest part of a redraw for the browser.
CHARTS_INTERVAL_S = 1.0


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


@dataclass
class RedrawClock:
    """When a playing page is redrawn: every `interval` seconds, from `REDRAW_INTERVAL_S` (2 Hz)
    while the run keeps its speed up to `REDRAW_INTERVAL_MAX_S` while it falls behind.

    The play loop steps and redraws in one thread, and a server process serves every session
    from one core: a redraw costs more CPU than a month of the classroom model. When the server
    cannot keep every session at its speed, each session's redraws space out, several months
    per redraw, so that the CPU goes to advancing months; the page still shows each redraw's
    month and the rate actually reached. `ready(behind)` is True when a redraw is due (the first
    call always); each redraw adapts the interval to `behind` (`Pacer.behind`).
    """

    clock: callable = time.monotonic
    interval: float = REDRAW_INTERVAL_S
    _last: float | None = None

    def ready(self, behind: bool) -> bool:
        now = self.clock()
        if self._last is not None:
            if now - self._last < self.interval:
                return False
            grown = self.interval * REDRAW_BACKOFF if behind else self.interval / REDRAW_BACKOFF
            self.interval = min(REDRAW_INTERVAL_MAX_S, max(REDRAW_INTERVAL_S, grown))
        self._last = now
        return True

    def views_interval(self) -> float:
        """Seconds between two redraws of the slower views (map, ties, feed, inspector)."""
        return max(VIEWS_INTERVAL_S, VIEWS_REDRAWS * self.interval)


@dataclass(frozen=True)
class Shown:
    """What the page shows of a run: one value, so that a redraw is one state change.

    `views_month` is the month of the slower views (map, ties, feed, inspector); `rate` the
    months per second reached while playing.
    """

    month: int = 0
    views_month: int = 0
    rate: float = 0.0


# A page that has not acknowledged a redraw for this long is sent the next one anyway (an
# acknowledgement lost, a page frozen in a background tab): at most one redraw every this many
# seconds to a page that does not answer.
ACK_TIMEOUT_S = 10.0


@dataclass
class Acks:
    """Whether the page has caught up with the redraws sent to it (`sim.dashboard.pulse`).

    The play loop sends a redraw's widget messages from its own thread, and each send waits
    until the websocket has taken it. A page starved of CPU (thirty Chromium pages on the
    server's two cores) reads its websocket late; once the socket's buffers are full, each send
    waited for the page, and the session's play loop advanced at the pace its page drew (most
    sessions at 0 months in 3 s with thirty pages). Now each redraw ends with a numbered ping
    the page answers once it has handled every message before it; the play loop redraws only a
    page that has answered the last one (`caught_up`), and skips — drops — the redraws a slow
    page cannot take, while the months go on. What is on the wire for a page is at most one
    redraw: the sends never wait for the page.
    """

    clock: callable = time.monotonic
    sent: int = 0
    acked: int = 0
    _sent_at: float = 0.0

    def caught_up(self) -> bool:
        """True when the page has answered the last ping (or has not for `ACK_TIMEOUT_S`)."""
        return self.acked >= self.sent or self.clock() - self._sent_at >= ACK_TIMEOUT_S

    def ping(self) -> int:
        """The number of the ping to send now."""
        self.sent += 1
        self._sent_at = self.clock()
        return self.sent

    def ack(self, number) -> None:
        """The page answered ping `number` (a number it cannot have received is ignored)."""
        try:
            number = int(number)
        except (TypeError, ValueError):
            return
        if number <= self.sent:
            self.acked = max(self.acked, number)
