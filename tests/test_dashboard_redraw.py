"""The play loop's redraw rate, the slower views' snapshot, and the info tab's French levers."""

from __future__ import annotations

import re

import pytest

from sim.dashboard import info
from sim.dashboard.adapter import Run, Settings
from sim.dashboard.info import info_html, lever_sections, lever_sections_in
from sim.dashboard.info_fr import LEVER_SECTIONS_FR
from sim.dashboard.pacing import (
    CHARTS_INTERVAL_S,
    REDRAW_INTERVAL_MAX_S,
    REDRAW_INTERVAL_S,
    VIEWS_INTERVAL_S,
    Pacer,
    RedrawClock,
    Throttle,
)
from sim.policies import REGISTRY


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_fast_run_is_redrawn_at_a_fixed_rate_while_every_due_month_is_simulated():
    """Speed 24 for ten seconds of a loop waking every 50 ms: 240 months, 20 redraws (2 Hz)."""
    clock = FakeClock()
    pacer, redraw = Pacer(clock=clock), Throttle(REDRAW_INTERVAL_S, clock=clock)
    months = redraws = 0
    while clock.now < 10.0:
        due = pacer.due(24)
        months += due
        redraws += bool(due) and redraw.ready()
        clock.now += 0.05
    assert 239 <= months <= 241
    assert 19 <= redraws <= 21  # 2 Hz, to the rounding of a float clock


def test_throttle_fires_first_then_once_per_interval():
    clock = FakeClock()
    throttle = Throttle(2.0, clock=clock)
    fired = []
    for _ in range(9):
        fired.append(throttle.ready())
        clock.now += 0.5
    assert fired == [True, False, False, False, True, False, False, False, True]


def _play(seconds: float, speed: int, step_s: float, clock: FakeClock, pacer, redraw):
    """A play loop whose months each take `step_s` of the clock (a busy server): returns the
    months simulated and the redraws, as `app.Player.play` does them."""
    months = redraws = 0
    end = clock.now + seconds
    while clock.now < end:
        due = pacer.due(speed)
        clock.now += due * step_s
        pacer.record(due)
        months += due
        if due and redraw.ready(pacer.behind(speed)):
            redraws += 1
        clock.now += 0.05
    return months, redraws


def test_a_run_behind_its_speed_is_redrawn_less_often_and_back_when_it_keeps_up():
    """A server that cannot keep the speed (each month 0.4 s of wall clock at speed 4) spaces
    the redraws out to `REDRAW_INTERVAL_MAX_S`; once months are cheap again, back to 2 Hz."""
    clock = FakeClock()
    pacer, redraw = Pacer(clock=clock), RedrawClock(clock=clock)
    _play(20.0, 4, 0.4, clock, pacer, redraw)
    assert pacer.behind(4)
    assert redraw.interval == REDRAW_INTERVAL_MAX_S
    assert redraw.views_interval() > VIEWS_INTERVAL_S  # the map follows less often too
    months, redraws = _play(10.0, 4, 0.4, clock, pacer, redraw)
    assert redraws <= 10.0 / REDRAW_INTERVAL_MAX_S + 1
    assert months >= 20  # every month the loop could simulate was simulated
    months, redraws = _play(20.0, 4, 0.001, clock, pacer, redraw)
    assert not pacer.behind(4)
    assert redraw.interval == REDRAW_INTERVAL_S
    assert 78 <= months <= 85 and redraws >= 30  # keeps the speed (and catches up its second
    # in hand), redrawn at 2 Hz again


def test_a_run_keeping_its_speed_stays_at_two_redraws_a_second():
    clock = FakeClock()
    pacer, redraw = Pacer(clock=clock), RedrawClock(clock=clock)
    months, redraws = _play(10.0, 24, 0.001, clock, pacer, redraw)
    assert 235 <= months <= 241
    assert 19 <= redraws <= 21
    assert redraw.interval == REDRAW_INTERVAL_S and redraw.views_interval() == VIEWS_INTERVAL_S


def test_between_two_views_snapshots_only_the_series_are_read_again():
    run = Run(Settings("classroom", 1, {"land_trust": 0.8}, True))
    run.step()
    views = run.frames()
    run.step()
    run.step()
    now = run.frames(views=views)
    assert now.month == 3 and len(now.timeseries) == 3 and len(now.baseline_timeseries) == 3
    assert now.territory is views.territory and now.ties is views.ties and now.feed == views.feed
    fresh = run.frames()
    assert fresh.territory["month"].max() == 2 and len(fresh.feed) == 3


def test_a_months_tables_are_built_once_and_rebuilt_after_a_step(monkeypatch):
    """The frames read back are the model's own, built once per month whatever the number of
    reads, and read again after each step."""
    import pandas as pd

    run = Run(Settings("classroom", 1, {"land_trust": 0.8}, True))
    built = []
    for model in (run.model, run.baseline):
        original = model.timeseries_frame

        def counting(original=original):
            built.append(1)
            return original()

        monkeypatch.setattr(model, "timeseries_frame", counting)
    run.step()
    first = run.frames()
    again = run.frames(views=first)
    assert len(built) == 2 and again.timeseries is first.timeseries
    pd.testing.assert_frame_equal(first.timeseries, run.model.metrics.timeseries_frame())
    pd.testing.assert_frame_equal(first.baseline_timeseries,
                                  run.baseline.metrics.timeseries_frame())
    run.step()
    later = run.frames(views=first)
    assert len(built) == 4 and later.timeseries is not first.timeseries
    pd.testing.assert_frame_equal(later.timeseries, run.model.metrics.timeseries_frame())
    assert len(later.timeseries) == 2 and len(later.baseline_timeseries) == 2
    fresh = run.frames()
    whole = run.model.metrics.territory_frame()
    pd.testing.assert_frame_equal(fresh.territory, whole[whole["month"] == 1])


def _parameters(text: str) -> set[str]:
    return set(re.findall(r"``(\w+)``", text))


def test_every_lever_is_described_in_french_section_by_section():
    """A lever added to the registry, or a section added to a docstring, fails here until the
    French page has it; parameter names must be the same as the English text's."""
    for name in REGISTRY:
        english = lever_sections(name)
        french = LEVER_SECTIONS_FR.get(name, {})
        assert set(french) == set(english), name
        for section in english:
            assert _parameters(french[section]) == _parameters(english[section]), (name, section)
            # the study's quotations are kept as the study wrote them
            for quote in re.findall(r"\"([^\"]{20,}?)\"", english[section]):
                assert quote.split("[...]")[0].strip() in french[section], (name, quote)
        assert lever_sections_in(name, "fr") == (french, "fr")
    page = info_html("fr")
    assert "Mécanisme" in page and "Why" not in page and "Mechanism" not in page
    for term in ("foncière solidaire", "marchés réservés", "TVA à impact",
                 "éco-socio-conditionnalité", "groupement d&#x27;employeurs", "PTCE"):
        assert term in page, term


def test_a_lever_without_french_text_is_shown_in_english_with_a_note(monkeypatch):
    name = next(iter(REGISTRY))
    monkeypatch.setattr(info, "LEVER_SECTIONS_FR", {})
    assert lever_sections_in(name, "fr") == (lever_sections(name), "en")
    assert "en anglais" in info_html("fr") and "en anglais" not in info_html("en")


class _Widget:
    """A widget as the play loop sees it: its HTML, or the options it was asked to show."""

    def __init__(self):
        self.unsafe_innerHTML = ""
        self.shown: list[list[dict]] = []

    def show(self, options):
        self.shown.append(options)


def _live(run, views, lang="fr"):
    from sim.dashboard.app import LiveViews, counter_html, kpi_html
    from sim.dashboard.figures import panel_option

    live = LiveViews()
    live.views_frames = live.frames = views
    counter, kpis, charts = _Widget(), _Widget(), _Widget()
    live.counter = (counter, lambda month, running, rate: counter_html(lang, month, running, rate))
    live.kpis = (kpis, lambda f: kpi_html(f, lang, True))
    live.charts = (charts, lambda f: [panel_option("jobs", f.timeseries, f.baseline_timeseries,
                                                   lang, has_levers=True)])
    return live, counter, kpis, charts


def test_the_play_loop_draws_counter_tables_and_charts_straight_into_their_widgets():
    """Between two renders a redraw is three widget updates of the month reached, the rate
    measured and the charts' new points; the slower views' snapshot stays the one on screen."""
    run = Run(Settings("classroom", 1, {"land_trust": 0.8}, True))
    run.step()
    views = run.frames()
    live, counter, kpis, charts = _live(run, views)
    assert live.ready()
    run.step()
    run.step()
    live.update(run, 2.5)
    assert "Mois 3" in counter.unsafe_innerHTML and "2,5 mois/s" in counter.unsafe_innerHTML
    assert "Mois 3" in kpis.unsafe_innerHTML and "ess-cost" in kpis.unsafe_innerHTML
    (option,) = charts.shown[-1]
    assert {len(s["data"]) for s in option["series"]} == {3}
    assert live.frames.month == 3 and live.frames.territory is views.territory
    # A render for another reason (a control) keeps the newer month the loop drew...
    assert live.latest(views) is live.frames
    # ...but not across a new snapshot of the slower views.
    assert live.latest(run.frames()).month == 3 and live.latest(run.frames()) is not live.frames


def test_the_charts_are_sent_at_most_once_a_second_between_renders():
    clock = FakeClock()
    run = Run(Settings("classroom", 1, {}, False))
    run.step()
    live, counter, _, charts = _live(run, run.frames())
    live.charts_throttle = Throttle(CHARTS_INTERVAL_S, clock=clock)
    for _ in range(4):  # four redraws half a second apart
        run.step()
        live.update(run, 2.0)
        clock.now += 0.5
    assert "Mois 5" in counter.unsafe_innerHTML
    assert len(charts.shown) == 2


def test_a_page_not_yet_rendered_is_rendered_by_the_play_loop():
    from sim.dashboard.app import LiveViews

    assert not LiveViews().ready()


def test_a_page_is_sent_no_redraw_before_it_has_handled_the_last_one():
    from sim.dashboard.pacing import ACK_TIMEOUT_S, Acks

    clock = FakeClock()
    acks = Acks(clock=clock)
    assert acks.caught_up()  # nothing sent yet
    first = acks.ping()
    assert not acks.caught_up()
    acks.ack(first + 1)  # a number never sent is ignored
    assert not acks.caught_up()
    acks.ack("garbage")
    assert not acks.caught_up()
    acks.ack(first)
    assert acks.caught_up()
    second, third = acks.ping(), acks.ping()
    acks.ack(second)  # an older answer: the page has not reached the last redraw
    assert not acks.caught_up()
    acks.ack(third)
    assert acks.caught_up()
    # A page that never answers (frozen tab, answer lost) gets one redraw per ACK_TIMEOUT_S.
    acks.ping()
    clock.now += ACK_TIMEOUT_S - 0.1
    assert not acks.caught_up()
    clock.now += 0.1
    assert acks.caught_up()


def test_the_play_loop_asks_the_page_after_each_redraw_and_waits_for_its_answer():
    from sim.dashboard.pulse import Pulse

    run = Run(Settings("classroom", 1, {}, False))
    run.step()
    live, *_ = _live(run, run.frames())
    assert live.caught_up()  # no page answer widget yet: the loop redraws as before
    pulse = Pulse(session="1-1")
    sent = []
    pulse.send = sent.append
    live.pulse = pulse
    live.ping()  # after a render: the ping alone, no widget message
    # The page answers on the Pulse's own comm, named in the message (`pulse.TEMPLATE`).
    assert sent == [{"method": "redraw",
                     "args": [{"messages": [], "ping": 1, "pulse": pulse.model_id}]}]
    assert not live.caught_up()
    pulse.vue_ack(1)
    assert live.caught_up()


def _slow(live, territories, lang="fr"):
    """Hands the slower views' widgets to `live` as `SlowViews` does after a render."""
    from sim.dashboard.app import SlowWidgets, feed_html
    from sim.dashboard.figures import map_option, ties_option

    run_map, ties, feed = _Widget(), _Widget(), _Widget()
    slow = SlowWidgets()
    live.slow = slow
    assert not live.views_ready()  # handed over one by one, after their render
    slow.map = (run_map, lambda f: map_option(territories, f.territory, f.baseline_territory,
                                              "ess_enterprises", lang, difference=False))
    slow.ties = (ties, lambda f: ties_option(f.ties, lang))
    assert not live.views_ready()  # the feed showed no month yet: no list to fill
    slow.feed = (feed, lambda f: feed_html(f.feed, lang))
    assert live.views_ready()
    return run_map, ties, feed


def test_the_play_loop_draws_the_map_ties_and_feed_when_they_are_due_without_a_render():
    """Between two renders the slower views keep their snapshot; when they are due, the play
    loop takes a new one and sends it to the map, the ties and the feed itself."""
    from sim.dashboard.figures import map_option, ties_option

    run = Run(Settings("classroom", 1, {"matchmaking": 0.8}, False))
    run.step()
    views = run.frames()
    live, counter, *_ = _live(run, views)
    run_map, ties, feed = _slow(live, run.territories)
    run.step()
    live.update(run, 2.0)  # not due: the slower views are left as they are
    assert live.views_frames is views and not run_map.shown and feed.unsafe_innerHTML == ""
    assert live.frames.month == 2 and live.frames.territory is views.territory
    run.step()
    live.update(run, 2.0, views=True)
    shown = live.views_frames
    assert shown.month == 3 and live.frames is shown
    assert shown.territory["month"].max() == 2  # the panel of the month just played
    assert run_map.shown == [[map_option(run.territories, shown.territory, None,
                                         "ess_enterprises", "fr", difference=False)]]
    assert ties.shown == [[ties_option(shown.ties, "fr")]]
    assert feed.unsafe_innerHTML.startswith("<li><strong>Mois 3</strong>")
    assert feed.unsafe_innerHTML.count("<li>") == 3
    assert "Mois 3" in counter.unsafe_innerHTML
    # A render for another reason takes the newer snapshot the loop drew, not its own older one.
    assert live.newest_views(views) is shown
    later = run.frames()
    assert live.newest_views(later) is later  # (same month: the render's own)


def test_without_slower_views_on_the_page_the_loop_only_takes_their_snapshot():
    from sim.dashboard.app import NO_SLOW_VIEWS

    run = Run(Settings("classroom", 1, {}, False))
    run.step()
    live, *_ = _live(run, run.frames())
    assert not live.views_ready()  # nothing handed over yet: the loop renders the page
    live.slow = NO_SLOW_VIEWS  # projector mode: no map, ties or feed
    assert live.views_ready()
    run.step()
    live.update(run, 2.0, views=True)
    assert live.views_frames.month == 2


@pytest.mark.parametrize("appends", [False, True])
def test_a_chart_whose_points_change_in_place_is_sent_whole_when_any_changes(appends):
    """The ties' bars (or the map's territories) change in place: an earlier bin changed while
    the last stayed must reach the page. A chart of months (`appends`) would send nothing
    then, as nothing was appended: the ties chart kept stale bars."""
    from sim.dashboard.chart import ChartWidget

    def bars(*counts):
        return [{"series": [{"type": "bar", "data": list(counts)}]}]

    widget = ChartWidget(appends=appends)
    widget.send = lambda message: None
    widget.show(bars(1, 2, 3))
    widget.show(bars(5, 2, 3))
    if appends:
        assert widget.options == bars(1, 2, 3)  # what the page would keep (wrong here)
    else:
        assert widget.options == bars(5, 2, 3)


def _wired(run, views, with_pulse: bool, lang="fr"):
    """`LiveViews` with the page's real widgets, every message they put on the wire recorded
    (their comm's `send`, below ipywidgets): [(role, data), ...]."""
    import solara.widgets

    from sim.dashboard.app import LiveViews, SlowWidgets, counter_html, feed_html, kpi_html
    from sim.dashboard.chart import ChartWidget
    from sim.dashboard.figures import map_option, panel_option, ties_option
    from sim.dashboard.pulse import Pulse

    wire = []
    widgets = {"counter": solara.widgets.HTML(), "kpis": solara.widgets.HTML(),
               "charts": ChartWidget(), "map": ChartWidget(appends=False),
               "ties": ChartWidget(appends=False), "feed": solara.widgets.HTML(),
               "pulse": Pulse(session="1-1")}
    for role, widget in widgets.items():
        widget.comm.send = lambda data=None, buffers=None, role=role, **_: wire.append((role, data))
    live = LiveViews()
    live.views_frames = live.frames = views
    live.counter = (widgets["counter"],
                    lambda month, running, rate: counter_html(lang, month, running, rate))
    live.kpis = (widgets["kpis"], lambda f: kpi_html(f, lang, True))
    live.charts = (widgets["charts"], lambda f: [
        panel_option(k, f.timeseries, f.baseline_timeseries, lang, has_levers=True)
        for k in ("jobs", "ess_enterprises")])
    slow = SlowWidgets()
    slow.map = (widgets["map"], lambda f: map_option(run.territories, f.territory,
                                                     f.baseline_territory, "ess_enterprises",
                                                     lang, difference=False))
    slow.ties = (widgets["ties"], lambda f: ties_option(f.ties, lang))
    slow.feed = (widgets["feed"], lambda f: feed_html(f.feed, lang))
    live.slow = slow
    live.charts_throttle = Throttle(0.0)  # the charts' points at every redraw
    if with_pulse:
        live.pulse = widgets["pulse"]
    return live, widgets, wire


def _replay(widgets, wire):
    """The redraws' widget messages as the page's `Pulse` hands them out: [(role, data)]."""
    by_id = {w.model_id: role for role, w in widgets.items()}
    out = []
    for role, data in wire:
        content = data.get("content", {})
        if role == "pulse" and content.get("method") == "redraw":
            (redraw,) = content["args"]
            out += [(by_id[model], message) for model, message in redraw["messages"]]
        else:
            out.append((role, data))
    return out


def test_one_redraw_is_one_message_carrying_what_each_widget_would_have_sent():
    """A redraw of a playing page (counter, tables, the charts' new points and, when due, the
    map, the ties and the feed) goes on the websocket as one message, to the page's `Pulse`;
    unpacked, it carries exactly the messages the widgets send without it, in their order.
    Each of them was a message of its own (seven for a redraw with the slower views)."""
    run = Run(Settings("classroom", 1, {"matchmaking": 0.8}, True))
    run.step()
    views = run.frames()
    runs = {p: _wired(run, views, with_pulse=p) for p in (False, True)}
    for step in range(3):
        run.step()
        for with_pulse, (live, _, wire) in runs.items():
            before = len(wire)
            live.update(run, 2.5, views=step != 1)  # the slower views due at the 1st and 3rd
            live.ping()
            got = wire[before:]
            if with_pulse:
                assert [role for role, _ in got] == ["pulse"], got
            else:  # the widgets' own messages (no page `Pulse` yet: nothing to ping)
                assert len(got) >= 3 and "pulse" not in {role for role, _ in got}
    (live, widgets, wire), (_, plain_widgets, plain_wire) = runs[True], runs[False]
    assert len(wire) == 3  # three redraws, three messages
    unpacked = _replay(widgets, wire)
    assert unpacked == plain_wire
    roles = [role for role, _ in unpacked]
    assert {"counter", "kpis", "charts", "map", "ties", "feed"} <= set(roles)
    # The server's widgets hold what the page shows, as without the batch.
    for role in ("counter", "kpis", "feed"):
        assert widgets[role].unsafe_innerHTML == plain_widgets[role].unsafe_innerHTML
        assert "Mois 4" in widgets[role].unsafe_innerHTML
    for role in ("charts", "map", "ties"):
        assert widgets[role]._latest == plain_widgets[role]._latest
    # Outside a redraw the widgets send on their own again (a render's messages).
    before = len(wire)
    widgets["counter"].unsafe_innerHTML = "x"
    assert wire[before:] == [("counter", {"method": "update", "state": {"unsafe_innerHTML": "x"},
                                          "buffer_paths": []})]


class _Kernel:
    """What Solara's `process_kernel_messages` uses of a kernel, recording what it sends."""

    def __init__(self, widgets=()):
        self.sent, self.handled = [], []
        widgets = {w.model_id: w for w in widgets}
        kernel = self

        class Session:
            def send(self, stream, msg_type, content=None, **_):
                kernel.sent.append((msg_type, (content or {}).get("execution_state")))

        class Comms:
            def comm_msg(self, stream, ident, msg):
                kernel.handled.append(msg["content"]["data"])
                widget = widgets.get(msg["content"]["comm_id"])
                if widget is not None:  # to the widget, as the kernel's comm manager does
                    widget.comm.handle_msg(msg)

        self.session, self.comm_manager = Session(), Comms()
        self.iopub_socket = self.shell_stream = object()

    def set_parent(self, *args):
        pass


def _comm_msg(comm_id: str, data: dict) -> dict:
    return {"header": {"msg_type": "comm_msg", "msg_id": "m"}, "channel": "shell",
            "parent_header": {}, "metadata": {}, "buffers": [],
            "content": {"comm_id": comm_id, "data": data}}


def test_a_pages_ack_is_handled_without_kernel_status_messages_and_nothing_else_is(monkeypatch):
    """A playing page answers each redraw; Solara's server sent two status messages (busy,
    idle) for each answer. With `quiet_acks` an ack to a live `Pulse` is handled (the play loop
    sees it) with no message back; any other message — another widget's event, a state update,
    an ack to a widget that is not a Pulse — still gets its busy and idle."""
    from solara.server import server

    from sim.dashboard.pulse import Pulse, quiet_acks

    monkeypatch.setattr(server, "process_kernel_messages", server.process_kernel_messages)
    quiet_acks()
    quiet_acks()  # installed once, however often called
    pulse = Pulse(session="1-1")
    pulse.redraw([])
    ack = {"method": "custom", "content": {"event": "ack", "data": 1}}
    kernel = _Kernel([pulse])
    assert server.process_kernel_messages(kernel, _comm_msg(pulse.model_id, ack))
    assert kernel.handled == [ack] and kernel.sent == []
    assert pulse.caught_up()  # the ack reached the play loop's flow control
    others = [(pulse.model_id, {"method": "custom", "content": {"event": "other", "data": 1}}),
              (pulse.model_id, {"method": "update", "state": {"session": "x"}}),
              ("not-a-pulse", ack)]
    for comm_id, data in others:
        kernel = _Kernel([pulse])
        server.process_kernel_messages(kernel, _comm_msg(comm_id, data))
        assert kernel.handled == [data]
        assert kernel.sent == [("status", "busy"), ("status", "idle")]
