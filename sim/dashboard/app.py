"""The dashboard page (Solara): controls in the sidebar, views of one run in the main panel.

Every piece of state, the model included, is created inside `Page` with Solara hooks, so each
browser session gets its own model: Mesa's documented pattern of a module-level model would let
thirty pupils push the same simulation. Mesa's `SolaraViz` is not used as is because it rebuilds a
model with ``type(model)(**params)`` while this model is built from Hydra overrides, and because it
has no paired run without the levers.

The page is split so that a month of play re-renders only `Player` (counter, numbers, charts):
the sidebar's dozens of controls are not rebuilt twice a second per pupil.
"""

from __future__ import annotations

import html
import logging
import os
import threading
import time

import pandas as pd
import solara
import solara.lab

from sim.dashboard import classes, counters, sessions
from sim.dashboard.adapter import LEVERS, MAP_OUTPUTS, Run, Settings
from sim.dashboard.bands import band_future
from sim.dashboard.chart import Chart, Charts
from sim.dashboard.costs import TAX_EXPENDITURE, CostPerJob, cost_per_job
from sim.dashboard.figures import (
    PANELS,
    histogram_option,
    map_option,
    panel_option,
    panel_options,
    panel_title,
    ties_option,
)
from sim.dashboard.i18n import (
    LANGUAGES,
    event_label,
    lever_label,
    map_label,
    output_label,
    snapshot_label,
    t,
)
from sim.dashboard.info import info_html
from sim.dashboard.lessons import BY_KEY, LESSONS, PREDICTIONS, Lesson, lesson_value
from sim.dashboard.pacing import (
    CHARTS_INTERVAL_S,
    VIEWS_INTERVAL_S,
    Pacer,
    RedrawClock,
    Shown,
    Throttle,
)
from sim.dashboard.pulse import Batch, Pulse
from sim.dashboard.share import read_query, share_query
from sim.dashboard.territory import TerritoryChoice, size_of

log = logging.getLogger(__name__)
# Mesa logs one INFO line per step; with thirty sessions the server log would be nothing else.
logging.getLogger("MESA").setLevel(logging.WARNING)

SEED_RANGE = (0, 2**63 - 1)
BAND_POLL_S = 1.0  # the model's `seed` field (sim/config/schema.py)

# Readable from the back of a room at 1366×768 (WCAG contrast ≥ 4.5:1 for every text);
# Solara's banner is turned off by the launcher, hidden here too for `solara run`.
CSS = """
.ess-lesson-text, .ess-lesson-text * { color: #1a1a1a !important; }
.ess-lesson-text { font-size: 16px; line-height: 1.45; }
.ess-kpi td, .ess-kpi th { padding: 2px 8px; font-size: 16px; color: #1a1a1a; }
.ess-kpi th { font-weight: 600; }
.ess-note { font-size: 14px; color: #424242; }
.ess-projector .ess-kpi td, .ess-projector .ess-kpi th { font-size: 24px; }
.ess-projector .ess-lesson-text { font-size: 22px; }
.ess-projector .ess-month { font-size: 28px !important; }
.ess-projector .ess-note { font-size: 18px; }
.d-flex.ess-hidden { display: none !important; }  /* beats Vuetify's .d-flex */
div[style*="bottom: 0px"] > b > a[href="https://solara.dev"] { display: none; }
"""


def fmt(value: float, lang: str, digits: int = 0) -> str:
    """A number as the page's language writes it: 1 234,5 in French, 1,234.5 in English."""
    text = f"{value:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text.replace("-", "\u2212")


def seed_error(value, lang: str) -> str | None:
    """The form's one-line message for a seed the model would refuse, else None."""
    if isinstance(value, int) and SEED_RANGE[0] <= value <= SEED_RANGE[1]:
        return None
    return t(lang, "seed_invalid")


def session_name(ticket: int) -> str:
    """A name for this session unique across the server's processes (tickets count per process:
    with several processes two pupils would share one class row)."""
    return f"{os.getpid()}-{ticket}"


def _build(settings: Settings) -> Run | Exception:
    """A new run, or the model's refusal so the page can say it in one line."""
    try:
        return Run(settings)
    except Exception as exc:  # any model error is shown on the page, not as a crash
        log.exception("building the model failed")
        return exc


def error_line(exc: Exception, lang: str) -> str:
    """One line in the page's language: what was refused, never a traceback or a class name."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{t(lang, 'settings_refused')} : {first}" if lang == "fr" else (
        f"{t(lang, 'settings_refused')}: {first}")


JOBS = ("ess_jobs_permanent", "ess_jobs_insertion", "ess_jobs_adapted")
HEADLINE = (*JOBS, "ess_enterprises", "public_cost_eur")


def cost_rows(cost: CostPerJob, lang: str) -> list[list[str]]:
    """The cost block under the headline table: extra cost by line, job-years, ratio."""
    euros = lambda v: f"{fmt(v, lang)} €"  # noqa: E731
    rows = [[t(lang, "extra_cost"), euros(cost.extra_cost_eur)]]
    for line, value in cost.by_line.items():
        if abs(value) < 0.5:
            continue
        name = t(lang, "cost_existing") if line == "existing" else (
            f"{t(lang, 'cost_lever')} {lever_label(lang, line)}"
            + (f" {t(lang, 'tax_expenditure')}" if line in TAX_EXPENDITURE else ""))
        rows.append([name, euros(value)])
    rows.append([t(lang, "job_years"), fmt(cost.net_job_years, lang, 1)])
    per = cost.per_job_year
    rows.append([t(lang, "cost_per_job"), "—" if per is None else euros(per)])
    return rows


def _table_html(head: list[str], rows: list[list[str]], classes: list[str], style: str = "") -> str:
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    header = "".join(f"<th>{html.escape(c)}</th>" for c in head)
    return (
        f'<table class="{" ".join(classes)}" style="border-collapse: collapse; width: 100%; '
        f'text-align: right;{style}"><thead><tr>{header}</tr></thead><tbody>{cells}</tbody></table>'
    )


def _table(head: list[str], rows: list[list[str]], classes: list[str]):
    solara.HTML(tag="div", unsafe_innerHTML=_table_html(head, rows, classes))


def kpi_html(frames, lang: str, has_levers: bool) -> str | None:
    """The headline table (and, with a paired run, the cost table) as one element's HTML; None
    before the first month."""
    ts, base = frames.timeseries, frames.baseline_timeseries
    if ts.empty:
        return None
    first = t(lang, "with_levers") if has_levers else t(lang, "without_levers")
    head = [f"{t(lang, 'month')} {frames.month}", first]
    last = ts.iloc[-1]
    rows = [[output_label(lang, c), fmt(last[c], lang)] for c in HEADLINE]
    if base is None:
        return _table_html(head, rows, ["ess-kpi"])
    then = base.iloc[-1]
    head += [t(lang, "without_levers"), t(lang, "difference")]
    rows = [[*row, fmt(then[c], lang), fmt(last[c] - then[c], lang)]
            for row, c in zip(rows, HEADLINE, strict=True)]
    # Both tables and their notes in one element: a redraw updates them in one message, and
    # the play loop keeps the notes right between two renders (`LiveViews`).
    cost = cost_per_job(ts, base)
    notes = [(t(lang, "cost_definition"), "ess-note")] + (
        [(t(lang, "no_job_year"), "ess-note ess-dash-note")] if cost.per_job_year is None else [])
    return _table_html(head, rows, ["ess-kpi"]) + _table_html(
        [t(lang, "cost_per_job"), ""], cost_rows(cost, lang),
        ["ess-kpi", "ess-cost"], " margin-top: 12px;") + "".join(
        f'<div class="{kind}">{html.escape(note)}</div>' for note, kind in notes)


@solara.component
def Kpis(frames, lang: str, has_levers: bool, live=None):
    """Headline numbers; with a paired run, the difference and the cost per net job-year.
    Between two renders the play loop updates the tables directly (`LiveViews`)."""
    text = kpi_html(frames, lang, has_levers)
    element = None
    if text is None:
        solara.Info(t(lang, "start_hint"), dense=True)
    else:
        element = solara.HTML(tag="div", unsafe_innerHTML=text)

    def hand_over():
        if live is not None:
            live.kpis = None if element is None else (
                solara.get_widget(element), lambda f: kpi_html(f, lang, has_levers))

    solara.use_effect(hand_over)


def _cell(value, lang: str) -> str:
    if isinstance(value, bool):
        return {"fr": {True: "oui", False: "non"}, "en": {True: "yes", False: "no"}}[lang][value]
    if isinstance(value, float):
        return fmt(value, lang) if abs(value) >= 100 else fmt(value, lang, 2)
    return html.escape(str(value))


def _snapshot_html(snapshot: dict, lang: str) -> str:
    """Scalars one per row; lists of records (sites, history) as nested tables."""
    label = lambda key: html.escape(snapshot_label(lang, str(key)))  # noqa: E731
    rows = []
    for key, value in snapshot.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            head = "".join(f"<th>{label(k)}</th>" for k in value[0])
            body = "".join(
                "<tr>" + "".join(f"<td>{_cell(v, lang)}</td>" for v in record.values()) + "</tr>"
                for record in value
            )
            shown = f"<table class='ess-nested'><tr>{head}</tr>{body}</table>"
        elif isinstance(value, list):
            shown = html.escape(", ".join(map(str, value))) or "—"
        else:
            shown = _cell(value, lang)
        rows.append(f"<tr><th>{label(key)}</th><td>{shown}</td></tr>")
    return "".join(rows)


@solara.component
def Inspector(run: Run, month: int, lang: str):
    """One enterprise's state, as the model describes it, at the month it was read (`month`
    asks for a new reading: the views' month when paused, see `SlowViews`)."""
    index = solara.use_reactive(0)
    # The snapshot reads the model's whole event log (O(events)): with thirty sessions playing
    # it was a tenth of the server's time (eighth session), hence read only when asked.
    snapshot, read_at = solara.use_memo(lambda: (run.enterprise(index.value), run.month),
                                        [index.value, month])
    with solara.Card(t(lang, "inspector")):
        solara.InputInt(t(lang, "enterprise"), value=index, classes=["ess-inspect-index"])
        if snapshot is None:
            solara.Text(t(lang, "no_enterprise"))
            return
        solara.Text(f"{t(lang, 'month')} {read_at}", style="font-size: 0.9em; color: #424242")
        solara.HTML(
            tag="table",
            unsafe_innerHTML=_snapshot_html(snapshot, lang),
            classes=["ess-inspector"],
            style="font-size: 0.9em; text-align: left;",
        )


@solara.component
def DoseSlider(label: str, value: float, on_change, disabled: bool):
    """A 0–1 slider that reports its value with Vuetify's `change` event.

    Solara's SliderFloat reports through the widget's `v_model` sync, which the browser holds
    back while an earlier update of the same widget is unanswered; a click on Reset, sent at
    once, could then overtake the last slider move (the slider showed 0.6, Reset ran 0.55). The
    `change` event travels as a message in the order the pupil acted, like the click.

    The value the slider itself reported is not sent back to it: each report re-renders the
    page with the new dose, and a server answering between two key presses (no longer busy
    rendering a playing run) set the slider back to the first press's value, losing the next
    ones (five presses gave 0.65, not 0.75). While the dose is the one the slider reported,
    the slider keeps the value it has (the browser's, as last synced); the server moves it
    only to a dose it did not report (a lesson's).
    """
    reported = solara.use_ref(None)
    widget = solara.use_ref(None)
    kept = value == reported.current and widget.current is not None
    slider = solara.v.Slider(
        v_model=widget.current.v_model if kept else value, min=0.0, max=1.0, step=0.05,
        label=label, thumb_label=True, hide_details=True, disabled=disabled,
    )

    def report(_w, _e, data):
        reported.current = round(float(data), 2)
        on_change(reported.current)

    solara.v.use_event(slider, "change", report)
    solara.use_effect(lambda: setattr(widget, "current", solara.get_widget(slider)), [])
    return slider


@solara.component
def LeverControl(name: str, lang: str, enabled: solara.Reactive, dose: solara.Reactive):
    """A lever's checkbox and dose slider; the slider is greyed out while the lever is off."""
    solara.Checkbox(
        label=lever_label(lang, name),
        value=enabled.value[name],
        on_value=lambda on: enabled.set(enabled.value | {name: on}),
    )
    DoseSlider(
        t(lang, "dose"),
        dose.value[name],
        lambda x: dose.set(dose.value | {name: x}),
        not enabled.value[name],
    )


@solara.component
def Page():
    router = solara.use_router()
    shared = solara.use_memo(lambda: read_query(router.search), [])  # a share link's settings
    start = shared.settings if shared is not None else Settings()
    lang = solara.use_reactive("fr")
    lesson = solara.use_reactive("")
    territory = solara.use_reactive(start.territory)
    seed = solara.use_reactive(start.seed)
    enabled = solara.use_reactive({name: name in start.levers for name in LEVERS})
    dose = solara.use_reactive({name: start.levers.get(name, 0.5) for name in LEVERS})
    side_by_side = solara.use_reactive(start.side_by_side)
    map_output = solara.use_reactive("ess_enterprises")
    resets = solara.use_reactive(0)
    projector = solara.use_reactive(False)
    info = solara.use_reactive(False)
    prediction = solara.use_reactive("")
    problem = solara.use_reactive("")
    class_code = solara.use_reactive("")
    class_version = solara.use_reactive(0)  # bumped when this page sends a result
    L = lang.value

    def guarded(handler):
        """A control's handler that cannot replace the page with a traceback."""
        def run_safely(*args):
            try:
                problem.set("")
                handler(*args)
            except Exception:
                log.exception("a control's handler failed")
                problem.set(t(lang.value, "control_failed"))
        return run_safely

    admission = solara.use_memo(sessions.admit, [])
    closed = solara.use_memo(threading.Event, [])

    def on_close():
        closed.set()
        sessions.release(admission.ticket)

    solara.use_effect(lambda: on_close, [])

    seed_problem = seed_error(seed.value, L)

    def chosen() -> Settings:
        levers = {n: round(dose.value[n], 2) for n in LEVERS if enabled.value[n]}
        return Settings(territory.value, int(seed.value) if seed_problem is None else 1, levers,
                        side_by_side.value)

    # Rebuilt only when Reset (or a lesson) bumps `resets`: moving a control alone never
    # disturbs the run on screen.
    run = solara.use_memo(
        lambda: _build(chosen()) if admission.ticket is not None else None,
        dependencies=[resets.value],
    )

    def reset():
        if seed_error(seed.value, lang.value) is None and \
                not isinstance(size_of(territory.value), str):
            resets.set(resets.value + 1)

    def apply_lesson(title: str):
        chosen_lesson = next((x for x in LESSONS if x.title[lang.value] == title), None)
        lesson.set(chosen_lesson.key if chosen_lesson else "")
        prediction.set("")
        if chosen_lesson is None:
            return
        s = chosen_lesson.settings
        territory.set(s.territory)
        seed.set(s.seed)
        enabled.set({n: n in s.levers for n in LEVERS})
        dose.set({n: s.levers.get(n, dose.value[n]) for n in LEVERS})
        side_by_side.set(s.side_by_side)
        map_output.set(chosen_lesson.map_output)
        band_future(s, chosen_lesson.outcome, chosen_lesson.stop_month)  # starts it early
        resets.set(resets.value + 1)

    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle(t(L, "title"))
        with solara.Div(classes=["ess-info-toggle"]):
            solara.Checkbox(label=t(L, "info"), value=info)
        with solara.Div(classes=["ess-projector-toggle"]):
            solara.Checkbox(label=t(L, "projector"), value=projector)
        solara.ToggleButtonsSingle(value=lang, values=list(LANGUAGES), classes=["ess-lang"])

    if admission.ticket is None:
        key = "class_full" if admission.reason == "sessions" else "memory_full"
        solara.Error(t(L, key).format(n=admission.open), classes=["ess-full"])
        return

    # A fixed width: Solara's drawer otherwise grows with the longest label, over the page.
    with solara.Sidebar(), solara.Column(style={"width": "376px"}):
        ClassCard(class_code, L)
        with solara.Card(t(L, "lesson")):
            none = t(L, "no_lesson")
            solara.Select(
                t(L, "lesson"),
                values=[none] + [x.title[L] for x in LESSONS],
                value=BY_KEY[lesson.value].title[L] if lesson.value else none,
                on_value=guarded(apply_lesson),
                classes=["ess-lesson"],
            )
        with solara.Card(t(L, "run"), classes=["ess-run-card"]):
            TerritoryChoice(territory, L)
            solara.InputInt(t(L, "seed"), value=seed, classes=["ess-seed"])
            solara.Checkbox(label=t(L, "side_by_side"), value=side_by_side)
        with solara.Card(t(L, "levers")):
            for name in LEVERS:
                with solara.Div(classes=[f"ess-lever-{name}"]):
                    LeverControl(name, L, enabled, dose)

    if info.value:
        solara.HTML(tag="div", unsafe_innerHTML=info_html(L), classes=["ess-info"],
                    style="padding: 0 12px; max-width: 60em; font-size: 16px; color: #1a1a1a;")
    # Hidden, not removed, while the info tab is open: the run (and its play loop) goes on.
    # Keyed: the info tab, inserted before it, must not remount it (and its play loop).
    with solara.Column(style={"padding": "0 12px"},
                       classes=(["ess-projector"] if projector.value else [])
                       + (["ess-hidden"] if info.value else [])).key("run-column"):
        if problem.value:
            solara.Error(problem.value, classes=["ess-error"])
        if shared is not None and shared.refused:
            solara.Warning(t(L, "link_refused").format(fields=", ".join(shared.refused)),
                           dense=True, classes=["ess-link-refused"])
        failed = isinstance(run, Exception)
        pending = None
        if seed_problem:
            solara.Error(seed_problem, classes=["ess-seed-error"])
        elif not failed and chosen() != run.settings and \
                not isinstance(size_of(territory.value), str):  # a refused one says so itself
            pending = "seed_changed" if chosen().seed != run.settings.seed else "pending"
        Player(
            run, L, on_reset=guarded(reset), pending=pending, projector=projector.value,
            lesson=BY_KEY.get(lesson.value), prediction=prediction, map_output=map_output,
            closed=closed, class_code=class_code.value, session=session_name(admission.ticket),
            on_sent=lambda: class_version.set(class_version.value + 1),
        ).key(f"run-{resets.value}")
        if class_code.value:
            ClassResults(class_code.value, L, class_version.value)


@solara.component
def Player(run, lang: str, on_reset, pending, projector: bool, lesson: Lesson | None,
           prediction: solara.Reactive, map_output: solara.Reactive, closed: threading.Event,
           class_code: str = "", session: str = "", on_sent=None):
    """Reset / Play / Step, the month, and every view of one run (remounted at each Reset)."""
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(4)
    # A redraw is one change of `shown`; it starts at the run's month (a Player remounted on a
    # run already played must not show month 0).
    start = solara.use_memo(
        lambda: Shown() if isinstance(run, Exception) else Shown(run.month, run.month), [])
    shown = solara.use_reactive(start)
    live = solara.use_memo(LiveViews, [])
    play_failed = solara.use_reactive(False)
    sent_as = solara.use_reactive(0)
    failed = isinstance(run, Exception)
    stop_month = lesson.stop_month if lesson is not None else None

    def at_stop() -> bool:
        return stop_month is not None and run.month >= stop_month

    def play():
        if failed or not playing.value:
            return
        pacer, redraw, views = Pacer(), RedrawClock(), Throttle(VIEWS_INTERVAL_S)
        try:
            while playing.value and run.running and not at_stop() and not closed.is_set():
                months = pacer.due(speed.value)
                done = 0
                while done < months and run.running and not at_stop():
                    run.step()
                    done += 1
                pacer.record(done)
                if done:
                    counters.record(session, run.month)
                ending = not run.running or at_stop()
                # Redraws space out while the run falls behind its speed (a busy server):
                # the months due are still simulated, several per redraw. A page that has not
                # handled the last redraw yet (starved of CPU) is not sent another: its
                # redraws are dropped, its months go on (`LiveViews.caught_up`).
                if done and (ending or (live.caught_up()
                                        and redraw.ready(pacer.behind(speed.value)))):
                    views.interval_s = redraw.views_interval()
                    views_due = views.ready()
                    if ending or not live.ready() or (views_due and not live.views_ready()):
                        # The whole page: the run stops here, or a view has not handed its
                        # widget over yet (a page not rendered since it started).
                        shown.set(Shown(run.month, run.month, pacer.rate()))
                    else:  # straight into the widgets: counter, tables, charts and, when
                        # due, the map, feed and ties; Reacton renders nothing
                        live.update(run, pacer.rate(), views=views_due)
                    live.ping()
                    counters.record_redraw(session, live.redraws)
                time.sleep(pacer.pause(speed.value))
        except Exception:  # the play loop never takes the page down
            log.exception("the play loop stopped")
            play_failed.set(True)
        finally:
            if not closed.is_set():
                if not failed and shown.value.month != run.month:  # paused between redraws
                    shown.set(Shown(run.month, run.month))
                playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value])

    def step():
        try:
            month = run.step()
            counters.record(session, month)
            shown.set(Shown(month, month))
        except Exception:
            log.exception("a step failed")
            play_failed.set(True)

    # While playing, Player does not read `shown`: a redraw re-renders `MonthCounter` and `Live`
    # only, not the buttons, the speed slider, the overrides and the share link. Paused, it
    # reads it, so that a Step that ends the run or reaches the lesson's month greys Step out.
    if not playing.value:
        _ = shown.value
    can_play = not failed and not play_failed.value and run.running and not at_stop()
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button(t(lang, "reset"), on_click=on_reset, color="primary", classes=["ess-reset"])
        solara.Button(
            t(lang, "pause") if playing.value else t(lang, "play"),
            on_click=lambda: playing.set(not playing.value),
            disabled=not can_play and not playing.value,
            color="primary",
            classes=["ess-play"],
        )
        solara.Button(
            t(lang, "step"),
            on_click=step,
            disabled=not can_play or playing.value,
            color="primary",
            classes=["ess-step"],
        )
        with solara.Div(style={"width": "300px"}, classes=["ess-speed"]):
            solara.SliderInt(t(lang, "speed"), value=speed, min=1, max=24)
        if not failed:
            MonthCounter(run, shown, lang, playing.value, live)
            PagePulse(session, live)
    if failed:
        solara.Error(error_line(run, lang), classes=["ess-error"])
        return
    if play_failed.value:
        solara.Error(t(lang, "play_failed"), classes=["ess-error"])
    if pending:
        solara.Warning(t(lang, pending), dense=True, classes=["ess-pending"])
    solara.Text(
        f"{t(lang, 'overrides')}: {' '.join(run.overrides)}",
        classes=["ess-overrides"],
        style={"font-family": "monospace", "font-size": "0.85em"},
    )
    solara.HTML(tag="span", classes=["ess-note"], unsafe_innerHTML=(
        f'<a class="ess-share" href="?{html.escape(share_query(run.settings))}">'
        f'{html.escape(t(lang, "share_link"))}</a> · {html.escape(t(lang, "share_hint"))}'))
    Live(run, shown, lang, projector, lesson, prediction, map_output, class_code, session,
         on_sent, sent_as, playing.value, live)


def counter_html(lang: str, month: int, running: bool, rate: float | None) -> str:
    """The month shown and, while playing (`rate` not None), the rate reached, in one element:
    a redraw updates both in one message."""
    done = "" if running else f" ({t(lang, 'finished')})"
    text = (f'<span class="ess-month" style="font-size: 1.3em; font-weight: bold">'
            f"{html.escape(t(lang, 'month'))} {month}{html.escape(done)}</span>")
    if rate:
        text += (f'<span class="ess-rate ess-note" style="margin-left: 12px">'
                 f"{fmt(rate, lang, 1)} {html.escape(t(lang, 'rate'))}</span>")
    return text


@solara.component
def MonthCounter(run, shown: solara.Reactive, lang: str, playing: bool, live=None):
    """The month shown and, while playing, the rate reached (updated directly by the play loop
    between two renders, `LiveViews`)."""
    element = solara.HTML(tag="span", unsafe_innerHTML=counter_html(
        lang, shown.value.month, run.running, shown.value.rate if playing else None))

    def hand_over():
        if live is not None:
            live.counter = (solara.get_widget(element),
                            lambda month, running, rate: counter_html(lang, month, running, rate))

    solara.use_effect(hand_over)


@solara.component
def PagePulse(session: str, live):
    """The page's answer to the play loop's redraws, hidden (`pulse.Pulse`), handed to the
    play loop (`LiveViews.caught_up`)."""
    element = Pulse.element(session=session)

    def hand_over():
        live.pulse = solara.get_widget(element)

    solara.use_effect(hand_over, [])
    return element


class SlowWidgets:
    """The slower views' widgets (map, ties, feed) and how to fill them from a snapshot, handed
    over by `SlowViews` after each render for the play loop (`LiveViews.update`)."""

    def __init__(self, shown: bool = True):
        self.shown = shown  # False: no slower view on the page (projector mode)
        self.map = None  # (ChartWidget, frames -> option)
        self.ties = None  # (ChartWidget, frames -> option)
        self.feed = None  # (HTML widget, frames -> html); None while the feed shows none

    def ready(self) -> bool:
        return not self.shown or None not in (self.map, self.ties, self.feed)

    def widgets(self) -> list:
        return [h[0] for h in (self.map, self.ties, self.feed) if h is not None]

    def draw(self, frames) -> None:
        if not self.shown:
            return
        (map_widget, map_of), (ties_widget, ties_of), (feed_widget, feed_of) = (
            self.map, self.ties, self.feed)
        map_widget.show([map_of(frames)])
        ties_widget.show([ties_of(frames)])
        feed_widget.unsafe_innerHTML = feed_of(frames)


NO_SLOW_VIEWS = SlowWidgets(shown=False)


class LiveViews:
    """What a playing page shows that changes with the month — the month counter and its rate,
    the headline tables, the charts and, less often, the map, the ties and the feed — updated
    by the play loop itself, straight into their widgets, without a render of the page.

    A render (Reacton reconciling the live views, then Solara's messages) cost a server process
    more CPU than a month of the classroom model (docs/dashboard.md). While playing, the page is
    now rendered only at a pause, at the end of the run or at a lesson's month; each redraw
    sets the counter's and the tables' HTML and sends the charts' new points (`ChartWidget.show`,
    at most once every `CHARTS_INTERVAL_S`: redrawing the charts is the pupil's browser's
    dearest work), and when the slower views are due (every 2 s, up to 6 s under load) it
    takes a new snapshot of them and sends the map's and ties' options and the feed's HTML
    (`SlowWidgets`; the inspector keeps its month while playing). Each component hands its
    widget and how to fill it (its language, projector font, map output…) over after each
    render; until they all are there (a run not yet rendered), the play loop renders instead.

    A redraw is one websocket message: the widgets' messages are held back (`pulse.Batch`)
    and sent with the redraw's ping in one message to the page's `Pulse` (`ping`), which hands
    each to its widget in the page. They were four to seven messages (counter, tables, charts,
    map, ties, feed, ping), each handed to the server's event loop on its own.
    """

    def __init__(self):
        self.counter = None  # (widget, (month, running, rate) -> html)
        self.kpis = None  # (widget, frames -> html | None), None before the first month
        self.charts = None  # (ChartWidget, frames -> options)
        self.views_frames = None  # the slower views' snapshot on screen
        self.frames = None  # the latest frames drawn, by a render or directly
        self.charts_throttle = Throttle(CHARTS_INTERVAL_S)
        self.pulse = None  # the page's answers to the redraws (`pulse.Pulse`)
        self.slow = None  # the slower views' widgets (`SlowWidgets`), once rendered
        self.batch = Batch()  # the widget messages of the redraw under way (`ping` sends them)
        self.redraws = 0  # redraws sent (`ping`), for the load benchmark (`counters`)

    def ready(self) -> bool:
        return None not in (self.counter, self.kpis, self.charts, self.views_frames)

    def views_ready(self) -> bool:
        """True when the play loop can draw the slower views itself."""
        return self.slow is not None and self.slow.ready()

    def newest_views(self, frames):
        """`frames` (the slower views' snapshot of the last render), or the newer one the play
        loop has drawn since: a render for another reason (a control) must not take the map
        back to the month of the last render."""
        newer = self.views_frames
        return newer if newer is not None and newer.month > frames.month else frames

    def caught_up(self) -> bool:
        """True when the page has handled the last redraw sent to it (`pacing.Acks`): a
        starved page's redraws are dropped rather than queued on its websocket, where each
        send held up the play loop until the page read it."""
        return self.pulse is None or self.pulse.caught_up()

    def ping(self) -> None:
        """Send the redraw's widget messages held back by `update` in one message, asking the
        page to say when it has handled them (after a render: the ping alone)."""
        self.redraws += 1
        if self.pulse is not None:
            self.pulse.redraw(self.batch.take())

    def latest(self, frames):
        """`frames`, or the newer ones this page already shows (a render for another reason —
        a control, the language — must not take the charts back to the last rendered month)."""
        newer = self.frames
        if newer is not None and newer.month > frames.month and \
                newer.territory is frames.territory:
            return newer
        return frames

    def update(self, run, rate: float, views: bool = False) -> None:
        """Show the run's month now: the frames' series are read again; the slower views'
        tables are those on screen or, with `views`, a new snapshot drawn into them."""
        frames = run.frames() if views else run.frames(views=self.views_frames)
        (counter, counter_text), (kpis, kpi_text), (charts, options) = (
            self.counter, self.kpis, self.charts)
        if views:
            self.views_frames = frames
        self.frames = frames
        # Without the page's `Pulse` (not rendered yet) each widget sends its own message.
        held = [counter, kpis, charts, *(self.slow.widgets() if views else [])]
        with self.batch.capture(*(held if self.pulse is not None else [])):
            counter.unsafe_innerHTML = counter_text(frames.month, frames.running, rate)
            text = kpi_text(frames)
            if text is not None:
                kpis.unsafe_innerHTML = text
            if self.charts_throttle.ready():
                charts.show(options(frames))
            if views:
                self.slow.draw(frames)


@solara.component
def Live(run, shown: solara.Reactive, lang: str, projector: bool, lesson: Lesson | None,
         prediction: solara.Reactive, map_output: solara.Reactive, class_code: str,
         session: str, on_sent, sent_as: solara.Reactive, playing: bool,
         live: LiveViews):
    """Everything that changes with the month shown: export, class sending, lesson, views."""
    # The slower views' snapshot is rebuilt only when their month moves; between two of its
    # moves the same object is passed on, so their components are not even re-rendered. While
    # playing, the play loop takes newer snapshots itself (`LiveViews.update`).
    views_frames = live.newest_views(
        solara.use_memo(run.frames, [shown.value.views_month]))
    frames = solara.use_memo(
        lambda: views_frames if shown.value.month == views_frames.month
        else run.frames(views=views_frames), [shown.value, views_frames])
    frames = live.latest(frames)
    live.views_frames, live.frames = views_frames, frames
    latest = live  # the CSV is of the frames on screen, rendered or drawn by the play loop
    # The CSV is built from the frames on screen when the pupil clicks. The function handed to
    # FileDownload changes with the slower views only (every 2 s while playing, at each pause):
    # a new one at every redraw restarted FileDownload's worker thread and re-rendered it twice.
    csv = solara.use_memo(lambda: lambda: runs_csv(latest.frames), [shown.value.views_month])
    if not frames.timeseries.empty:
        # The file's name does not change with the month (the table has a month column): a
        # name changing at every redraw was one more message per redraw for each pupil.
        solara.FileDownload(csv, filename=f"ess_seed{run.settings.seed}.csv",
                            label="CSV", mime_type="text/csv")
    if class_code and not frames.timeseries.empty:
        def send():
            sent = latest.frames or frames  # what the page shows, drawn by the play loop or not
            numbers = class_numbers(sent)
            levers = ", ".join(f"{lever_label(lang, n)} {v:g}"
                               for n, v in sorted(run.settings.levers.items()))
            pupil = classes.submit(class_code, session, run.settings.seed,
                                   levers or t(lang, "without_levers"), sent.month, numbers)
            sent_as.set(pupil or -1)
            if on_sent:
                on_sent()

        with solara.Row(style={"align-items": "center"}):
            solara.Button(t(lang, "send_results"), on_click=send, classes=["ess-send"],
                          outlined=True, color="primary")
            if sent_as.value > 0:
                solara.Text(t(lang, "sent").format(pupil=sent_as.value), classes=["ess-sent"])
            elif sent_as.value < 0:
                solara.Text(t(lang, "unknown_class"), classes=["ess-sent"])
    # Only on the lesson's own run: between choosing a lesson and its Reset, the old run is
    # still on screen, and its band would be computed for nothing.
    if lesson is not None and lesson.settings.levers == run.settings.levers \
            and lesson.settings.territory == run.settings.territory:
        LessonPanel(lesson, run, frames, lang, prediction,
                    reached=frames.month >= lesson.stop_month)
    Views(run, frames, views_frames, lang, map_output, projector, playing, live)


def runs_csv(frames) -> str:
    """Both runs' monthly series in one table, a `run` column telling them apart."""
    parts = [frames.timeseries.assign(run="with_levers" if frames.baseline_timeseries is not None
                                      else "this_run")]
    if frames.baseline_timeseries is not None:
        parts.append(frames.baseline_timeseries.assign(run="without_levers"))
    return pd.concat(parts, ignore_index=True).to_csv(index=False)


def class_numbers(frames) -> dict[str, float]:
    """What a pupil sends: ESS jobs now and, side by side, the gap and the cost per job-year."""
    last = frames.timeseries.iloc[-1]
    numbers = {"ess_jobs": float(sum(last[c] for c in JOBS))}
    if frames.baseline_timeseries is not None:
        base = frames.baseline_timeseries.iloc[-1]
        numbers["jobs_gap"] = numbers["ess_jobs"] - float(sum(base[c] for c in JOBS))
        cost = cost_per_job(frames.timeseries, frames.baseline_timeseries)
        numbers["net_job_years"] = cost.net_job_years
        if cost.per_job_year is not None:
            numbers["cost_per_job_year"] = cost.per_job_year
    return numbers


@solara.component
def ClassCard(class_code: solara.Reactive, lang: str):
    """Open a class (teacher) or join one with its code (pupil)."""
    typed = solara.use_reactive("")
    unknown = solara.use_reactive(False)

    def join():
        code = classes.normalise(typed.value)
        unknown.set(not classes.exists(code))
        if classes.exists(code):
            class_code.set(code)

    with solara.Card(t(lang, "class"), classes=["ess-class-card"]):
        if class_code.value:
            solara.Text(t(lang, "in_class").format(code=class_code.value),
                        classes=["ess-class-code"], style={"font-size": "1.4em",
                                                           "font-weight": "bold"})
            return
        solara.Button(t(lang, "open_class"), on_click=lambda: class_code.set(classes.open_class()),
                      classes=["ess-open-class"], outlined=True, color="primary")
        with solara.Row(style={"align-items": "center"}):
            solara.InputText(t(lang, "class_code"), value=typed, classes=["ess-class-input"])
            solara.Button(t(lang, "join"), on_click=join, classes=["ess-join"])
        if unknown.value:
            solara.Text(t(lang, "unknown_class"), classes=["ess-note"])


@solara.component
def ClassResults(code: str, lang: str, version: int):
    """Every pupil's latest result in a table, and the spread of one number in a histogram."""
    refreshes = solara.use_reactive(0)
    rows = solara.use_memo(lambda: classes.results(code), [code, version, refreshes.value])
    with solara.Card(t(lang, "class_results").format(code=code), classes=["ess-class-results"]):
        solara.Button(t(lang, "refresh"), on_click=lambda: refreshes.set(refreshes.value + 1),
                      classes=["ess-refresh"], text=True, color="primary")
        if not rows:
            solara.Text(t(lang, "no_results"), classes=["ess-note"])
            return
        key = "jobs_gap" if any("jobs_gap" in r.numbers for r in rows) else "ess_jobs"
        head = [t(lang, "pupil"), t(lang, "seed"), t(lang, "levers"), t(lang, "month"),
                t(lang, "jobs"), t(lang, "jobs_gap"), t(lang, "cost_per_job")]

        def cell(r, name, digits=0):
            value = r.numbers.get(name)
            return "—" if value is None else fmt(value, lang, digits)

        table = [[str(r.pupil), str(r.seed), r.levers, str(r.month), cell(r, "ess_jobs"),
                  cell(r, "jobs_gap"), cell(r, "cost_per_job_year")] for r in rows]
        _table(head, table, ["ess-kpi", "ess-class-table"])
        label = t(lang, "jobs_gap") if key == "jobs_gap" else t(lang, "jobs")
        Chart(histogram_option([r.numbers.get(key) for r in rows], label, lang), lang,
              height_px=260, png_name="class", classes=["ess-class-histogram"], appends=False)


@solara.component
def LessonPanel(lesson: Lesson, run, frames, lang: str, prediction: solara.Reactive,
                reached: bool):
    """Question, the pupil's prediction, then at the lesson's month the answer over ten seeds."""
    band = band_future(run.settings, lesson.outcome, lesson.stop_month)
    done = solara.use_reactive(band.done())

    def wait_for_band():
        # Polled rather than `band.result()`: a task blocked in a future's wait held up the
        # session's events (Step did nothing until the band arrived).
        while not band.done():
            time.sleep(BAND_POLL_S)
        done.set(True)

    solara.lab.use_task(wait_for_band, dependencies=[band])
    with solara.Info(classes=["ess-lesson-text"], icon=False):
        solara.HTML(tag="strong", unsafe_innerHTML=html.escape(lesson.title[lang]))
        solara.HTML(tag="p", unsafe_innerHTML=html.escape(lesson.question[lang]))
        choices = {f"{arrow} {p[lang]}": arrow for arrow, p in PREDICTIONS.items()}
        solara.ToggleButtonsSingle(
            value=next((c for c, a in choices.items() if a == prediction.value), None),
            values=list(choices),
            on_value=lambda choice: prediction.set(choices.get(choice, "")),
            mandatory=False,  # nothing chosen until the pupil predicts
            classes=["ess-prediction"],
        )
        if not reached:
            solara.Text(t(lang, "lesson_play_to").format(month=lesson.stop_month),
                        classes=["ess-note"])
            return
        here = lesson_value(frames, lesson.outcome)
        answer = [t(lang, "lesson_this_seed").format(
            seed=run.settings.seed, value=fmt(here, lang, 1), what=lesson.outcome_label[lang])]
        if done.value and band.done() and band.exception() is None:  # reads `done`: redrawn
            b = band.result()
            answer.append(t(lang, "lesson_band").format(
                n=len(b.seeds), low=fmt(b.low, lang, 1), high=fmt(b.high, lang, 1),
                median=fmt(b.median, lang, 1)))
            answer.append(t(lang, f"direction_{b.direction}"))
            if prediction.value:
                right = PREDICTIONS[prediction.value]["direction"] == b.direction
                answer.append(t(lang, "prediction_right" if right else "prediction_wrong"))
        elif done.value and band.done():
            answer.append(t(lang, "lesson_band_failed"))
        else:
            answer.append(t(lang, "lesson_band_pending"))
        for line in answer:
            solara.HTML(tag="p", unsafe_innerHTML=html.escape(line), classes=["ess-answer"])
        solara.HTML(tag="p", unsafe_innerHTML=html.escape(lesson.text[lang]))


def feed_html(feed, lang: str) -> str:
    """One list item per month, newest first: "Mois 12 : 2 fermetures, 9 marchés gagnés"."""
    colon = " : " if lang == "fr" else ": "
    items = []
    for month, counts in feed:
        said = ", ".join(f"{fmt(n, lang)} {event_label(lang, kind)}"
                         for kind, n in counts.items()) or "—"
        items.append(f"<li><strong>{html.escape(t(lang, 'month'))} {month}</strong>{colon}"
                     f"{html.escape(said)}</li>")
    return "".join(items)


@solara.component
def Feed(frames, lang: str, on_widget=None):
    """What happened in the last months of the run with levers, from the model's event log.
    `on_widget(widget or None)`, after each render, hands the list's widget to the play loop."""
    with solara.Card(t(lang, "feed"), classes=["ess-feed"]):
        if not frames.feed:
            solara.Text(t(lang, "feed_empty"), classes=["ess-note"])
            FeedGone(on_widget)
        else:
            solara.Text(t(lang, "feed_note"), classes=["ess-note"])
            FeedList(feed_html(frames.feed, lang), on_widget)


@solara.component
def FeedList(text: str, on_widget=None):
    """The feed's list; its widget handed over after each render (`on_widget`)."""
    element = solara.HTML(tag="ul", unsafe_innerHTML=text, classes=["ess-feed-list"],
                          style="font-size: 15px; color: #1a1a1a;")

    def hand_over():
        if on_widget is not None:
            on_widget(solara.get_widget(element))

    solara.use_effect(hand_over)
    return element


@solara.component
def FeedGone(on_widget=None):
    """No list on screen (no month played): nothing for the play loop to fill."""
    solara.use_effect(lambda: on_widget and on_widget(None))


@solara.component
def Views(run: Run, frames, views_frames, lang: str, map_output: solara.Reactive[str],
          projector: bool, playing: bool = False, live: LiveViews | None = None):
    """The views of the run, all drawn in the browser from ECharts options: headline numbers
    and charts from `frames`, the map, feed, ties and inspector from `views_frames` (redrawn
    less often while playing)."""
    chart = solara.use_reactive("jobs")
    has_levers = bool(run.settings.levers)
    font = 18 if projector else 13

    def option(key: str, shown=frames) -> dict:
        return panel_option(key, shown.timeseries, shown.baseline_timeseries, lang,
                            has_levers=has_levers, font_px=font)

    def options(keys, shown=frames) -> list[dict]:
        return panel_options(keys, shown.timeseries, shown.baseline_timeseries, lang,
                             has_levers=has_levers, font_px=font)

    def hand_over(keys):
        """The chart widget and its options, for the play loop's redraws (`LiveViews`)."""
        def on_widget(widget):
            if live is not None:
                live.charts = (widget, lambda f: options(keys, f))
        return on_widget

    def no_slow_views():
        if projector and live is not None:
            live.slow = NO_SLOW_VIEWS  # the play loop has no map, ties or feed to draw

    solara.use_effect(no_slow_views, [projector])
    Kpis(frames, lang, has_levers, live)
    keys = list(PANELS)
    if projector:
        titles = {panel_title(k, lang): k for k in keys}
        solara.ToggleButtonsSingle(
            value=panel_title(chart.value, lang), values=list(titles),
            on_value=lambda title: chart.set(titles.get(title, "jobs")),
            classes=["ess-chart-choice"])
        Chart(option(chart.value), lang, height_px=480, png_name=chart.value,
              classes=["ess-panel"], on_widget=hand_over([chart.value]), paced=playing)
        return
    # One widget for the six charts: a redraw sends their new points in one message.
    Charts(options(keys), lang, height_px=300, png_names=keys,
           classes=["ess-panel"], columns=3, on_widget=hand_over(keys), paced=playing)
    SlowViews(run, views_frames, lang, map_output, font, playing, live)


@solara.component
def SlowViews(run: Run, frames, lang: str, map_output: solara.Reactive[str], font: int,
              playing: bool = False, live: LiveViews | None = None):
    """Map, feed, ties and inspector: re-rendered only when their snapshot `frames` changes
    (Reacton skips a component whose arguments are unchanged) or one of their controls does;
    while playing, the play loop draws new snapshots into their widgets (`LiveViews`)."""
    difference = solara.use_reactive(True)
    paired = frames.baseline_timeseries is not None
    outputs = [c for c in MAP_OUTPUTS if c in frames.territory]
    handles = solara.use_memo(SlowWidgets, [])
    output, diff = map_output.value, paired and difference.value

    def map_of(shown) -> dict:
        return map_option(run.territories, shown.territory, shown.baseline_territory, output,
                          lang, difference=diff, font_px=font)

    def ties_of(shown) -> dict:
        return ties_option(shown.ties, lang, font_px=font)

    def hand(name: str, how):
        return lambda widget: setattr(handles, name, None if widget is None else (widget, how))

    def hand_over():
        if live is not None:
            live.slow = handles

        def withdraw():  # unmounted (projector mode): nothing of it for the play loop to draw
            if live is not None and live.slow is handles:
                live.slow = None
        return withdraw

    solara.use_effect(hand_over, [])
    with solara.Card(t(lang, "map")):
        with solara.Row(style={"align-items": "center"}):
            solara.Select(
                t(lang, "map_output"),
                values=[map_label(lang, c) for c in outputs],
                value=map_label(lang, map_output.value),
                on_value=lambda label: map_output.set(
                    next(c for c in outputs if map_label(lang, c) == label)
                ),
                classes=["ess-map-output"],
            )
            if paired:
                with solara.Div(classes=["ess-difference"]):
                    solara.Checkbox(label=t(lang, "show_difference"), value=difference)
        Chart(map_of(frames), lang, height_px=460, png_name="map", classes=["ess-map"],
              on_widget=hand("map", map_of), appends=False, paced=playing)
    Feed(frames, lang, on_widget=hand("feed", lambda shown: feed_html(shown.feed, lang)))
    with solara.Card(t(lang, "ties")):
        Chart(ties_of(frames), lang, height_px=320, png_name="ties", classes=["ess-ties"],
              on_widget=hand("ties", ties_of), appends=False, paced=playing)
    # The inspector follows the run when it is paused (or stepped); while playing it keeps the
    # month it shows, unless the pupil asks for another enterprise.
    inspected = solara.use_ref(frames.month)
    if not playing:
        inspected.current = frames.month
    Inspector(run, inspected.current, lang)
