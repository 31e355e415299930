"""`EventLog.count` is kept as events are appended: it must equal a scan of the log, on a
hand-made log and month by month on a run (the dashboard's feed reads it every month)."""

from __future__ import annotations

import numpy as np

from sim.dashboard.adapter import FEED_KINDS, Run, Settings
from sim.events import EventKind, EventLog, Labelled


def counts_by_scan(log: EventLog) -> dict:
    return {kind: log.scanned_count(kind) for kind in [None, *EventKind]}


def counts_kept(log: EventLog) -> dict:
    return {kind: log.count(kind) for kind in [None, *EventKind]}


def test_the_count_kept_equals_the_scan_on_a_hand_made_log():
    log = EventLog()
    assert counts_kept(log) == counts_by_scan(log) == dict.fromkeys([None, *EventKind], 0)
    log.record(0, EventKind.NEW_TIE, [4, 5], [1, 0], Labelled("firm=", np.array([12, 7])))
    log.record(0, "tender_won", [2], 2, "reserved")
    log.record(1, EventKind.TIE_LOST, 6, 0)
    log.record(1, EventKind.NEW_TIE, [], [])  # nothing recorded
    log.record(2, "new_tie", np.arange(3), 1)
    assert counts_kept(log) == counts_by_scan(log)
    assert log.count() == 7 and log.count(EventKind.NEW_TIE) == 5 and log.count("new_tie") == 5
    assert log.count(EventKind.TENDER_WON) == 1 and log.count(EventKind.FAILURE) == 0


def test_the_count_kept_equals_the_event_frame_every_month_of_a_run():
    run = Run(Settings("classroom", 1, {"matchmaking": 0.8, "reserved_markets": 0.7}, False))
    log = run.model.events
    seen = set()
    for _ in range(18):
        run.step()
        frame = run.model.events_frame()
        by_kind = frame["kind"].astype(str).value_counts()
        assert log.count() == len(frame) == log.scanned_count()
        for kind in EventKind:
            assert log.count(kind) == int(by_kind.get(str(kind), 0)) == log.scanned_count(kind), (
                run.month,
                kind,
            )
        seen |= {k for k in EventKind if log.count(k)}
    # A run in which nothing happens would test nothing: several kinds were recorded.
    assert len(seen) >= 5, seen
    # The feed (counts per month, from `count`) is what the frame says of each month: the
    # feed's month N is the month played from N - 1 (its events are logged at month N - 1).
    frame = run.model.events_frame()
    for month, counts in run.frames().feed:
        of_month = frame[frame["month"] == month - 1]["kind"].astype(str).value_counts()
        expected = {str(k): int(of_month[str(k)]) for k in FEED_KINDS if str(k) in of_month}
        assert counts == expected, month
