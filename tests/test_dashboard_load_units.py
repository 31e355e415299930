"""A class's load without a browser: charts' appended points, the server's months log, the
classes shared between processes, and the multi-process launcher's redirect and caps."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer

import pandas as pd
import pytest

from sim.dashboard import classes, counters, workers
from sim.dashboard.chart import appended_message, appended_rows
from sim.dashboard.figures import panel_option


def _series(months: int) -> pd.DataFrame:
    return pd.DataFrame({"month": range(months), "ess_enterprises": [10.0 + m for m in
                                                                    range(months)]})


def _option(months: int, lang: str = "fr", font_px: int = 13) -> dict:
    return panel_option("ess_enterprises", _series(months), _series(months), lang,
                        has_levers=True, font_px=font_px)


def test_a_chart_sends_only_the_months_a_redraw_adds():
    rows = appended_rows(_option(5), _option(8))
    assert rows == [[[6.0, 15.0], [7.0, 16.0], [8.0, 17.0]]] * 2  # both runs' three months
    assert appended_rows(_option(8), _option(8)) == [[], []]


def test_charts_in_one_widget_send_their_new_months_in_one_message():
    """Six panels, one message: per chart and per series, where the points start and the
    points; nothing when no month was added; the whole options when one chart changed."""
    old, new = [_option(5)] * 6, [_option(8)] * 6
    message = appended_message(old, new)
    assert message["start"] == [[5, 5]] * 6
    assert message["rows"] == [appended_rows(_option(5), _option(8))] * 6
    assert appended_message(new, new) == {}
    assert appended_message(old, [*new[:5], _option(8, lang="en")]) is None
    assert appended_message(old, new[:5]) is None  # another number of charts
    assert appended_message(None, new) is None


@pytest.mark.parametrize("other", [
    lambda: _option(8, lang="en"),  # a legend or title changed
    lambda: _option(8, font_px=18),  # projector mode
    lambda: _option(3),  # fewer months: another run
    lambda: panel_option("ess_enterprises", _series(8), None, "fr", has_levers=True),
])
def test_anything_but_new_months_sends_the_whole_option(other):
    assert appended_rows(_option(5), other()) is None


def test_a_new_run_with_as_many_months_and_other_values_is_sent_whole():
    changed = _option(8)
    changed["series"][0]["data"][4][1] += 1  # the last point the page has differs
    assert appended_rows(_option(5), changed) is None
    assert appended_rows(None, _option(5)) is None


def test_months_log_counts_each_session_over_a_window(tmp_path, monkeypatch):
    log = tmp_path / "months.log"
    log.write_text("10 1 3 100.0\n10 1 9 104.0\n10 2 4 101.0\n11 1 2 99.0\n11 1 12 105.5\n"
                   "10 1 14 107.0\n")
    advanced = counters.months_between(log, 100.5, 106.0)
    # pid 10 ticket 1: month 3 at the start, 9 at the end; pid 11's ticket 1 is another pupil.
    assert advanced == {"10/1": 6, "10/2": 4, "11/1": 10}
    monkeypatch.setenv(counters.MONTHS_LOG_ENV, str(tmp_path / "written.log"))
    counters.record("7", 5)
    pid, session, month, _ = (tmp_path / "written.log").read_text().split()
    assert (session, month) == ("7", "5") and int(pid) > 0


def test_classes_are_shared_by_the_server_processes_through_their_file(tmp_path):
    """A class opened by one process is joined, and its results read, from another."""
    shared = tmp_path / "classes.json"
    code = subprocess.run(
        [sys.executable, "-c", "from sim.dashboard import classes; print(classes.open_class())"],
        env={**os.environ, classes.CLASSES_FILE_ENV: str(shared)},
        capture_output=True, text=True, check=True).stdout.strip()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(classes.CLASSES_FILE_ENV, str(shared))
        assert classes.exists(code.lower())
        assert classes.submit(code, "11-1", 3, "", 12, {"ess_jobs": 5.0}) == 1
        assert classes.submit(code, "12-1", 4, "", 12, {"ess_jobs": 6.0}) == 2  # other process
        assert [r.seed for r in classes.results(code)] == [3, 4]
    assert not classes.exists(code)  # this process's own memory never saw it


def test_caps_are_shared_out_between_processes():
    assert workers.share(40, 2) == 20
    assert workers.share(5, 2) == 3
    assert workers.share(0, 3) == 0  # no cap stays no cap
    assert workers.share(1, 4) == 1


class _Process:
    def __init__(self, alive: bool):
        self.alive = alive

    def poll(self):
        return None if self.alive else 1


def _locations(processes, ports, visits: int) -> list[str]:
    front = ThreadingHTTPServer(("127.0.0.1", 0), workers.redirect_handler(processes, ports))
    threading.Thread(target=front.serve_forever, daemon=True).start()
    found = []
    try:
        for _ in range(visits):
            connection = http.client.HTTPConnection("127.0.0.1", front.server_port, timeout=5)
            connection.request("GET", "/?seed=3&territory=classroom")
            answer = connection.getresponse()
            found.append((answer.status, answer.getheader("Location")))
            connection.close()
    finally:
        front.shutdown()
        front.server_close()
    return found


def test_visitors_are_sent_to_the_live_processes_in_turn_with_their_link():
    answers = _locations([_Process(True), _Process(False), _Process(True)], [7001, 7002, 7003], 4)
    assert {status for status, _ in answers} == {307}
    ports = [location.split(":")[2].split("/")[0] for _, location in answers]
    assert ports == ["7001", "7003", "7001", "7003"]  # the dead one is skipped
    assert all(location.endswith("/?seed=3&territory=classroom") for _, location in answers)
    assert _locations([_Process(False)], [7001], 1) == [(503, None)]


def test_workers_below_one_is_one_line():
    done = subprocess.run([sys.executable, "-m", "sim.dashboard", "--workers", "0"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: --workers must be >= 1, not 0"


def test_a_new_visitor_goes_to_the_process_with_fewest_sessions_open(tmp_path):
    """The count each process writes decides; a visitor just sent counts until its session
    opens, so a burst of arrivals is shared out rather than sent to one process."""
    files = [tmp_path / "a.count", tmp_path / "b.count"]
    files[0].write_text("5")
    files[1].write_text("2")
    now = [0.0]
    balancer = workers.Balancer(files, clock=lambda: now[0])
    assert [balancer.choose([0, 1]) for _ in range(3)] == [1, 1, 1]  # 2, 3, 4 then 5 each
    assert balancer.choose([0, 1]) in (0, 1)
    now[0] += workers.IN_FLIGHT_S + 1  # the visitors' sessions never opened: forgotten
    assert balancer.choose([0, 1]) == 1
    assert balancer.choose([0]) == 0  # a dead process gets nobody
    assert balancer.choose([]) is None


def test_a_process_reports_its_open_sessions_for_the_front(tmp_path, monkeypatch):
    from sim.dashboard import sessions

    path = tmp_path / "open.count"
    monkeypatch.setenv(sessions.OPEN_COUNT_FILE_ENV, str(path))
    monkeypatch.setenv(sessions.MAX_SESSIONS_ENV, "0")
    before = sessions.open_count()
    ticket = sessions.admit().ticket
    assert int(path.read_text()) == before + 1
    sessions.release(ticket)
    assert int(path.read_text()) == before


def test_a_pages_shown_rate_is_set_against_its_sessions_count(tmp_path):
    """The benchmark matches a page with its session by name and reads the server's count
    at the month the page shows and when it was read."""
    from sim.dashboard.benchmark import shown_against_server
    from sim.dashboard.counters import key, rate_at, reached

    log = tmp_path / "months.log"
    # session 7-2 advances a month every half second from t=10; 7-3 stalls after month 2
    lines = [f"7 7-2 {m} {10 + 0.5 * m:.4f}" for m in range(1, 21)]
    lines += ["7 7-3 1 10.0000", "7 7-3 2 10.5000"]
    log.write_text("\n".join(lines) + "\n")
    assert key("7-2") == "7/7-2"
    assert reached(log, "7/7-2", 8) == 14.0 and reached(log, "7/7-2", 99) is None
    assert rate_at(log, "7/7-2", 14.0, 3.0) == 2.0
    page = {"session": "7-2", "month": 8, "rate": 2.0, "at": 17.0}
    got = shown_against_server(log, page)
    assert got["server_rate_at_shown_month"] == 2.0 and got["months_behind"] == 6
    assert got["server_rate_when_read"] == 2.0
    stalled = shown_against_server(log, {"session": "7-3", "month": 2, "rate": 2.0, "at": 20.0})
    assert stalled["server_rate_when_read"] == 0.0 and stalled["months_behind"] == 0
    assert shown_against_server(log, {"session": None, "month": None, "rate": None, "at": 0})[
        "session"] is None


def test_a_run_that_ended_is_measured_up_to_its_last_month(tmp_path):
    """Pages clicked one after the other: a run that reaches its last month in the window is
    measured up to it, one that had ended before the window is left out, not counted as 0."""
    from sim.dashboard.counters import playing_rates

    log = tmp_path / "months.log"
    lines = [f"1 1-1 {m} {m * 0.25:.4f}" for m in range(1, 13)]  # ends at month 12, t=3
    lines += [f"1 1-2 {m} {10 + m * 0.5:.4f}" for m in range(1, 13)]  # ends at t=16
    lines += [f"1 1-3 {m} {10 + m * 0.5:.4f}" for m in range(1, 9)]  # still playing at t=14
    log.write_text("\n".join(lines) + "\n")
    rates, finished = playing_rates(log, 10.0, 20.0, horizon=12)
    assert finished == ["1/1-1"]
    assert rates["1/1-2"] == 2.0  # 12 months in the 6 s up to its last one, not 12 in 10 s
    assert rates["1/1-3"] == 0.8  # 8 months in the 10 s window
