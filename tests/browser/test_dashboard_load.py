"""A class's load in the browser: charts fed month by month, a server of two processes."""

from __future__ import annotations

import json
import re
from itertools import pairwise
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from sim.dashboard.browser import month, open_dashboard, page_errors, serve, set_speed, step
from sim.dashboard.counters import MONTHS_LOG_ENV

pytestmark = pytest.mark.browser

# Points per series of the ECharts instance drawn in `el` (ECharts is loaded through requirejs).
POINTS = """el => {
  const echarts = Object.values(window.requirejs.s.contexts._.defined)
    .find(m => m && m.getInstanceByDom);
  const chart = echarts.getInstanceByDom(el);
  return chart ? chart.getOption().series.map(s => s.data.length) : null;
}"""


def _charts_appended(frame: str) -> int:
    """How many charts an `append` message carries points for (0 for another message), sent
    on its own or inside a redraw (`pulse.Pulse`)."""
    try:
        custom = json.loads(frame)["content"]["data"]["content"]
    except (ValueError, KeyError, TypeError):
        return 0
    if custom.get("method") == "redraw":
        inner = [m.get("content", {}) for _, m in custom["args"][0]["messages"]]
    else:
        inner = [custom]
    return max([len(c["args"][0]["rows"]) for c in inner if c.get("method") == "append"],
               default=0)


def _play(page, speed: int, ms: int) -> None:
    set_speed(page, speed)
    page.click(".ess-play")
    page.wait_for_timeout(ms)
    page.click(".ess-play")
    expect(page.locator(".ess-play")).to_contain_text("Lecture")
    page.wait_for_timeout(1500)  # the last months due are drawn


def test_charts_get_each_new_month_appended_and_show_every_month(open_page):
    page = open_page()
    frames = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: frames.append(
        data if isinstance(data, str) else data.decode(errors="replace"))))
    page.reload()  # the websocket opened after the listener
    page.wait_for_selector(".ess-month", timeout=60_000)
    _play(page, 8, 4000)
    shown = month(page)
    assert shown > 2
    panels = page.locator(".ess-panel")
    expect(panels).to_have_count(6)
    for i in range(6):  # every series has one point per month, none lost or doubled
        assert set(panels.nth(i).evaluate(POINTS)) == {shown}
    appends = [f for f in frames if '"append"' in f]
    assert len(appends) >= 3  # months arrived as appended points
    # One message per redraw carries the new points of all six charts.
    assert 6 in {_charts_appended(f) for f in appends}
    # Projector mode builds a new chart: it gets the whole series.
    page.locator(".ess-projector-toggle input[role=checkbox]").check(force=True)
    expect(panels).to_have_count(1)
    page.wait_for_function(f"(() => {{ const el = document.querySelector('.ess-panel'); "
                           f"return ({POINTS})(el)?.[0] === {shown}; }})()", timeout=20_000)
    assert page_errors(page) == []


def test_two_sessions_both_play_on_a_two_process_server(browser, tmp_path):
    """Each visitor is sent to one process; both play; a class spans the processes."""
    log = tmp_path / "months.log"
    with serve(env={MONTHS_LOG_ENV: str(log)}, args=("--workers", "2"), timeout=240) as server:
        pages = [open_dashboard(browser, server.url, timeout_ms=120_000) for _ in range(2)]
        try:
            ports = {urlparse(p.url).port for p in pages}
            assert len(ports) == 2 and urlparse(server.url).port not in ports
            for page in pages:
                page.click(".ess-play")
            pages[0].wait_for_timeout(4000)
            for page in pages:
                page.click(".ess-play")
                expect(page.locator(".ess-play")).to_contain_text("Lecture")
            assert all(month(p) > 0 for p in pages)
            pids = {line.split()[0] for line in log.read_text().splitlines()}
            assert len(pids) == 2  # each session advanced in its own process
            teacher, pupil = pages
            teacher.click(".ess-open-class")
            code = re.search(r"[A-Z2-9]{4}", teacher.inner_text(".ess-class-code")).group()
            pupil.locator(".ess-class-input input").fill(code)
            pupil.click(".ess-join")
            expect(pupil.locator(".ess-class-code")).to_contain_text(code)
            pupil.click(".ess-send")
            expect(pupil.locator(".ess-sent")).to_contain_text("élève n° 1")
            teacher.click(".ess-refresh")
            expect(teacher.locator(".ess-class-table tbody tr")).to_have_count(1)
            assert page_errors(teacher) == [] and page_errors(pupil) == []
        finally:
            for page in pages:
                page.context.close()


def test_sessions_arriving_together_all_build_and_play_over_the_websocket(tmp_path):
    """Four sessions opened at once, played without a browser (the load benchmark's clients):
    each builds its model (concurrent Hydra compositions failed before builds took turns) and
    advances months the server counts."""
    import time

    from sim.dashboard.benchmark import WireClients
    from sim.dashboard.counters import months_between

    log = tmp_path / "months.log"
    with serve(env={MONTHS_LOG_ENV: str(log)}, timeout=240) as server:
        clients = WireClients(server.url, 4, speed=8, at_once=4)
        try:
            clients.open()
            clients.play()
            start = time.monotonic()
            time.sleep(6)
            advanced = months_between(log, start, time.monotonic())
        finally:
            clients.close()
        assert "building the model failed" not in server.log_text()
    assert len(advanced) == 4 and min(advanced.values()) > 0
    assert all(s.messages > 0 for s in clients.sessions)  # the page's updates reached them


def test_a_chart_out_of_view_is_drawn_with_every_month_once_scrolled_to(browser, server):
    """A pupil's browser draws only the charts on screen: the last panel, below the fold at
    1366×600, is not redrawn while the run plays, and shows every month once scrolled to."""
    from sim.dashboard.browser import open_dashboard

    page = open_dashboard(browser, server.url, viewport={"width": 1366, "height": 600})
    try:
        _play(page, 8, 3000)
        shown = month(page)
        assert shown > 2
        last = page.locator(".ess-panel").nth(5)
        assert last.evaluate("el => el.getBoundingClientRect().top") > 600
        drawn = last.evaluate(POINTS)
        assert drawn is None or set(drawn) != {shown}  # not drawn while out of view
        last.scroll_into_view_if_needed()
        page.wait_for_function(
            f"(() => {{ const el = document.querySelectorAll('.ess-panel')[5]; "
            f"const n = ({POINTS})(el); return n && n.every(x => x === {shown}); }})()",
            timeout=20_000)
        assert page_errors(page) == []
    finally:
        page.context.close()


def test_a_page_that_does_not_answer_gets_no_more_redraws_and_its_months_go_on(tmp_path):
    """Flow control (`pulse.Pulse`): the play loop sends a page its next redraw only once the
    page has answered the last one. A session whose page never answers (starved of CPU, frozen)
    is sent one redraw, then none until `ACK_TIMEOUT_S`, while its months advance as the
    others'; a page that answers gets every redraw."""
    import time

    from sim.dashboard.benchmark import WireClients
    from sim.dashboard.counters import key, months_between
    from sim.dashboard.pacing import ACK_TIMEOUT_S, REDRAW_INTERVAL_MAX_S

    log = tmp_path / "months.log"
    with serve(env={MONTHS_LOG_ENV: str(log)}, timeout=240) as server:
        clients = WireClients(server.url, 2, speed=4, at_once=2)
        answering, silent = clients.sessions

        async def never(_frame):
            return None

        silent._answer = never
        try:
            clients.open()
            clients.play()
            time.sleep(1.5)  # the first redraw, sent before any answer is due
            start = time.monotonic()
            before = {id(s): s.messages for s in clients.sessions}
            time.sleep(6)
            advanced = months_between(log, start, time.monotonic())
            got = {id(s): s.messages - before[id(s)] for s in clients.sessions}
        finally:
            clients.close()
    assert ACK_TIMEOUT_S > 6
    assert got[id(silent)] == 0  # no redraw while the last one is not answered
    # A redraw is one message (its answer gets no status messages back, `pulse.quiet_acks`),
    # and a page that answers is redrawn at least every `REDRAW_INTERVAL_MAX_S`.
    assert got[id(answering)] >= 6 / REDRAW_INTERVAL_MAX_S
    months = [advanced.get(key(s.session), 0) for s in (answering, silent)]
    assert min(months) >= 12  # both at ~4 months/s


def test_a_chromium_page_answers_the_play_loops_redraws(open_page):
    """Each redraw the play loop sends is answered by the page (`pulse.Pulse`), and, between
    two of them, the page receives no other widget message: a redraw is one message. The
    server sends no kernel status (busy, idle) for an answer (`pulse.quiet_acks`): a redraw
    and its answer are the only two messages."""
    page = open_page()
    frames = {"pings": [], "acks": [], "between": [], "carried": 0, "ack_ids": set(),
              "statuses": []}

    def note(kind, data):
        data = data if isinstance(data, str) else data.decode(errors="replace")
        try:
            msg = json.loads(data)
        except ValueError:
            return
        try:
            content = msg["content"]["data"].get("content") or {}
        except (KeyError, TypeError, AttributeError):
            content = {}
        if kind == "pings" and content.get("method") == "redraw":
            redraw = content["args"][0]
            frames["pings"].append(redraw["ping"])
            frames["between"].append(0)
            frames["carried"] += len(redraw["messages"])
        elif kind == "pings" and msg.get("msg_type") == "comm_msg" and frames["pings"]:
            frames["between"][-1] += 1  # a widget message since the last redraw
        elif kind == "acks" and content.get("event") == "ack":
            frames["acks"].append(content["data"])
            frames["ack_ids"].add(msg["header"]["msg_id"])
        elif kind == "pings" and msg.get("msg_type") == "status":
            frames["statuses"].append((msg.get("parent_header") or {}).get("msg_id"))

    page.on("websocket", lambda ws: (ws.on("framereceived", lambda d: note("pings", d)),
                                     ws.on("framesent", lambda d: note("acks", d))))
    page.reload()
    page.wait_for_selector(".ess-month", timeout=60_000)
    _play(page, 4, 4000)
    assert len(frames["pings"]) >= 3 and frames["acks"] == frames["pings"]
    assert frames["statuses"]  # the clicks (Play, Pause) still get theirs
    assert not frames["ack_ids"] & set(frames["statuses"])  # the answers none
    assert frames["carried"] >= 2 * len(frames["pings"])  # counter, tables, charts...
    # While playing the page is rendered by nobody: no widget message besides the redraws
    # (the last one is followed by the render at the pause).
    assert frames["between"][1:-2] and not any(frames["between"][1:-2]), frames["between"]
    assert month(page) >= 8
    assert page.locator(".ess-session").text_content()  # the session's name, hidden
    assert page_errors(page) == []


# Data of every series of the ECharts instance drawn in `el`, as JSON (null before a draw).
DATA = """el => {
  const echarts = Object.values(window.requirejs.s.contexts._.defined)
    .find(m => m && m.getInstanceByDom);
  if (!echarts) return null;  // the library not loaded yet: no chart drawn yet
  const chart = echarts.getInstanceByDom(el);
  return chart ? JSON.stringify(chart.getOption().series.map(s => [s.name, s.data])) : null;
}"""


def test_the_map_ties_and_feed_follow_the_run_while_it_plays(browser, server):
    """The play loop draws the slower views itself while the run plays (no render of the
    page): the feed's latest month, the map's values and the ties' bars change on screen
    while Pause is still offered, and at the pause they show the month reached."""
    from sim.dashboard.browser import open_dashboard

    # Tall enough for the map and the ties to be on screen (charts out of view are not drawn).
    page = open_dashboard(browser, server.url, viewport={"width": 1400, "height": 3200})
    try:
        # month 0's map drawn first: the samples below are of the play loop, not of the page's
        # loading
        page.wait_for_function(f"() => ({DATA})(document.querySelector('.ess-map')) !== null")
        set_speed(page, 8)
        page.click(".ess-play")
        feed, maps, ties = set(), set(), set()
        for _ in range(40):
            page.wait_for_timeout(500)
            if "Pause" not in page.locator(".ess-play").text_content():
                break
            top = page.locator(".ess-feed-list li").first
            if top.count():
                feed.add(int(re.search(r"\d+", top.text_content()).group()))
            maps.add(page.locator(".ess-map").evaluate(DATA))
            ties.add(page.locator(".ess-ties").evaluate(DATA))
            if len(feed) >= 4 and len(maps) >= 3 and len(ties) >= 3:
                break
        page.click(".ess-play")
        expect(page.locator(".ess-play")).to_contain_text("Lecture")
        assert len(feed) >= 4, feed  # the feed followed the months while playing
        assert len(maps - {None}) >= 3 and len(ties - {None}) >= 3, (len(maps), len(ties))
        # Paused: the feed's latest month is the month reached.
        reached = month(page)
        expect(page.locator(".ess-feed-list li").first).to_contain_text(f"Mois {reached}")
        assert page_errors(page) == []
    finally:
        page.context.close()


# The six panels' chart component (`chart.vue`): from now on each draw's start and end by the
# page's clock are recorded in `window.essPanelDraws`; and, given `ms`, every ECharts `setOption`
# of the page made `ms` slower (a busy wait, as on a machine starved of CPU).
PANELS_VM = "document.querySelector('.ess-panel').closest('.ess-charts').__vue__"
RECORD_DRAWS = f"""() => {{
  const vm = {PANELS_VM};
  window.essPanelDraws = [];
  if (vm.essRecorded) return;
  vm.essRecorded = true;
  const done = vm.drawDone;
  vm.drawDone = (start, end) => {{ window.essPanelDraws.push([start, end]); done(start, end); }};
}}"""
SLOW_SET_OPTION = """ms => {
  const echarts = Object.values(window.requirejs.s.contexts._.defined)
    .find(m => m && m.getInstanceByDom);
  const panel = echarts.getInstanceByDom(document.querySelector('.ess-panel'));
  const proto = Object.getPrototypeOf(panel);
  const setOption = proto.setOption;
  proto.setOption = function (...args) {
    const start = performance.now();
    while (performance.now() - start < ms) { /* busy */ }
    return setOption.apply(this, args);
  };
}"""
# Every panel's series has exactly the month the page's counter shows (read together).
PANELS_AT_MONTH = f"""() => {{
  const shown = Number(document.querySelector('.ess-month').innerText.match(/\\d+/)[0]);
  const panels = [...document.querySelectorAll('.ess-panel')];
  return panels.length === 6 && panels.every(el => {{
    const n = ({POINTS})(el);
    return n && n.every(x => x === shown);
  }});
}}"""


def _draws_during(page, ms: int) -> list[list[float]]:
    """The panels' draws ([start, end], page clock) in the next `ms` milliseconds."""
    page.evaluate(RECORD_DRAWS)
    page.wait_for_timeout(ms)
    return page.evaluate("window.essPanelDraws")


def _settled_month(page, quiet_ms: int = 5000, timeout_ms: int = 60_000) -> int:
    """The month counter once it has not moved for `quiet_ms`: after the button says
    "Lecture" the play loop may still finish the months it had begun, and the page then shows
    them (read at once, the counter was 2–3 months short at speed 8)."""
    shown, still_since = month(page), 0
    for _ in range(timeout_ms // 500):
        page.wait_for_timeout(500)
        now = month(page)
        still_since = still_since + 500 if now == shown else 0
        shown = now
        if still_since >= quiet_ms:
            return shown
    raise AssertionError(f"the month counter kept moving ({shown})")


def test_a_page_slow_to_draw_draws_less_often_and_shows_every_month_once_paused(open_page):
    """Pacing (`chart.vue`, `pacedGap`): while playing, after a draw the next waits 9 times as
    long as the draw took, 3 s at most. A page whose draws are made slow (each `setOption` 250 ms
    longer: 1.5 s for the six panels) draws them ≥ 3 s apart and less often than the same page
    at its own pace; paused while a draw is held back, the draw is still done, so every series
    ends with exactly the month the server reached (waited for generously: the CI machine is
    loaded; a dropped timer left the charts months behind for good)."""
    page = open_page()
    expect(page.locator(".ess-panel canvas")).to_have_count(6)
    # Month 1 first: the CSV link appearing then re-creates the panels' view (and its hooks).
    step(page, 1)
    expect(page.locator(".ess-panel canvas")).to_have_count(6)
    assert page.evaluate(f"[{PANELS_VM}.pacedGap(30), {PANELS_VM}.pacedGap(1e6)]") == [270, 3000]
    set_speed(page, 4)  # the run (120 months) lasts 30 s: it is paused before its end
    page.click(".ess-play")
    expect(page.locator(".ess-play")).to_contain_text("Pause")
    page.wait_for_timeout(1500)  # the page rendered for playing
    fast = _draws_during(page, 5000)
    page.evaluate(SLOW_SET_OPTION, 250)
    slow = [d for d in _draws_during(page, 12_000) if d[1] - d[0] > 1000]  # slowed (1.5 s)
    # Paused while a draw is held back by the pacing (its timer pending): it must still be done.
    page.wait_for_function(f"{PANELS_VM}.timer !== null", timeout=30_000, polling=50)
    page.click(".ess-play")
    expect(page.locator(".ess-play")).to_contain_text("Lecture")
    gaps = [b[0] - a[1] for a, b in pairwise(slow)]
    assert len(slow) >= 2 and all(gap >= 2900 for gap in gaps), gaps  # unpaced: ~1 s apart
    assert len(slow) / 12 < len(fast) / 5, (slow, fast)
    shown = _settled_month(page)
    assert 12 < shown < 120
    page.wait_for_function(PANELS_AT_MONTH, timeout=60_000, polling=500)
    assert month(page) == shown
    assert page_errors(page) == []
