"""Pure functions of the dashboard: play-loop clock, costs, chart options, form checks, sessions."""

from __future__ import annotations

import subprocess
import sys
import types

import numpy as np
import pandas as pd
import pytest

from sim.dashboard import classes, sessions
from sim.dashboard.app import _snapshot_html, error_line, fmt, seed_error
from sim.dashboard.bands import direction
from sim.dashboard.costs import cost_per_job, net_job_years
from sim.dashboard.figures import (
    DIVERGING,
    PANELS,
    histogram_option,
    map_option,
    panel_option,
    panel_options,
    robust_range,
    territory_names,
    ties_option,
)
from sim.dashboard.pacing import MIN_PAUSE_S, Pacer


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_pause_is_never_negative_when_the_run_ends_with_unspent_credit():
    """At speed 24 after a slow render, several months are due; if the run ends before they
    are all spent the credit stays above 1, where (1 - credit) / speed is negative."""
    clock = FakeClock()
    pacer = Pacer(clock=clock)
    assert pacer.due(24) == 1
    clock.now += 0.5  # a slow render: 12 months fall due
    assert pacer.due(24) == 12
    pacer.credit += 3.0  # the run ended with three of them unspent
    assert pacer.pause(24) == MIN_PAUSE_S
    assert pacer.pause(1) >= MIN_PAUSE_S


def test_pacer_keeps_at_most_one_second_in_hand_and_measures_the_rate():
    clock = FakeClock()
    pacer = Pacer(clock=clock)
    pacer.due(4)
    clock.now += 10  # a long stall does not make forty months due at once
    assert pacer.due(4) == 4
    for _ in range(5):
        clock.now += 0.5
        pacer.record(2)
    assert pacer.rate() == pytest.approx(4.0)


def test_the_rate_shown_counts_the_time_the_run_stood_still():
    """Four months a second for five seconds, then a two-second stall (a busy server): over
    the last three seconds the run advanced four months, 1.3 a second, not the 4 between its
    first and last month (what the page showed before)."""
    clock = FakeClock()
    pacer = Pacer(clock=clock)
    assert pacer.rate() == 0.0
    for _ in range(20):
        clock.now += 0.25
        pacer.record(1)
    assert pacer.rate() == pytest.approx(4.0)
    clock.now += 2.0
    assert pacer.rate() == pytest.approx(4 / 3)
    clock.now += 5.0
    assert pacer.rate() == 0.0


def test_the_rate_is_not_shown_before_a_second_of_play():
    clock = FakeClock()
    pacer = Pacer(clock=clock)
    pacer.record(1)
    clock.now += 0.5
    pacer.record(2)
    assert pacer.rate() == 0.0
    clock.now += 0.5
    pacer.record(2)
    assert pacer.rate() == pytest.approx(4.0)


def _runs(jobs_with, jobs_without, cost_with, cost_without, lever_cost):
    def frame(jobs, cost, lever):
        n = len(jobs)
        out = pd.DataFrame({"month": range(n), "ess_jobs_permanent": jobs,
                            "ess_jobs_insertion": [0] * n, "ess_jobs_adapted": [0] * n,
                            "public_cost_eur": cost, "public_cost_baseline_eur": cost})
        if lever is not None:
            out["public_cost_baseline_eur"] = np.asarray(cost) - np.asarray(lever)
            out["public_cost_impact_vat_eur"] = lever
        return out
    return frame(jobs_with, cost_with, lever_cost), frame(jobs_without, cost_without, None)


def test_cost_per_net_job_year_is_the_reports_definition():
    """Three months, 12 more jobs each month: 36 job-months = 3 job-years; the extra cumulative
    cost at the last month is 600 €, of which 450 € the lever's own line: 200 € per job-year."""
    ts, base = _runs([112, 112, 112], [100, 100, 100], [100, 300, 700], [50, 80, 100],
                     [50, 200, 450])
    cost = cost_per_job(ts, base)
    assert cost.net_job_years == pytest.approx(3.0)
    assert cost.extra_cost_eur == pytest.approx(600.0)
    assert cost.per_job_year == pytest.approx(200.0)
    assert cost.by_line["impact_vat"] == pytest.approx(450.0)
    assert cost.by_line["existing"] == pytest.approx(150.0)
    assert cost.tax_expenditure_eur == pytest.approx(450.0)


def test_no_cost_per_job_without_a_net_job_year():
    ts, base = _runs([90, 95, 110], [100, 100, 100], [10, 20, 30], [0, 0, 0], [10, 20, 30])
    assert net_job_years(ts, base) == pytest.approx(-5 / 12)
    assert cost_per_job(ts, base).per_job_year is None


def _ts(months, levers=""):
    n = months
    return pd.DataFrame({"month": range(n), "ess_jobs_permanent": [1.0] * n,
                         "ess_jobs_insertion": [2.0] * n, "ess_jobs_adapted": [3.0] * n,
                         "ess_enterprises": [5.0] * n, "public_cost_eur": [2e6] * n})


def _names(option):
    return [s["name"] for s in option["series"]]


def test_a_run_without_lever_is_never_labelled_with_levers():
    names = _names(panel_option("ess_enterprises", _ts(3), None, "fr", has_levers=False))
    assert names == ["sans leviers"]
    names = _names(panel_option("ess_enterprises", _ts(3), _ts(3), "fr", has_levers=True))
    assert names == ["avec leviers", "sans leviers"]
    jobs = _names(panel_option("jobs", _ts(3), _ts(3), "en", has_levers=True))
    assert len(jobs) == 6 and all(n.endswith(("with levers", "without levers")) for n in jobs)


def test_axis_counts_months_simulated_as_the_counter_does():
    """After three steps the counter says month 3: the last point is drawn at 3, not 2."""
    option = panel_option("public_cost_eur", _ts(3), None, "fr", has_levers=False, font_px=18)
    assert [p[0] for p in option["series"][0]["data"]] == [1, 2, 3]
    assert option["series"][0]["data"][0][1] == pytest.approx(2.0)  # in M€
    assert option["yAxis"]["name"] == "M€" and option["xAxis"]["name"] == "mois"
    assert option["xAxis"]["axisLabel"]["fontSize"] == 18


def test_robust_range_is_not_flattened_by_one_metropolis():
    values = np.array([10, 12, 15, 11, 13, 14, 5000.0])
    low, high = robust_range(values, symmetric=False)
    assert high < 100
    low, high = robust_range(np.array([-3, 1, 2, 1, 0, 1, 400.0]), symmetric=True)
    assert low == -high and high < 400


def _territories():
    return types.SimpleNamespace(
        codes=["A", "B", "C"], names=["Synthetic metropolis 0", "Synthetic rural 1",
                                      "Synthetic rural 2"],
        archetype=["metropolis", "rural", "rural"], lon=[0.0, 1.0, 2.0], lat=[0.0, 1.0, 0.0],
        edges=[[0, 1], [1, 2]])


def test_classroom_territories_are_named_in_the_page_language():
    assert territory_names(_territories(), "fr") == ["Métropole", "Campagne A", "Campagne B"]
    assert territory_names(_territories(), "en") == ["Metropolis", "Countryside A",
                                                     "Countryside B"]


def test_difference_map_is_diverging_and_centred():
    panel = pd.DataFrame({"territory_code": ["A", "B", "C"], "ess_jobs_total": [300, 10, 5]})
    base = pd.DataFrame({"territory_code": ["A", "B", "C"], "ess_jobs_total": [100, 20, 5]})
    option = map_option(_territories(), panel, base, "ess_jobs_total", "fr", difference=True)
    assert option["visualMap"]["inRange"]["color"] == DIVERGING
    assert option["visualMap"]["min"] == -option["visualMap"]["max"]
    values = [p["value"][2] for p in option["series"][1]["data"]]
    assert values == [200, -10, 0]
    assert option["series"][1]["data"][0]["name"] == "Métropole"


def test_every_chart_is_drawn_without_animation_and_lines_without_symbols():
    """A pupil's page redraws its charts while the run plays: an ECharts animation would
    repaint each chart for a second after every draw, and a symbol on every point of a line
    adds a shape per month to draw; neither is in any of the dashboard's options."""
    months = pd.DataFrame({"month": range(5), **{c: np.arange(5.0) for key in PANELS
                                                   for c in PANELS[key][0]}})
    options = [
        *panel_options(list(PANELS), months, months, "fr", has_levers=True),
        map_option(_territories(), None, None, "ess_jobs_total", "fr", difference=False),
        ties_option(pd.DataFrame({"kind": ["a", "b"], "trust": [0.2, 0.7]}), "fr"),
        histogram_option([1.0, 2.0, 3.0], "x", "fr"),
    ]
    assert all(o["animation"] is False for o in options)
    lines = [s for o in options for s in o["series"] if s["type"] == "line"]
    assert len(lines) == 2 * (len(PANELS) + 2)  # with and without levers, jobs of 3 kinds
    assert all(s["showSymbol"] is False for s in lines)


def test_map_before_the_first_month_says_why_it_is_grey():
    option = map_option(_territories(), pd.DataFrame(), None, "ess_jobs_total", "fr",
                        difference=False)
    assert "premier mois" in option["title"]["subtext"]


@pytest.mark.parametrize("seed", [-1, 2**63, "x", None])
def test_seed_outside_the_models_range_gets_one_line(seed):
    message = seed_error(seed, "fr")
    assert message and "\n" not in message and "0" in message
    assert seed_error(seed, "en").startswith("The seed")


def test_valid_seeds_pass():
    assert seed_error(0, "fr") is None and seed_error(2**63 - 1, "fr") is None


def test_model_errors_become_one_line_without_class_name():
    line = error_line(ValueError("seed: -1 is out of range\nTraceback..."), "fr")
    assert line == "Le modèle refuse ces réglages : seed: -1 is out of range"


def test_numbers_follow_the_page_language():
    assert fmt(1234567.891, "fr", 1) == "1\u202f234\u202f567,9"
    assert fmt(1234567.891, "en", 1) == "1,234,567.9"
    assert fmt(-5, "fr") == "\u22125"


def test_direction_needs_nine_seeds_of_ten():
    assert direction([1] * 9 + [-1]) == "up"
    assert direction([-1] * 9 + [1]) == "down"
    assert direction([1] * 8 + [-1, -1]) == "mixed"


def test_sessions_are_capped_and_released(monkeypatch):
    monkeypatch.setenv(sessions.MAX_SESSIONS_ENV, "2")
    monkeypatch.setenv(sessions.MAX_MEMORY_ENV, "0")
    start = sessions.open_count()
    monkeypatch.setenv(sessions.MAX_SESSIONS_ENV, str(start + 2))
    first, second = sessions.admit(), sessions.admit()
    third = sessions.admit()
    assert first.ticket and second.ticket and third.ticket is None
    assert third.reason == "sessions"
    sessions.release(first.ticket)
    again = sessions.admit()
    assert again.ticket is not None
    for ticket in (second.ticket, again.ticket):
        sessions.release(ticket)
    assert sessions.open_count() == start


def test_memory_cap_refuses_new_sessions(monkeypatch):
    monkeypatch.setenv(sessions.MAX_SESSIONS_ENV, "0")
    monkeypatch.setenv(sessions.MAX_MEMORY_ENV, "1")  # 1 MB: this process is above it
    refused = sessions.admit()
    assert refused.ticket is None and refused.reason == "memory"


def test_a_taken_port_is_one_line_and_exit_code_2():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "sim.dashboard", "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"port {port} is already in use" in lines[0]
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize("option", ["--max-sessions=-1", "--cull-after=0", "--port=-5"])
def test_bad_launcher_options_are_one_line(option):
    done = subprocess.run([sys.executable, "-m", "sim.dashboard", option],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1


def test_class_codes_are_short_unambiguous_and_bounded():
    codes = [classes.open_class() for _ in range(classes.MAX_CLASSES + 5)]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == 4 and set(c) <= set(classes.ALPHABET) for c in codes)
    assert not classes.exists(codes[0])  # the oldest went when the server held too many
    assert classes.exists(codes[-1].lower())  # a code typed in lower case still joins


def test_class_results_keep_each_pupils_latest_send():
    code = classes.open_class()
    assert classes.submit(code, "tab-a", 1, "", 12, {"ess_jobs": 10}) == 1
    assert classes.submit(code, "tab-b", 2, "", 12, {"ess_jobs": 20}) == 2
    assert classes.submit(code, "tab-a", 3, "", 24, {"ess_jobs": 30}) == 1
    rows = classes.results(code)
    assert [(r.pupil, r.seed, r.numbers["ess_jobs"]) for r in rows] == [(1, 3, 30), (2, 2, 20)]
    assert classes.submit("ZZZZ9", "tab-a", 1, "", 1, {}) is None


def test_inspector_speaks_the_page_language():
    shown = _snapshot_html({"cash_eur": 233100.0, "alive": True, "new_field": 1,
                            "sites": [{"floor_m2": 1360.0, "landlord": "private"}]}, "fr")
    assert "trésorerie (€)" in shown and "233\u202f100" in shown and ">oui<" in shown
    assert "new_field" in shown  # a field the table does not know yet still shows
    assert "surface (m²)" in shown and "cash_eur" not in shown


def test_band_worker_leaves_when_its_server_is_killed(tmp_path):
    """A server killed outright (SIGKILL: no atexit, no pool shutdown) must not leave its band
    worker behind."""
    import os
    import signal
    import time

    import psutil

    script = (
        "import sys, time\n"
        "from sim.dashboard import bands\n"
        "if __name__ == '__main__':\n"
        "    bands._worker().submit(time.sleep, 0).result()\n"
        "    print(list(bands._worker()._processes)[0], flush=True)\n"
        "    time.sleep(600)\n"
    )
    path = tmp_path / "server.py"
    path.write_text(script)
    server = subprocess.Popen([sys.executable, str(path)], stdout=subprocess.PIPE, text=True)
    worker = psutil.Process(int(server.stdout.readline()))
    assert worker.is_running() and worker.nice() == 10
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    deadline = time.monotonic() + 30
    while worker.is_running() and worker.status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the band worker outlived its server"
        time.sleep(0.5)
